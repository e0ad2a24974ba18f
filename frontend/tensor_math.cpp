// The hand-written wrappers of pointwise math ops (ember/tensor.h, ember/functional.h):
// lerp, addcmul/addcdiv, nan_to_num, square, and the parameterised activations of the op
// table, whose parameters travel as by-value scalar operands.
#include <cfloat>
#include <limits>

#include "ember/functional.h"
#include "frontend/dispatch.h"
#include "frontend/torch_type_names.h"
#include "kernels/ops/type_promotion.h"

namespace ember {

namespace {


}  // namespace

// A limit of hardtanh / threshold for x: truncated to an integer for integer x, so the
// result keeps x's dtype (libtorch's hardtanh_out: min.toLong()).
Tensor limit_operand(const Tensor& x, const Scalar& s) {
  if (is_integral(x.dtype(), false) && s.is_floating()) return S(Scalar(static_cast<int64_t>(s.to_double())));
  return S(s);
}

namespace {

// libtorch's dispatch error for a floating-only kernel ("leaky_relu_cpu" not implemented for 'Long').
void check_floating(const char* op, const Tensor& x) {
  EMBER_CHECK(is_floating(x.dtype()), "\"", op, x.is_cuda() ? "_cuda" : "_cpu", "\" not implemented for '",
              torch_type_name(x.dtype()), "'");
}

void check_lerp(const Tensor& self, const Tensor& end, const Tensor* weight) {
  EMBER_CHECK(self.dtype() == end.dtype(), "expected dtype ", dtype_name(self.dtype()), " for `end` but got dtype ",
              dtype_name(end.dtype()));
  if (weight)
    EMBER_CHECK(self.dtype() == weight->dtype(), "expected dtype ", dtype_name(self.dtype()),
                " for `weight` but got dtype ", dtype_name(weight->dtype()));
  check_floating("lerp_kernel", self);
}

void check_addc(const char* op, const Tensor& self, const Tensor& t1, const Tensor& t2, const Scalar& value,
                bool division) {
  ScalarType common = result_type({self, t1, t2});
  if (division)
    EMBER_CHECK(is_floating(common) || !(is_integral(t1.dtype(), true) && is_integral(t2.dtype(), true)),
                "Integer division with addcdiv is no longer supported, and in a future release addcdiv will "
                "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
                "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
                "inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior "
                "is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.");
  EMBER_CHECK(is_floating(common) || !value.is_floating(), op,
              ": For integral input tensors, argument value must not be a floating point number.");
}

// value * t1 (op) t2, in libtorch's order: (value * t1) * t2 and (value * t1) / t2.
Tensor addc_term(const Tensor& t1, const Tensor& t2, const Scalar& value, bool division) {
  Tensor v = value == Scalar(1) ? t1 : t1 * S(value);
  return division ? v / t2 : v * t2;
}

double largest(ScalarType t) {
  switch (t) {
    case kFloat16: return 65504.0;
    case kBFloat16: return 3.3895313892515355e38;
    case kFloat32: return FLT_MAX;
    default: return DBL_MAX;
  }
}

struct NanToNumMasks {
  Tensor nan, pos, neg;
  double nan_v, pos_v, neg_v;
};

NanToNumMasks nan_to_num_masks(const Tensor& x, std::optional<double> nan, std::optional<double> posinf,
                               std::optional<double> neginf) {
  const double inf = std::numeric_limits<double>::infinity();
  return {x.isnan(), x.eq(inf), x.eq(-inf), nan.value_or(0.0), posinf.value_or(largest(x.dtype())),
          neginf.value_or(-largest(x.dtype()))};
}

// negcoef = alpha * scale in the compute type, as libtorch's elu kernel (opmath_t).
Scalar elu_negcoef(const Tensor& x, const Scalar& alpha, const Scalar& scale) {
  if (x.dtype() == kFloat64) return Scalar(alpha.to_double() * scale.to_double());
  return Scalar(static_cast<double>(static_cast<float>(alpha.to_double()) * static_cast<float>(scale.to_double())));
}

}  // namespace

Tensor Tensor::lerp(const Tensor& end, const Scalar& weight) const {
  check_lerp(*this, end, nullptr);
  return call1(OpId::Lerp, {*this, end, S(weight)});
}
Tensor Tensor::lerp(const Tensor& end, const Tensor& weight) const {
  check_lerp(*this, end, &weight);
  return call1(OpId::Lerp, {*this, end, weight});
}
const Tensor& Tensor::lerp_(const Tensor& end, const Scalar& weight) const {
  check_lerp(*this, end, nullptr);
  return call_into(OpId::Lerp, *this, {*this, end, S(weight)});
}
const Tensor& Tensor::lerp_(const Tensor& end, const Tensor& weight) const {
  check_lerp(*this, end, &weight);
  return call_into(OpId::Lerp, *this, {*this, end, weight});
}

Tensor Tensor::addcmul(const Tensor& t1, const Tensor& t2, const Scalar& value) const {
  check_addc("addcmul", *this, t1, t2, value, false);
  return *this + addc_term(t1, t2, value, false);
}
Tensor Tensor::addcdiv(const Tensor& t1, const Tensor& t2, const Scalar& value) const {
  check_addc("addcdiv", *this, t1, t2, value, true);
  return *this + addc_term(t1, t2, value, true);
}
const Tensor& Tensor::addcmul_(const Tensor& t1, const Tensor& t2, const Scalar& value) const {
  check_addc("addcmul", *this, t1, t2, value, false);
  return add_(addc_term(t1, t2, value, false));
}
const Tensor& Tensor::addcdiv_(const Tensor& t1, const Tensor& t2, const Scalar& value) const {
  check_addc("addcdiv", *this, t1, t2, value, true);
  return add_(addc_term(t1, t2, value, true));
}

// Integers have no NaN or infinity: a copy, as libtorch. The gradient is zero where a value
// was replaced (masked_fill's).
Tensor Tensor::nan_to_num(std::optional<double> nan, std::optional<double> posinf,
                          std::optional<double> neginf) const {
  if (!is_floating(dtype())) return clone();
  NanToNumMasks m = nan_to_num_masks(*this, nan, posinf, neginf);
  return masked_fill(m.nan, m.nan_v).masked_fill(m.pos, m.pos_v).masked_fill(m.neg, m.neg_v);
}
const Tensor& Tensor::nan_to_num_(std::optional<double> nan, std::optional<double> posinf,
                                  std::optional<double> neginf) const {
  if (!is_floating(dtype())) return *this;
  NanToNumMasks m = nan_to_num_masks(*this, nan, posinf, neginf);
  masked_fill_(m.nan, m.nan_v);
  masked_fill_(m.pos, m.pos_v);
  return masked_fill_(m.neg, m.neg_v);
}

Tensor square(const Tensor& x) { return x.square(); }
Tensor lerp(const Tensor& a, const Tensor& b, const Scalar& w) { return a.lerp(b, w); }
Tensor lerp(const Tensor& a, const Tensor& b, const Tensor& w) { return a.lerp(b, w); }
Tensor addcmul(const Tensor& s, const Tensor& t1, const Tensor& t2, const Scalar& v) { return s.addcmul(t1, t2, v); }
Tensor addcdiv(const Tensor& s, const Tensor& t1, const Tensor& t2, const Scalar& v) { return s.addcdiv(t1, t2, v); }
Tensor nan_to_num(const Tensor& x, std::optional<double> nan, std::optional<double> posinf,
                  std::optional<double> neginf) {
  return x.nan_to_num(nan, posinf, neginf);
}

Tensor leaky_relu(const Tensor& x, const Scalar& slope) {
  check_floating("leaky_relu", x);
  return call1(OpId::LeakyRelu, {x, S(slope)});
}

// weight: one slope, or one per channel (dim 1 of x), broadcast over the other dims.
Tensor prelu(const Tensor& x, const Tensor& weight) {
  check_floating("prelu", x);
  int64_t n = weight.numel();
  EMBER_CHECK(weight.dim() <= 1, "prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = ",
              weight.dim());
  if (n == 1) return call1(OpId::LeakyRelu, {x, x.dim() == 0 ? weight.reshape({}) : weight.reshape({1})});
  EMBER_CHECK(x.dim() > 0, "Not allow zero-dim input tensor.");
  int64_t channels = x.dim() >= 2 ? x.sizes()[1] : 1;
  EMBER_CHECK(n == channels, "Mismatch of parameter numbers and input channel size. Found parameter numbers = ",
              n, " and channel size = ", channels, ".");
  Shape s{n};
  for (int64_t d = 2; d < x.dim(); ++d) s.push_back(1);
  return call1(OpId::LeakyRelu, {x, weight.reshape(s)});
}

Tensor elu(const Tensor& x, const Scalar& alpha, const Scalar& scale) {
  check_floating("elu", x);
  return call1(OpId::Elu, {x, S(elu_negcoef(x, alpha, scale)), S(scale)});
}
Tensor selu(const Tensor& x) { return elu(x, 1.6732632423543772848170429916717, 1.0507009873554804934193349852946); }
Tensor celu(const Tensor& x, const Scalar& alpha) {
  EMBER_CHECK(alpha.to_double() != 0, "ZeroDivisionError: alpha cannot be 0 for CELU");
  check_floating("elu", x);
  return call1(OpId::Celu, {x, S(alpha)});
}
Tensor hardtanh(const Tensor& x, const Scalar& lo, const Scalar& hi) {
  EMBER_CHECK(x.dtype() != kBool, "Bool inputs not supported for hardtanh");
  return call1(OpId::Hardtanh, {x, limit_operand(x, lo), limit_operand(x, hi)});
}
Tensor threshold(const Tensor& x, const Scalar& th, const Scalar& value) {
  return call1(OpId::Threshold, {x, limit_operand(x, th), limit_operand(x, value)});
}
Tensor hardshrink(const Tensor& x, const Scalar& lambd) {
  check_floating("hardshrink", x);
  return call1(OpId::Hardshrink, {x, S(lambd)});
}
Tensor softshrink(const Tensor& x, const Scalar& lambd) {
  EMBER_CHECK(lambd.to_double() >= 0, "lambda must be greater or equal to 0, but found to be ", lambd.to_double(),
              ".");
  check_floating("softshrink", x);
  return call1(OpId::Softshrink, {x, S(lambd)});
}

}  // namespace ember
