// Pointwise Tensor methods, their in-place forms, free functions and operators.
#include <cmath>

#include "frontend/autograd/backward_names.h"
#include "frontend/dispatch.h"
#include "ember/functional.h"
#include "kernels/ops/type_promotion.h"
#include "ember/grad_mode.h"
#include "frontend/compile/tracing_hook.h"

namespace ember {

namespace {

Tensor op1(OpId op, const Tensor& a) { return call1(op, {a}); }
Tensor op2(OpId op, const Tensor& a, const Tensor& b) { return call1(op, {a, b}); }

void check_alpha(const char* op, const Tensor& a, const Tensor& b, const Scalar& alpha) {
  EMBER_CHECK(!alpha.is_floating() || is_floating(a.dtype()) || is_floating(b.dtype()), op,
              ": for integral input tensors, argument alpha must not be a floating point number.");
}

Scalar scalar_product(const Scalar& a, const Scalar& b) {
  if (a.is_floating() || b.is_floating()) return Scalar(a.to_double() * b.to_double());
  if (a.is_bool() && b.is_bool()) return Scalar(a.to_bool() && b.to_bool());
  return Scalar(a.to_int() * b.to_int());
}

// alpha * b for a + alpha * b, computed in the dtype that a + b promotes to, so that alpha
// changes neither the result's dtype nor its precision (libtorch does a + alpha * b in one
// kernel): an int8 product must not wrap before an int16 sum, bool + 3 * bool stays bool.
Tensor scaled(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  if (alpha == Scalar(1)) return b;
  if (b.impl().wrapped_number) return S(scalar_product(b.item(), alpha));
  ScalarType common = result_type({a, b});
  Tensor p = op2(OpId::Mul, b.to(common), S(alpha));
  return p.dtype() == common ? p : p.to(common);
}

OpId clamp_op(const std::optional<Scalar>& lo, const std::optional<Scalar>& hi) {
  EMBER_CHECK(lo || hi, "clamp: at least one of 'min' or 'max' must not be None");
  return lo && hi ? OpId::Clamp : (lo ? OpId::ClampMin : OpId::ClampMax);
}

std::vector<Tensor> clamp_args(const Tensor& x, const std::optional<Scalar>& lo,
                               const std::optional<Scalar>& hi) {
  std::vector<Tensor> args{x};
  if (lo) args.push_back(S(*lo));
  if (hi) args.push_back(S(*hi));
  return args;
}

void check_pow_exponent(const Tensor& x, const Scalar& e) {
  EMBER_CHECK(!(is_integral(x.dtype(), true) && e.is_integral() && e.to_int() < 0),
              "pow: integers to negative integer powers are not allowed.");
}

// libtorch refuses an integer division by zero on the CPU (CUDA gives an unspecified value,
// as there); a traced divisor has no values to look at.
void check_integer_divisor(const Tensor& a, const Tensor& b) {
  if (!is_integral(result_type({a, b}), true) || !b.is_cpu() || b.is_symbolic() ||
      jit::tracing_active({a, b}))
    return;
  NoGradGuard g;
  EMBER_CHECK(b.eq(0).sum().item().to_int() == 0, "ZeroDivisionError");
}

Tensor remainder_of(OpId op, const Tensor& a, const Tensor& b) {
  check_integer_divisor(a, b);
  return op2(op, a, b);
}

}  // namespace

Tensor Tensor::add(const Tensor& o, const Scalar& alpha) const {
  check_alpha("add", *this, o, alpha);
  return op2(OpId::Add, *this, scaled(*this, o, alpha));
}
Tensor Tensor::add(const Scalar& o, const Scalar& alpha) const { return add(S(o), alpha); }
Tensor Tensor::sub(const Tensor& o, const Scalar& alpha) const {
  check_alpha("sub", *this, o, alpha);
  return op2(OpId::Sub, *this, scaled(*this, o, alpha));
}
Tensor Tensor::sub(const Scalar& o, const Scalar& alpha) const { return sub(S(o), alpha); }
Tensor Tensor::mul(const Tensor& o) const { return op2(OpId::Mul, *this, o); }
Tensor Tensor::mul(const Scalar& o) const { return op2(OpId::Mul, *this, S(o)); }
Tensor Tensor::div(const Tensor& o) const { return op2(OpId::Div, *this, o); }
Tensor Tensor::div(const Scalar& o) const { return op2(OpId::Div, *this, S(o)); }
Tensor Tensor::pow(const Tensor& e) const { return op2(OpId::Pow, *this, e); }
Tensor Tensor::pow(const Scalar& e) const {
  check_pow_exponent(*this, e);
  return op2(OpId::Pow, *this, S(e));
}
Tensor Tensor::clamp(std::optional<Scalar> lo, std::optional<Scalar> hi) const {
  return autograd::name_grad_fn(call1(clamp_op(lo, hi), clamp_args(*this, lo, hi)), "ClampBackward1");
}
Tensor Tensor::clamp(const std::optional<Tensor>& lo, const std::optional<Tensor>& hi) const {
  EMBER_CHECK(lo || hi, "clamp: at least one of 'min' or 'max' must not be None");
  if (lo && hi) return autograd::name_grad_fn(call1(OpId::Clamp, {*this, *lo, *hi}), "ClampBackward0");
  return lo ? op2(OpId::ClampMin, *this, *lo) : op2(OpId::ClampMax, *this, *hi);
}
Tensor Tensor::clamp_min(const Scalar& lo) const { return op2(OpId::ClampMin, *this, S(lo)); }
Tensor Tensor::clamp_min(const Tensor& lo) const { return op2(OpId::ClampMin, *this, lo); }
Tensor Tensor::clamp_max(const Scalar& hi) const { return op2(OpId::ClampMax, *this, S(hi)); }
Tensor Tensor::clamp_max(const Tensor& hi) const { return op2(OpId::ClampMax, *this, hi); }

// The regular wrappers, generated from the op table (ember/pointwise_ops.h): for a Unary op
// the method, its in-place form and the free function; for a Binary one the method and the
// free function; for a Free one the free function.
#define EMBER_DEFINE_Unary(N, name)                                                     \
  Tensor Tensor::name() const { return op1(OpId::N, *this); }                           \
  const Tensor& Tensor::name##_() const { return call_into(OpId::N, *this, {*this}); }  \
  Tensor name(const Tensor& x) { return op1(OpId::N, x); }
#define EMBER_DEFINE_Binary(N, name)                                              \
  Tensor Tensor::name(const Tensor& o) const { return op2(OpId::N, *this, o); }   \
  Tensor name(const Tensor& a, const Tensor& b) { return op2(OpId::N, a, b); }
#define EMBER_DEFINE_Free(N, name) \
  Tensor name(const Tensor& x) { return op1(OpId::N, x); }
#define EMBER_DEFINE_Query(N, name)                                 \
  Tensor Tensor::name() const { return op1(OpId::N, *this); }       \
  Tensor name(const Tensor& x) { return op1(OpId::N, x); }
#define EMBER_DEFINE_None(N, name)
#define EMBER_DEFINE(N, ARITY, RULE, NUM, DOMAIN, API, name) EMBER_DEFINE_##API(N, name)
EMBER_POINTWISE_OPS(EMBER_DEFINE)
#undef EMBER_DEFINE
#undef EMBER_DEFINE_Unary
#undef EMBER_DEFINE_Binary
#undef EMBER_DEFINE_Free
#undef EMBER_DEFINE_Query
#undef EMBER_DEFINE_None

Tensor Tensor::remainder(const Tensor& o) const { return remainder_of(OpId::Remainder, *this, o); }
Tensor Tensor::remainder(const Scalar& o) const { return remainder_of(OpId::Remainder, *this, S(o)); }
Tensor Tensor::fmod(const Tensor& o) const { return remainder_of(OpId::Fmod, *this, o); }
Tensor Tensor::fmod(const Scalar& o) const { return remainder_of(OpId::Fmod, *this, S(o)); }
const Tensor& Tensor::remainder_(const Tensor& o) const {
  check_integer_divisor(*this, o);
  return call_into(OpId::Remainder, *this, {*this, o});
}
const Tensor& Tensor::remainder_(const Scalar& o) const { return remainder_(S(o)); }
const Tensor& Tensor::fmod_(const Tensor& o) const {
  check_integer_divisor(*this, o);
  return call_into(OpId::Fmod, *this, {*this, o});
}
const Tensor& Tensor::fmod_(const Scalar& o) const { return fmod_(S(o)); }
Tensor remainder(const Tensor& a, const Tensor& b) { return a.remainder(b); }
Tensor remainder(const Tensor& a, const Scalar& b) { return a.remainder(b); }
Tensor remainder(const Scalar& a, const Tensor& b) { return remainder_of(OpId::Remainder, S(a), b); }
Tensor fmod(const Tensor& a, const Tensor& b) { return a.fmod(b); }
Tensor fmod(const Tensor& a, const Scalar& b) { return a.fmod(b); }

Tensor Tensor::where(const Tensor& cond, const Tensor& other) const {
  return call1(OpId::Where, {cond, *this, other});
}
Tensor Tensor::masked_fill(const Tensor& mask, const Scalar& v) const {
  return call1(OpId::MaskedFill, {*this, mask, S(v)});
}
Tensor Tensor::masked_fill(const Tensor& mask, const Tensor& v) const {
  return call1(OpId::MaskedFill, {*this, mask, v});
}
Tensor Tensor::lt(const Tensor& o) const { return op2(OpId::Lt, *this, o); }
Tensor Tensor::lt(const Scalar& o) const { return op2(OpId::Lt, *this, S(o)); }
Tensor Tensor::le(const Tensor& o) const { return op2(OpId::Le, *this, o); }
Tensor Tensor::le(const Scalar& o) const { return op2(OpId::Le, *this, S(o)); }
Tensor Tensor::gt(const Tensor& o) const { return op2(OpId::Gt, *this, o); }
Tensor Tensor::gt(const Scalar& o) const { return op2(OpId::Gt, *this, S(o)); }
Tensor Tensor::ge(const Tensor& o) const { return op2(OpId::Ge, *this, o); }
Tensor Tensor::ge(const Scalar& o) const { return op2(OpId::Ge, *this, S(o)); }
Tensor Tensor::eq(const Tensor& o) const { return op2(OpId::Eq, *this, o); }
Tensor Tensor::eq(const Scalar& o) const { return op2(OpId::Eq, *this, S(o)); }
Tensor Tensor::ne(const Tensor& o) const { return op2(OpId::Ne, *this, o); }
Tensor Tensor::ne(const Scalar& o) const { return op2(OpId::Ne, *this, S(o)); }

bool Tensor::equal(const Tensor& o) const {
  if (sizes() != o.sizes()) return false;
  NoGradGuard g;
  return ne(o).sum().item().to_int() == 0;
}

bool Tensor::allclose(const Tensor& o, double rtol, double atol) const {
  NoGradGuard g;
  Tensor a = to(kFloat64), b = o.to(kFloat64);
  Tensor diff = (a - b).abs();
  // inf - (-inf) is inf, which is <= an infinite tolerance: only finite differences count.
  Tensor close = diff.le(b.abs() * rtol + atol).logical_and(diff.lt(INFINITY));
  Tensor both_inf = a.eq(b);  // equal infinities (and equal finite values)
  return close.logical_or(both_inf).logical_not().sum().item().to_int() == 0;
}

// ----- in place

const Tensor& Tensor::add_(const Tensor& o, const Scalar& alpha) const {
  check_alpha("add_", *this, o, alpha);
  return call_into(OpId::Add, *this, {*this, scaled(*this, o, alpha)});
}
const Tensor& Tensor::add_(const Scalar& o, const Scalar& alpha) const { return add_(S(o), alpha); }
const Tensor& Tensor::sub_(const Tensor& o, const Scalar& alpha) const {
  check_alpha("sub_", *this, o, alpha);
  return call_into(OpId::Sub, *this, {*this, scaled(*this, o, alpha)});
}
const Tensor& Tensor::sub_(const Scalar& o, const Scalar& alpha) const { return sub_(S(o), alpha); }
const Tensor& Tensor::mul_(const Tensor& o) const { return call_into(OpId::Mul, *this, {*this, o}); }
const Tensor& Tensor::mul_(const Scalar& o) const { return mul_(S(o)); }
const Tensor& Tensor::div_(const Tensor& o) const { return call_into(OpId::Div, *this, {*this, o}); }
const Tensor& Tensor::div_(const Scalar& o) const { return div_(S(o)); }
const Tensor& Tensor::pow_(const Tensor& e) const { return call_into(OpId::Pow, *this, {*this, e}); }
const Tensor& Tensor::pow_(const Scalar& e) const {
  check_pow_exponent(*this, e);
  return pow_(S(e));
}
const Tensor& Tensor::clamp_(std::optional<Scalar> lo, std::optional<Scalar> hi) const {
  return call_into(clamp_op(lo, hi), *this, clamp_args(*this, lo, hi));
}
const Tensor& Tensor::clamp_min_(const Scalar& lo) const { return clamp_(lo, std::nullopt); }
const Tensor& Tensor::clamp_max_(const Scalar& hi) const { return clamp_(std::nullopt, hi); }
const Tensor& Tensor::zero_() const { return fill_(0); }
const Tensor& Tensor::fill_(const Scalar& v) const { return fill_(S(v)); }
const Tensor& Tensor::fill_(const Tensor& v) const {
  EMBER_CHECK(v.dim() == 0, "fill_: only supports 0-dimension value tensor but got tensor with ",
              v.dim(), " dimensions");
  return copy_(v);
}
const Tensor& Tensor::copy_(const Tensor& src, bool) const {
  Tensor s = src;
  // Even a 0-dim CPU source moves: Cast's result takes its one input's device (fill_ and
  // zero_ on a CUDA tensor come here with one).
  if (s.device() != device()) s = s.to(device());
  if (s.sizes() != sizes()) s = s.expand(sizes());
  return call_into(OpId::Cast, *this, {s}, Attrs().set("dtype", dtype()));
}
const Tensor& Tensor::masked_fill_(const Tensor& mask, const Scalar& v) const {
  return call_into(OpId::MaskedFill, *this, {*this, mask, S(v)});
}
const Tensor& Tensor::masked_fill_(const Tensor& mask, const Tensor& v) const {
  return call_into(OpId::MaskedFill, *this, {*this, mask, v});
}
// ----- free functions

Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha) { return a.add(b, alpha); }
Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha) { return a.sub(b, alpha); }
Tensor mul(const Tensor& a, const Tensor& b) { return a.mul(b); }
Tensor div(const Tensor& a, const Tensor& b) { return a.div(b); }
Tensor pow(const Tensor& a, const Tensor& b) { return a.pow(b); }
Tensor pow(const Tensor& a, const Scalar& b) { return a.pow(b); }
Tensor pow(const Scalar& a, const Tensor& b) { return op2(OpId::Pow, S(a), b); }
Tensor clamp(const Tensor& x, std::optional<Scalar> lo, std::optional<Scalar> hi) {
  return x.clamp(lo, hi);
}
Tensor clamp_min(const Tensor& x, const Scalar& lo) { return x.clamp_min(lo); }
Tensor clamp_max(const Tensor& x, const Scalar& hi) { return x.clamp_max(hi); }
Tensor where(const Tensor& c, const Tensor& a, const Tensor& b) { return call1(OpId::Where, {c, a, b}); }
Tensor where(const Tensor& c, const Scalar& a, const Tensor& b) { return where(c, S(a), b); }
Tensor where(const Tensor& c, const Tensor& a, const Scalar& b) { return where(c, a, S(b)); }
Tensor where(const Tensor& c, const Scalar& a, const Scalar& b) { return where(c, S(a), S(b)); }
Tensor masked_fill(const Tensor& x, const Tensor& m, const Scalar& v) { return x.masked_fill(m, v); }
Tensor softplus(const Tensor& x, const Scalar& beta, const Scalar& threshold) {
  return call1(OpId::Softplus, {x, S(beta), S(threshold)});
}
bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol) {
  return a.allclose(b, rtol, atol);
}
bool equal(const Tensor& a, const Tensor& b) { return a.equal(b); }

// ----- operators

Tensor operator+(const Tensor& a, const Tensor& b) { return a.add(b); }
Tensor operator+(const Tensor& a, const Scalar& b) { return a.add(b); }
Tensor operator+(const Scalar& a, const Tensor& b) { return op2(OpId::Add, S(a), b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return a.sub(b); }
Tensor operator-(const Tensor& a, const Scalar& b) { return a.sub(b); }
Tensor operator-(const Scalar& a, const Tensor& b) { return op2(OpId::Sub, S(a), b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return a.mul(b); }
Tensor operator*(const Tensor& a, const Scalar& b) { return a.mul(b); }
Tensor operator*(const Scalar& a, const Tensor& b) { return op2(OpId::Mul, S(a), b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return a.div(b); }
Tensor operator/(const Tensor& a, const Scalar& b) { return a.div(b); }
Tensor operator/(const Scalar& a, const Tensor& b) { return op2(OpId::Div, S(a), b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return a.lt(b); }
Tensor operator<(const Tensor& a, const Scalar& b) { return a.lt(b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return a.le(b); }
Tensor operator<=(const Tensor& a, const Scalar& b) { return a.le(b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return a.gt(b); }
Tensor operator>(const Tensor& a, const Scalar& b) { return a.gt(b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return a.ge(b); }
Tensor operator>=(const Tensor& a, const Scalar& b) { return a.ge(b); }
Tensor operator==(const Tensor& a, const Tensor& b) { return a.eq(b); }
Tensor operator==(const Tensor& a, const Scalar& b) { return a.eq(b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return a.ne(b); }
Tensor operator!=(const Tensor& a, const Scalar& b) { return a.ne(b); }
Tensor operator&&(const Tensor& a, const Tensor& b) { return a.logical_and(b); }
Tensor operator||(const Tensor& a, const Tensor& b) { return a.logical_or(b); }
Tensor operator!(const Tensor& a) { return a.logical_not(); }

namespace {
void check_bool(const char* op, const Tensor& a) {
  EMBER_CHECK(a.dtype() == kBool, op, ": bitwise operators are supported on bool tensors only (got ",
              dtype_name(a.dtype()), ")");
}
}  // namespace

Tensor operator&(const Tensor& a, const Tensor& b) {
  check_bool("&", a);
  check_bool("&", b);
  return a.logical_and(b);
}
Tensor operator|(const Tensor& a, const Tensor& b) {
  check_bool("|", a);
  check_bool("|", b);
  return a.logical_or(b);
}
Tensor operator^(const Tensor& a, const Tensor& b) {
  check_bool("^", a);
  check_bool("^", b);
  return a.logical_xor(b);
}
Tensor operator~(const Tensor& a) {
  check_bool("~", a);
  return a.logical_not();
}

}  // namespace ember
