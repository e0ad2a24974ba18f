// nn::functional's activations (ember/nn/activation_functional.h). The pointwise ones call
// their op-table rows, in place through call_into when the options say so.
#include "ember/nn/activation_functional.h"

#include "ember/functional.h"
#include "ember/grad_mode.h"
#include "frontend/dispatch.h"
#include "frontend/torch_type_names.h"

namespace ember::nn::functional {

namespace {


void check_floating(const char* op, const Tensor& x) {
  EMBER_CHECK(is_floating(x.dtype()), "\"", op, x.is_cuda() ? "_cuda" : "_cpu", "\" not implemented for '",
              torch_type_name(x.dtype()), "'");
}

// op(x, params...) into x itself (inplace) or into a new tensor.
Tensor apply(OpId op, const Tensor& x, std::vector<Tensor> in, bool inplace) {
  if (!inplace) return call1(op, in);
  return call_into(op, x, in);
}

}  // namespace

Tensor elu(Tensor x, const ELUFuncOptions& o) {
  if (!o.inplace()) return ember::elu(x, o.alpha());
  check_floating("elu", x);
  return apply(OpId::Elu, x, {x, S(o.alpha()), S(1.0)}, true);
}

Tensor selu(Tensor x, const SELUFuncOptions& o) {
  Tensor y = ember::selu(x);
  if (!o.inplace()) return y;
  return x.copy_(y);
}

Tensor celu(Tensor x, const CELUFuncOptions& o) {
  if (!o.inplace()) return ember::celu(x, o.alpha());
  EMBER_CHECK(o.alpha() != 0, "ZeroDivisionError: alpha cannot be 0 for CELU");
  check_floating("elu", x);
  return apply(OpId::Celu, x, {x, S(o.alpha())}, true);
}

Tensor leaky_relu(Tensor x, const LeakyReLUFuncOptions& o) {
  check_floating("leaky_relu", x);
  return apply(OpId::LeakyRelu, x, {x, S(o.negative_slope())}, o.inplace());
}

Tensor prelu(const Tensor& x, const Tensor& weight) { return ember::prelu(x, weight); }

Tensor rrelu(Tensor x, const RReLUFuncOptions& o) {
  EMBER_CHECK(o.lower() <= o.upper(), "Lower bound should be less than or equal to the upper bound");
  check_floating("rrelu_with_noise", x);
  if (!o.training()) {
    double slope = (o.lower() + o.upper()) / 2;
    return apply(OpId::LeakyRelu, x, {x, S(slope)}, o.inplace());
  }
  // The slope of each element: 1 where x > 0, else a draw from U(lower, upper) (libtorch's
  // noise tensor); the gradient is grad * slope.
  Tensor slope;
  {
    NoGradGuard g;
    Tensor r = empty_like(x).uniform_(o.lower(), o.upper());
    slope = where(x.detach() > 0, ones_like(r), r);
  }
  return o.inplace() ? x.mul_(slope) : x * slope;
}

Tensor hardtanh(Tensor x, const HardtanhFuncOptions& o) {
  if (!o.inplace()) return ember::hardtanh(x, o.min_val(), o.max_val());
  return apply(OpId::Hardtanh, x, {x, limit_operand(x, o.min_val()), limit_operand(x, o.max_val())}, true);
}

Tensor relu6(Tensor x, const ReLU6FuncOptions& o) {
  return hardtanh(std::move(x), HardtanhFuncOptions().min_val(0).max_val(6).inplace(o.inplace()));
}

Tensor threshold(Tensor x, const ThresholdFuncOptions& o) {
  if (!o.inplace()) return ember::threshold(x, o.threshold(), o.value());
  return apply(OpId::Threshold, x, {x, limit_operand(x, o.threshold()), limit_operand(x, o.value())}, true);
}

Tensor hardshrink(const Tensor& x, const HardshrinkFuncOptions& o) { return ember::hardshrink(x, o.lambda()); }
Tensor softshrink(const Tensor& x, const SoftshrinkFuncOptions& o) { return ember::softshrink(x, o.lambda()); }

Tensor hardsigmoid(Tensor x, const HardsigmoidFuncOptions& o) {
  return o.inplace() ? x.hardsigmoid_() : x.hardsigmoid();
}
Tensor hardswish(Tensor x, const HardswishFuncOptions& o) { return o.inplace() ? x.hardswish_() : x.hardswish(); }
Tensor silu(Tensor x, bool inplace) { return inplace ? x.silu_() : x.silu(); }
Tensor mish(const Tensor& x) { return x.mish(); }
Tensor logsigmoid(const Tensor& x) { return ember::log_sigmoid(x); }
Tensor softsign(const Tensor& x) { return ember::softsign(x); }
Tensor tanhshrink(const Tensor& x) { return ember::tanhshrink(x); }

Tensor glu(const Tensor& x, const GLUFuncOptions& o) {
  EMBER_CHECK(x.dim() > 0, "glu does not support scalars because halving size must be even");
  int64_t d = o.dim() < 0 ? o.dim() + x.dim() : o.dim();
  EMBER_CHECK(d >= 0 && d < x.dim(), "Dimension out of range (expected to be in range of [", -x.dim(), ", ",
              x.dim() - 1, "], but got ", o.dim(), ")");
  int64_t n = x.sizes()[static_cast<size_t>(d)];
  EMBER_CHECK(n % 2 == 0, "Halving dimension must be even, but dimension ", d, " is size ", n);
  return x.narrow(d, 0, n / 2) * x.narrow(d, n / 2, n / 2).sigmoid();
}

Tensor softmin(const Tensor& x, int64_t dim) { return ember::softmax(x.neg(), dim); }
Tensor softmin(const Tensor& x, const SoftminFuncOptions& o) {
  return ember::softmax((o.dtype() ? x.to(*o.dtype()) : x).neg(), o.dim());
}

}  // namespace ember::nn::functional
