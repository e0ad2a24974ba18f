// cumsum and cumprod as a Hillis-Steele scan: ceil(log2 n) rounds of one add (or mul) of the
// running result with itself shifted by 1, 2, 4, ... along the dim. Built from narrow, cat
// and the pointwise op, it needs no kernel, traces, and differentiates through autograd;
// cumprod's gradient is then exact where inputs are zero (it never divides by the input).
#include "frontend/dispatch.h"
#include "ember/functional.h"

namespace ember {

namespace {

Tensor scan(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype, OpId op,
            const char* name) {
  // libtorch: integer (and bool) inputs accumulate in int64 unless a dtype is given.
  ScalarType t = dtype.value_or(is_integral(x.dtype(), true) ? kInt64 : x.dtype());
  Tensor r = x.to(t);
  if (x.dim() == 0) {
    wrap_dim(dim, 1, name);
    return r.is_same(x) ? x.clone() : r;
  }
  int64_t d = wrap_dim(dim, x.dim(), name);
  int64_t n = x.size(d);
  if (n <= 1) return r.is_same(x) ? x.clone() : r;
  for (int64_t step = 1; step < n; step *= 2) {
    Tensor head = r.narrow(d, 0, step);
    Tensor tail = call1(op, {r.narrow(d, step, n - step), r.narrow(d, 0, n - step)});
    r = cat({head, tail}, d);
  }
  return r;
}

}  // namespace

Tensor Tensor::cumsum(int64_t dim, std::optional<ScalarType> dtype) const {
  return scan(*this, dim, dtype, OpId::Add, "cumsum");
}
Tensor Tensor::cumprod(int64_t dim, std::optional<ScalarType> dtype) const {
  return scan(*this, dim, dtype, OpId::Mul, "cumprod");
}
Tensor cumsum(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  return x.cumsum(dim, dtype);
}
Tensor cumprod(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  return x.cumprod(dim, dtype);
}

}  // namespace ember
