#include "ember/nn/functional.h"

#include "ember/functional.h"
#include "frontend/autograd/backward_names.h"

namespace ember::nn::functional {

namespace {
Tensor reduce(const Tensor& t, Reduction r) {
  switch (r) {
    case Reduction::None: return t;
    case Reduction::Sum: return t.sum();
    case Reduction::Mean: return t.mean();
  }
  return t;
}

void check_same_shape(const char* op, const Tensor& input, const Tensor& target) {
  EMBER_CHECK(input.sizes() == target.sizes(), op, ": input of shape ", shape_str(input.sizes()),
              " and target of shape ", shape_str(target.sizes()),
              " differ (broadcasting in a loss is almost always a bug)");
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
Tensor sigmoid(const Tensor& x) { return x.sigmoid(); }
Tensor tanh(const Tensor& x) { return x.tanh(); }
Tensor gelu(const Tensor& x) { return ember::gelu(x); }
Tensor softplus(const Tensor& x, const SoftplusFuncOptions& o) {
  return ember::softplus(x, o.beta(), o.threshold());
}
Tensor softmax(const Tensor& x, int64_t dim) { return ember::softmax(x, dim); }
Tensor log_softmax(const Tensor& x, int64_t dim) { return ember::log_softmax(x, dim); }

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction r) {
  check_same_shape("mse_loss", input, target);
  return autograd::name_grad_fn(reduce((input - target).pow(2), r), "MseLossBackward0");
}

Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction r) {
  check_same_shape("l1_loss", input, target);
  return reduce((input - target).abs(), r);
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction r) {
  EMBER_CHECK(log_probs.dim() == 1 || log_probs.dim() == 2, "nll_loss: expected input of shape "
              "[N, C] or [C], got ", shape_str(log_probs.sizes()));
  EMBER_CHECK(target.dtype() == kInt64, "nll_loss: expected target of dtype int64 (class "
              "indices), got ", dtype_name(target.dtype()));
  Tensor lp = log_probs.dim() == 1 ? log_probs.unsqueeze(0) : log_probs;
  Tensor tg = target.dim() == 0 ? target.unsqueeze(0) : target;
  EMBER_CHECK(tg.dim() == 1 && tg.sizes()[0] == lp.sizes()[0], "nll_loss: expected target of "
              "shape [", lp.sizes()[0], "], got ", shape_str(target.sizes()));
  Tensor picked = lp.gather(1, tg.unsqueeze(1)).squeeze(1).neg();
  if (log_probs.dim() == 1 && r == Reduction::None) picked = picked.squeeze(0);
  return autograd::name_grad_fn(reduce(picked, r), "NllLossBackward0");
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, Reduction r) {
  return nll_loss(ember::log_softmax(input, input.dim() == 1 ? 0 : 1), target, r);
}

}  // namespace ember::nn::functional
