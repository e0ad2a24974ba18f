// In-place random fills (uniform_, normal_, random_, bernoulli_) and bernoulli, drawn from the
// default generator's counter-based stream like the random factories.
#include <limits>

#include "frontend/dispatch.h"
#include "ember/functional.h"

namespace ember {

namespace {
const Tensor& fill_random(const Tensor& t, OpId op, double a, double b) {
  return call_into(op, t, {},
                   Attrs().set("shape", t.sizes()).set("dtype", t.dtype()).set("device", t.device())
                       .set("a", a).set("b", b));
}

// The largest integer random_() draws for a dtype: floats up to 2^mantissa bits (so every value
// is exact), integers up to their maximum, as libtorch.
int64_t random_upper_bound(ScalarType t) {
  switch (t) {
    case kBool: return 1;
    case kUInt8: return std::numeric_limits<uint8_t>::max();
    case kInt8: return std::numeric_limits<int8_t>::max();
    case kInt16: return std::numeric_limits<int16_t>::max();
    case kInt32: return std::numeric_limits<int32_t>::max();
    case kInt64: return int64_t{1} << 53;  // what the generator's double draws hold exactly
    case kFloat16: return int64_t{1} << 11;
    case kBFloat16: return int64_t{1} << 8;
    case kFloat32: return int64_t{1} << 24;
    default: return int64_t{1} << 53;
  }
}
}  // namespace

const Tensor& Tensor::uniform_(double from, double to) const {
  EMBER_CHECK(from <= to, "uniform_ expects to return a [from, to) range, but found from=", from,
              " > to=", to);
  return fill_random(*this, OpId::Rand, from, to);
}

const Tensor& Tensor::normal_(double mean, double std) const {
  EMBER_CHECK(std >= 0.0, "normal expects std >= 0.0, but found std ", std);
  return fill_random(*this, OpId::Randn, mean, std);
}

const Tensor& Tensor::random_(int64_t from, std::optional<int64_t> to) const {
  int64_t hi = to ? *to : random_upper_bound(dtype()) + 1;
  EMBER_CHECK(from < hi, "random_ expects 'from' to be less than 'to', but got from=", from,
              " >= to=", hi);
  return fill_random(*this, OpId::Randint, static_cast<double>(from), static_cast<double>(hi));
}
const Tensor& Tensor::random_(int64_t to) const { return random_(0, to); }
const Tensor& Tensor::random_() const { return random_(0, std::nullopt); }

const Tensor& Tensor::bernoulli_(double p) const {
  EMBER_CHECK(p >= 0 && p <= 1, "bernoulli_ expects p to be in [0, 1], but got p=", p);
  return copy_(rand(sizes(), TensorOptions().dtype(kFloat32).device(device())).lt(p));
}
const Tensor& Tensor::bernoulli_(const Tensor& p) const {
  Tensor u = rand(sizes(), TensorOptions().dtype(p.is_floating_point() ? p.dtype() : kFloat32)
                               .device(device()));
  return copy_(u.lt(p.to(device())));
}
Tensor Tensor::bernoulli() const {
  EMBER_CHECK(is_floating_point(), "bernoulli: expected a floating point tensor of probabilities "
              "but got ", dtype_name(dtype()));
  return empty_like(*this).bernoulli_(*this);
}
Tensor Tensor::bernoulli(double p) const { return empty_like(*this).bernoulli_(p); }

Tensor bernoulli(const Tensor& p) { return p.bernoulli(); }
Tensor bernoulli(const Tensor& x, double p) { return x.bernoulli(p); }

}  // namespace ember
