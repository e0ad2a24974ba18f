#include "ember/nn/functional.h"

#include <cmath>

#include "ember/functional.h"
#include "frontend/autograd/backward_names.h"
#include "frontend/nn/losses_internal.h"

namespace ember::nn::functional {

Tensor apply_reduction(const Tensor& t, Reduction r) {
  if (r == kSum) return t.sum();
  if (r == kMean) return t.mean();
  return t;
}

void check_same_shape(const char* op, const Tensor& input, const Tensor& target) {
  EMBER_CHECK(input.sizes() == target.sizes(), op, ": Using a target size (", shape_str(target.sizes()),
              ") that is different to the input size (", shape_str(input.sizes()),
              ") is deprecated. Please ensure they have the same size.");
}

namespace {

struct ClassTargets {
  Tensor scores;   // [N, C]
  Tensor target;   // [N], ignored entries replaced by class 0
  Tensor weight;   // [N]: the class weight of each sample, 0 where ignored
  bool unbatched;
};

ClassTargets class_targets(const char* op, const Tensor& input, const Tensor& target,
                           const Tensor& class_weight, int64_t ignore_index) {
  EMBER_CHECK(input.dim() == 1 || input.dim() == 2, op, ": expected input of shape [N, C] or [C], got ",
              shape_str(input.sizes()));
  EMBER_CHECK(target.dtype() == kInt64, op, ": expected target of dtype int64 (class indices), got ",
              dtype_name(target.dtype()));
  bool unbatched = input.dim() == 1;
  Tensor scores = unbatched ? input.unsqueeze(0) : input;
  Tensor tg = target.dim() == 0 ? target.unsqueeze(0) : target;
  EMBER_CHECK(tg.dim() == 1 && tg.sizes()[0] == scores.sizes()[0], "Expected input batch_size (",
              scores.sizes()[0], ") to match target batch_size (", tg.dim() == 1 ? tg.sizes()[0] : -1, ").");
  int64_t classes = scores.sizes()[1];
  EMBER_CHECK(!class_weight.defined() || (class_weight.dim() == 1 && class_weight.numel() == classes),
              "weight tensor should be defined either for all ", classes,
              " classes or no classes but got weight tensor of shape: ", shape_str(class_weight.sizes()));
  Tensor keep = tg.ne(ignore_index);
  Tensor safe = where(keep, tg, zeros_like(tg));
  Tensor keep_f = keep.to(scores.dtype());
  Tensor w = class_weight.defined() ? class_weight.to(scores.dtype()).index_select(0, safe) * keep_f : keep_f;
  return {scores, safe, w, unbatched};
}

Tensor weighted_reduce(const Tensor& losses, const Tensor& weights, Reduction r, bool unbatched) {
  if (r == kMean) return losses.sum() / weights.sum();
  if (r == kSum) return losses.sum();
  return unbatched ? losses.squeeze(0) : losses;
}
}  // namespace

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  EMBER_CHECK(weight.dim() == 2, "linear: weight must be 2-D, got shape ", shape_str(weight.sizes()));
  EMBER_CHECK(x.dim() >= 1 && x.sizes().back() == weight.sizes()[1], "linear: input of shape ",
              shape_str(x.sizes()), " does not match weight of shape ", shape_str(weight.sizes()),
              " (in_features=", weight.sizes()[1], ")");
  if (x.dim() == 2 && bias.defined()) return bias.addmm(x, weight.t());
  Tensor y = x.matmul(weight.t());
  return bias.defined() ? y + bias : y;
}

Tensor relu(const Tensor& x) { return x.relu(); }
Tensor relu(Tensor x, const ReLUFuncOptions& o) { return o.inplace() ? x.relu_() : x.relu(); }
Tensor sigmoid(const Tensor& x) { return x.sigmoid(); }
Tensor tanh(const Tensor& x) { return x.tanh(); }
Tensor gelu(const Tensor& x, const GELUFuncOptions& o) {
  if (o.approximate() == "none") return ember::gelu(x);
  EMBER_CHECK(o.approximate() == "tanh", "approximate argument must be either none or tanh.");
  const double k = std::sqrt(2.0 / M_PI);
  return x * 0.5 * (1 + ((x + x.pow(3) * 0.044715) * k).tanh());
}
Tensor softplus(const Tensor& x, const SoftplusFuncOptions& o) {
  return ember::softplus(x, o.beta(), o.threshold());
}
Tensor softmax(const Tensor& x, int64_t dim) { return ember::softmax(x, dim); }
Tensor softmax(const Tensor& x, const SoftmaxFuncOptions& o) {
  return ember::softmax(o.dtype() ? x.to(*o.dtype()) : x, o.dim());
}
Tensor log_softmax(const Tensor& x, int64_t dim) { return ember::log_softmax(x, dim); }
Tensor log_softmax(const Tensor& x, const LogSoftmaxFuncOptions& o) {
  return ember::log_softmax(o.dtype() ? x.to(*o.dtype()) : x, o.dim());
}

Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossFuncOptions& o) {
  check_same_shape("mse_loss", input, target);
  return autograd::name_grad_fn(apply_reduction((input - target).pow(2), o.reduction()), "MseLossBackward0");
}

Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& o) {
  check_same_shape("l1_loss", input, target);
  return apply_reduction((input - target).abs(), o.reduction());
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& o) {
  ClassTargets c = class_targets("nll_loss", input, target, o.weight(), o.ignore_index());
  Tensor picked = c.scores.gather(1, c.target.unsqueeze(1)).squeeze(1).neg() * c.weight;
  return autograd::name_grad_fn(weighted_reduce(picked, c.weight, o.reduction(), c.unbatched),
                               "NllLossBackward0");
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& o) {
  if (input.sizes() == target.sizes()) return cross_entropy_probabilities(input, target, o);
  double eps = o.label_smoothing();
  EMBER_CHECK(eps >= 0 && eps <= 1, "label_smoothing must be between 0.0 and 1.0. Got: ", eps);
  Tensor logp = ember::log_softmax(input, input.dim() == 1 ? 0 : 1);
  Tensor nll = nll_loss(logp, target, NLLLossFuncOptions(o.reduction()).weight(o.weight()).ignore_index(o.ignore_index()));
  if (eps == 0) return nll;
  // PyTorch's label smoothing: (1 - eps) * nll + eps / C * (-sum_c w_c log p_c), with the
  // smoothing term normalised like nll's (by the kept samples' class weights under mean).
  ClassTargets c = class_targets("cross_entropy", logp, target, o.weight(), o.ignore_index());
  int64_t classes = c.scores.sizes()[1];
  Tensor keep = target.dim() == 0 ? target.unsqueeze(0).ne(o.ignore_index()) : target.ne(o.ignore_index());
  Tensor per_class = o.weight().defined() ? c.scores * o.weight().to(c.scores.dtype()) : c.scores;
  Tensor smooth = per_class.sum({1}).neg() * keep.to(c.scores.dtype());
  Tensor smooth_red;
  if (o.reduction() == kMean) smooth_red = smooth.sum() / c.weight.sum();
  else if (o.reduction() == kSum) smooth_red = smooth.sum();
  else smooth_red = c.unbatched ? smooth.squeeze(0) : smooth;
  return nll * (1 - eps) + smooth_red * (eps / static_cast<double>(classes));
}

}  // namespace ember::nn::functional
