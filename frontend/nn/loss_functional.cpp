// nn::functional's losses of ember/nn/loss_functional.h, composed of differentiable ops in
// libtorch's formulas (aten/src/ATen/native/Loss*.cpp), and the distances they use.
#include "ember/nn/loss_functional.h"

#include <cmath>

#include "ember/functional.h"
#include "ember/grad_mode.h"
#include "frontend/compile/tracing_hook.h"
#include "frontend/nn/losses_internal.h"

namespace ember::nn::functional {

namespace {

// x log y with 0 where x is 0 (libtorch's xlogy(t, t)), differentiable without NaN at 0.
Tensor xlogx(const Tensor& x) { return x * where(x == 0, ones_like(x), x).log(); }

}  // namespace

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const BinaryCrossEntropyFuncOptions& o) {
  EMBER_CHECK(input.sizes() == target.sizes(), "Using a target size (", shape_str(target.sizes()),
              ") that is different to the input size (", shape_str(input.sizes()),
              ") is deprecated. Please ensure they have the same size.");
  if (!jit::tracing_active({input})) {  // a host check of the values (not while tracing)
    NoGradGuard g;
    Tensor x = input.detach();
    bool outside = x.numel() > 0 && ((x < 0) | (x > 1) | x.isnan()).any().item().to_bool();
    EMBER_CHECK(!outside, "all elements of input should be between 0 and 1");
  }
  // Both logs clamped at -100, as libtorch, so that 0 and 1 give finite losses.
  Tensor loss = (target - 1) * (1 - input).log().clamp_min(-100) - target * input.log().clamp_min(-100);
  if (o.weight().defined()) loss = loss * o.weight();
  return apply_reduction(loss, o.reduction());
}

// (1 - y) x - (1 + (pos_weight - 1) y) log_sigmoid(x): stable for any x.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BinaryCrossEntropyWithLogitsFuncOptions& o) {
  EMBER_CHECK(input.sizes() == target.sizes(), "Target size (", shape_str(target.sizes()),
              ") must be the same as input size (", shape_str(input.sizes()), ")");
  Tensor logsig = ember::log_sigmoid(input);
  Tensor loss = o.pos_weight().defined() ? (1 - target) * input - ((o.pos_weight() - 1) * target + 1) * logsig
                                         : (1 - target) * input - logsig;
  if (o.weight().defined()) loss = loss * o.weight();
  return apply_reduction(loss, o.reduction());
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& o) {
  EMBER_CHECK(o.beta() >= 0, "smooth_l1_loss does not support negative values for beta.");
  check_same_shape("smooth_l1_loss", input, target);
  Tensor z = (input - target).abs();
  if (o.beta() == 0) return apply_reduction(z, o.reduction());
  return apply_reduction(where(z < o.beta(), z * z * (0.5 / o.beta()), z - 0.5 * o.beta()), o.reduction());
}

Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossFuncOptions& o) {
  EMBER_CHECK(o.delta() > 0, "huber_loss does not support non-positive values for delta.");
  check_same_shape("huber_loss", input, target);
  Tensor z = (input - target).abs();
  return apply_reduction(where(z < o.delta(), z * z * 0.5, (z - 0.5 * o.delta()) * o.delta()), o.reduction());
}

Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivFuncOptions& o) {
  Tensor loss = o.log_target() ? target.exp() * (target - input) : xlogx(target) - target * input;
  const KLDivReduction& r = o.reduction();
  if (r == kBatchMean) return input.dim() == 0 ? loss.sum() : loss.sum() / static_cast<double>(input.sizes()[0]);
  return apply_reduction(loss, r == kSum ? Reduction(kSum) : r == kMean ? Reduction(kMean) : Reduction(kNone));
}

Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                           const MarginRankingLossFuncOptions& o) {
  EMBER_CHECK(input1.dim() == input2.dim() && input1.dim() == target.dim(),
              "margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: ",
              shape_str(input1.sizes()), ", input2: ", shape_str(input2.sizes()), ", target: ",
              shape_str(target.sizes()));
  return apply_reduction((target.neg() * (input1 - input2) + o.margin()).clamp_min(0), o.reduction());
}

Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target, const HingeEmbeddingLossFuncOptions& o) {
  Tensor zeros = zeros_like(input);
  Tensor margin_clamp = (o.margin() - input).clamp_min(0);
  Tensor loss = where(target != 1, margin_clamp, zeros) + where(target != -1, input, zeros);
  return apply_reduction(loss, o.reduction());
}

Tensor soft_margin_loss(const Tensor& input, const Tensor& target, const SoftMarginLossFuncOptions& o) {
  check_same_shape("soft_margin_loss", input, target);
  return apply_reduction((input.neg() * target).exp().log1p(), o.reduction());
}

Tensor multilabel_soft_margin_loss(const Tensor& input, const Tensor& target,
                                   const MultilabelSoftMarginLossFuncOptions& o) {
  check_same_shape("multilabel_soft_margin_loss", input, target);
  EMBER_CHECK(input.dim() >= 1, "multilabel_soft_margin_loss: expected input of at least 1 dimension");
  Tensor loss = (target * ember::log_sigmoid(input) + (1 - target) * ember::log_sigmoid(input.neg())).neg();
  if (o.weight().defined()) loss = loss * o.weight();
  int64_t class_dim = input.dim() - 1;
  loss = loss.sum({class_dim}) / static_cast<double>(input.sizes()[static_cast<size_t>(class_dim)]);
  return apply_reduction(loss, o.reduction());
}

// loss_n = sum over the targets j of row n and the non-targets i of max(0, 1 - (x[j] - x[i])) / C.
Tensor multilabel_margin_loss(const Tensor& input, const Tensor& target, const MultilabelMarginLossFuncOptions& o) {
  EMBER_CHECK(input.dim() == 1 || input.dim() == 2, "multilabel_margin_loss: Expected non-empty vector or matrix "
              "with optional 0-dim batch size, but got: ", shape_str(input.sizes()));
  EMBER_CHECK(target.dtype() == kInt64, "multilabel_margin_loss: expected target of dtype int64, got ",
              dtype_name(target.dtype()));
  EMBER_CHECK(target.sizes() == input.sizes(), "inconsistent target size: ", shape_str(target.sizes()),
              " for input of size: ", shape_str(input.sizes()));
  bool unbatched = input.dim() == 1;
  Tensor x = unbatched ? input.unsqueeze(0) : input;
  Tensor t = unbatched ? target.unsqueeze(0) : target;
  int64_t classes = x.sizes()[1];
  if (!jit::tracing_active({target})) {
    NoGradGuard g;
    bool in_range = t.numel() == 0 || ((t >= -1) & (t < classes)).all().item().to_bool();
    EMBER_CHECK(in_range, "multilabel_margin_loss: target values must be in [-1, ", classes - 1, "]");
  }
  // Entries before the first -1 of a row count; the rest are ignored.
  Tensor valid = (t == -1).to(kInt64).cumsum(1) == 0;
  Tensor safe = where(valid, t, zeros_like(t));
  Tensor is_target = zeros_like(x).scatter_add(1, safe, valid.to(x.dtype())) > 0;
  Tensor xt = x.gather(1, safe);                                           // [N, C]: x[j]
  Tensor hinge = (1 - (xt.unsqueeze(2) - x.unsqueeze(1))).clamp_min(0);    // [N, j, i]
  Tensor keep = (valid.unsqueeze(2) & is_target.logical_not().unsqueeze(1)).to(x.dtype());
  Tensor loss = (hinge * keep).sum({1, 2}) / static_cast<double>(classes);
  if (unbatched) loss = loss.squeeze(0);
  return apply_reduction(loss, o.reduction());
}

Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                             const CosineEmbeddingLossFuncOptions& o) {
  int64_t targ_dim = target.dim();
  EMBER_CHECK(targ_dim == 1 || targ_dim == 0, "0D or 1D target tensor expected, multi-target not supported");
  if (targ_dim == 1)
    EMBER_CHECK(input1.dim() == 2 && input2.dim() == 2, "1D target tensor expects 2D input tensors, but found "
                "inputs with sizes ", shape_str(input1.sizes()), " and ", shape_str(input2.sizes()), ".");
  else
    EMBER_CHECK(input1.dim() == 1 && input2.dim() == 1, "0D target tensor expects 1D input tensors, but found "
                "inputs with sizes ", shape_str(input1.sizes()), " and ", shape_str(input2.sizes()), ".");
  const double kEps = 1e-12;
  Tensor prod_sum = (input1 * input2).sum({targ_dim});
  Tensor mag1 = (input1 * input1).sum({targ_dim}) + kEps;
  Tensor mag2 = (input2 * input2).sum({targ_dim}) + kEps;
  Tensor cos = prod_sum / (mag1 * mag2).sqrt();
  Tensor zeros = zeros_like(cos);
  Tensor loss = where(target == 1, 1 - cos, zeros) + where(target == -1, (cos - o.margin()).clamp_min(0), zeros);
  return apply_reduction(loss, o.reduction());
}

Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                           const TripletMarginLossFuncOptions& o) {
  EMBER_CHECK(anchor.dim() == positive.dim() && anchor.dim() == negative.dim(),
              "The anchor, positive, and negative tensors are expected to have the same number of dimensions, "
              "but got: anchor ", anchor.dim(), "D, positive ", positive.dim(), "D, and negative ", negative.dim(),
              "D inputs");
  auto dist = PairwiseDistanceFuncOptions().p(o.p()).eps(o.eps());
  Tensor d_pos = pairwise_distance(anchor, positive, dist);
  Tensor d_neg = pairwise_distance(anchor, negative, dist);
  if (o.swap()) d_neg = minimum(d_neg, pairwise_distance(positive, negative, dist));
  return apply_reduction((d_pos - d_neg + o.margin()).clamp_min(0), o.reduction());
}

Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, const PoissonNLLLossFuncOptions& o) {
  Tensor loss = o.log_input() ? input.exp() - target * input : input - target * (input + o.eps()).log();
  if (o.full()) {
    // Stirling's approximation of log(target!), where target > 1.
    Tensor stirling = xlogx(target) - target + (target * (2 * M_PI)).log() * 0.5;
    loss = loss + stirling.masked_fill(target <= 1, 0);
  }
  return apply_reduction(loss, o.reduction());
}

// -sum_c w_c y_c log_softmax(x)_c over the class dim (1, or 0 unbatched); the mean divides
// by the number of samples, not by the weights (libtorch).
Tensor cross_entropy_probabilities(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& o) {
  EMBER_CHECK(o.label_smoothing() >= 0 && o.label_smoothing() <= 1, "label_smoothing must be between 0.0 and 1.0. Got: ",
              o.label_smoothing());
  EMBER_CHECK(is_floating(target.dtype()), "Expected floating point type for target with class probabilities, got ",
              dtype_name(target.dtype()));
  EMBER_CHECK(input.dim() >= 1, "cross_entropy: expected input with a class dimension, got a 0-dim tensor");
  int64_t class_dim = input.dim() == 1 ? 0 : 1;
  int64_t classes = input.sizes()[static_cast<size_t>(class_dim)];
  Tensor logp = ember::log_softmax(input, class_dim);
  Tensor y = target;
  double eps = o.label_smoothing();
  if (eps > 0) y = y * (1 - eps) + eps / static_cast<double>(classes);
  Tensor terms = logp * y;
  if (o.weight().defined()) {
    EMBER_CHECK(o.weight().dim() == 1 && o.weight().numel() == classes, "weight tensor should be defined either "
                "for all ", classes, " classes or no classes but got weight tensor of shape: ",
                shape_str(o.weight().sizes()));
    Shape ws{classes};
    for (int64_t d = class_dim + 1; d < input.dim(); ++d) ws.push_back(1);
    terms = terms * o.weight().to(input.dtype()).reshape(ws);
  }
  Tensor loss = terms.sum({class_dim}).neg();
  if (o.reduction() == kNone) return loss;
  if (o.reduction() == kSum) return loss.sum();
  return loss.sum() / static_cast<double>(input.numel() / std::max<int64_t>(classes, 1));
}

Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, const CosineSimilarityFuncOptions& o) {
  Tensor n1 = x1.norm(2, {o.dim()}, false).clamp_min(o.eps());
  Tensor n2 = x2.norm(2, {o.dim()}, false).clamp_min(o.eps());
  return (x1 * x2).sum({o.dim()}) / (n1 * n2);
}

Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, const PairwiseDistanceFuncOptions& o) {
  Tensor d = x1 - x2 + o.eps();
  EMBER_CHECK(d.dim() >= 1, "pairwise_distance: expected inputs of at least 1 dimension");
  return d.norm(o.p(), {d.dim() - 1}, o.keepdim());
}

Tensor normalize(const Tensor& x, NormalizeFuncOptions o) {
  return x / x.norm(o.p(), {o.dim()}, true).clamp_min(o.eps()).expand_as(x);
}

Tensor one_hot(const Tensor& t, int64_t num_classes) {
  EMBER_CHECK(t.dtype() == kInt64, "one_hot is only applicable to index tensor.");
  int64_t classes = num_classes;
  if (t.numel() > 0) {
    EMBER_CHECK(t.min().item().to_int() >= 0, "Class values must be non-negative.");
    if (classes == -1) classes = t.max().item().to_int() + 1;
    else EMBER_CHECK(t.max().item().to_int() < classes, "Class values must be smaller than num_classes.");
  } else {
    EMBER_CHECK(classes != -1, "Can not infer total number of classes from empty tensor.");
  }
  return (t.unsqueeze(-1) == arange(classes, TensorOptions().dtype(kInt64).device(t.device()))).to(kInt64);
}

}  // namespace ember::nn::functional
