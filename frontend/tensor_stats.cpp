// Statistics and norms composed from the reductions: var/std (two-pass: the mean, then the
// sum of squared deviations, which keeps the precision that sum(x^2) - n mean^2 loses),
// var_mean/std_mean, norm and linalg::vector_norm, all/any, and Tensor::logsumexp.
#include <algorithm>
#include <cmath>
#include <limits>

#include "frontend/dispatch.h"
#include "ember/functional.h"

namespace ember {

namespace {

IntList wrapped_dims(const Tensor& x, IntArrayRef dims, const char* op) {
  IntList out;
  for (auto d : dims) out.push_back(wrap_dim(d, x.dim(), op));
  return out;
}

// Elements per output of a reduction over `dims` (every dim when empty).
int64_t reduced_count(const Tensor& x, IntArrayRef dims, const char* op) {
  if (dims.empty()) return x.numel();
  int64_t n = 1;
  for (auto d : wrapped_dims(x, dims, op)) n *= x.dim() == 0 ? 1 : x.size(d);
  return n;
}

// A keepdim=true reduction over `dims` without its kept dims.
Tensor drop_reduced(const Tensor& r, const Tensor& x, IntArrayRef dims, const char* op) {
  if (dims.empty()) return r.view({});
  IntList w = wrapped_dims(x, dims, op);
  std::sort(w.begin(), w.end());
  w.erase(std::unique(w.begin(), w.end()), w.end());
  Tensor out = r;
  for (auto it = w.rbegin(); it != w.rend(); ++it) out = out.squeeze(*it);
  return out;
}

Tensor sum_over(const Tensor& x, IntArrayRef dims, bool keepdim) {
  return dims.empty() && !keepdim ? x.sum() : x.sum(dims, keepdim);
}

double correction_of(const std::optional<Scalar>& c) { return c ? c->to_double() : 1.0; }

// var and mean over dims (every dim when empty), both keepdim as asked.
std::tuple<Tensor, Tensor> var_and_mean(const Tensor& x, IntArrayRef dims, double correction,
                                        bool keepdim, const char* op) {
  EMBER_CHECK(is_floating(x.dtype()), op,
              "(): std and var only support floating point and complex dtypes");
  Tensor m = x.mean(dims, true);
  Tensor dev = x - m;
  double divisor = std::max(0.0, static_cast<double>(reduced_count(x, dims, op)) - correction);
  Tensor v = sum_over(dev * dev, dims, keepdim) / divisor;
  return {v, keepdim ? m : drop_reduced(m, x, dims, op)};
}

// sqrt that has gradient 0 (not inf * 0) where its argument is 0, as libtorch's norm backward.
Tensor safe_root(const Tensor& s, double inv_p) {
  Tensor zero = s == 0;
  Tensor inner = where(zero, 1.0, s);
  Tensor root = inv_p == 0.5 ? inner.sqrt() : inner.pow(inv_p);
  return where(zero, 0.0, root);
}

ScalarType norm_dtype(const Tensor& x, std::optional<ScalarType> dtype, const char* op) {
  ScalarType t = dtype.value_or(x.dtype());
  EMBER_CHECK(is_floating(x.dtype()) && is_floating(t), op,
              ": Expected a floating point or complex tensor as input. Got ",
              dtype_name(is_floating(x.dtype()) ? t : x.dtype()));
  return t;
}

}  // namespace

// ----- var / std

Tensor Tensor::var(bool unbiased) const { return var(IntList{}, unbiased, false); }
Tensor Tensor::var(IntArrayRef dims, bool unbiased, bool keepdim) const {
  return std::get<0>(var_and_mean(*this, dims, unbiased ? 1 : 0, keepdim, "var"));
}
Tensor Tensor::var(IntArrayRef dims, const std::optional<Scalar>& c, bool keepdim) const {
  return std::get<0>(var_and_mean(*this, dims, correction_of(c), keepdim, "var"));
}
Tensor Tensor::std(bool unbiased) const { return var(unbiased).sqrt(); }
Tensor Tensor::std(IntArrayRef dims, bool unbiased, bool keepdim) const {
  return var(dims, unbiased, keepdim).sqrt();
}
Tensor Tensor::std(IntArrayRef dims, const std::optional<Scalar>& c, bool keepdim) const {
  return var(dims, c, keepdim).sqrt();
}

Tensor var(const Tensor& x, bool unbiased) { return x.var(unbiased); }
Tensor var(const Tensor& x, IntArrayRef dims, bool unbiased, bool keepdim) {
  return x.var(dims, unbiased, keepdim);
}
Tensor var(const Tensor& x, IntArrayRef dims, const std::optional<Scalar>& c, bool keepdim) {
  return x.var(dims, c, keepdim);
}
Tensor std(const Tensor& x, bool unbiased) { return x.std(unbiased); }
Tensor std(const Tensor& x, IntArrayRef dims, bool unbiased, bool keepdim) {
  return x.std(dims, unbiased, keepdim);
}
Tensor std(const Tensor& x, IntArrayRef dims, const std::optional<Scalar>& c, bool keepdim) {
  return x.std(dims, c, keepdim);
}

std::tuple<Tensor, Tensor> var_mean(const Tensor& x, bool unbiased) {
  return var_and_mean(x, {}, unbiased ? 1 : 0, false, "var_mean");
}
std::tuple<Tensor, Tensor> var_mean(const Tensor& x, IntArrayRef dims, bool unbiased,
                                    bool keepdim) {
  return var_and_mean(x, dims, unbiased ? 1 : 0, keepdim, "var_mean");
}
std::tuple<Tensor, Tensor> var_mean(const Tensor& x, IntArrayRef dims,
                                    const std::optional<Scalar>& c, bool keepdim) {
  return var_and_mean(x, dims, correction_of(c), keepdim, "var_mean");
}
std::tuple<Tensor, Tensor> std_mean(const Tensor& x, bool unbiased) {
  auto [v, m] = var_mean(x, unbiased);
  return {v.sqrt(), m};
}
std::tuple<Tensor, Tensor> std_mean(const Tensor& x, IntArrayRef dims, bool unbiased,
                                    bool keepdim) {
  auto [v, m] = var_mean(x, dims, unbiased, keepdim);
  return {v.sqrt(), m};
}
std::tuple<Tensor, Tensor> std_mean(const Tensor& x, IntArrayRef dims,
                                    const std::optional<Scalar>& c, bool keepdim) {
  auto [v, m] = var_mean(x, dims, c, keepdim);
  return {v.sqrt(), m};
}

// ----- norms

namespace linalg {
Tensor vector_norm(const Tensor& x, const Scalar& ord, IntArrayRef dims, bool keepdim,
                   std::optional<ScalarType> dtype) {
  Tensor a = x.to(norm_dtype(x, dtype, "linalg.vector_norm")).abs();
  double p = ord.to_double();
  if (std::isinf(p)) {
    EMBER_CHECK(x.numel() > 0 || !dims.empty(), "linalg.vector_norm cannot compute the ",
                p > 0 ? "inf" : "-inf", " norm on an empty tensor because the operation does "
                "not have an identity");
    return p > 0 ? a.amax(dims, keepdim) : a.amin(dims, keepdim);
  }
  if (p == 0) return sum_over((a != 0).to(a.dtype()), dims, keepdim);
  if (p == 1) return sum_over(a, dims, keepdim);
  if (p == 2) return safe_root(sum_over(a * a, dims, keepdim), 0.5);
  return safe_root(sum_over(a.pow(p), dims, keepdim), 1.0 / p);
}
}  // namespace linalg

Tensor Tensor::norm(const Scalar& p) const { return norm(p, IntList{}, false); }
Tensor Tensor::norm(const std::optional<Scalar>& p, IntArrayRef dims, bool keepdim) const {
  norm_dtype(*this, std::nullopt, "norm");
  return linalg::vector_norm(*this, p.value_or(Scalar(2)), dims, keepdim);
}
Tensor Tensor::norm(const std::optional<Scalar>& p, IntArrayRef dims, bool keepdim,
                    ScalarType dtype) const {
  return linalg::vector_norm(*this, p.value_or(Scalar(2)), dims, keepdim, dtype);
}
Tensor norm(const Tensor& x, const Scalar& p) { return x.norm(p); }
Tensor norm(const Tensor& x, const std::optional<Scalar>& p, IntArrayRef dims, bool keepdim) {
  return x.norm(p, dims, keepdim);
}
Tensor norm(const Tensor& x, const std::optional<Scalar>& p, IntArrayRef dims, bool keepdim,
            ScalarType dtype) {
  return x.norm(p, dims, keepdim, dtype);
}
Tensor frobenius_norm(const Tensor& x, IntArrayRef dims, bool keepdim) {
  return linalg::vector_norm(x, 2, dims, keepdim);
}

// ----- all / any (bool results; uint8 stays uint8, as libtorch)

namespace {
Tensor truth_result(const Tensor& r, const Tensor& x) {
  return x.dtype() == kUInt8 ? r.to(kUInt8) : r;
}
}  // namespace

Tensor Tensor::all() const { return truth_result(eq(0).sum() == 0, *this); }
Tensor Tensor::all(int64_t dim, bool keepdim) const {
  return truth_result(eq(0).sum({dim}, keepdim) == 0, *this);
}
Tensor Tensor::any() const { return truth_result(ne(0).sum() > 0, *this); }
Tensor Tensor::any(int64_t dim, bool keepdim) const {
  return truth_result(ne(0).sum({dim}, keepdim) > 0, *this);
}
Tensor all(const Tensor& x) { return x.all(); }
Tensor all(const Tensor& x, int64_t dim, bool keepdim) { return x.all(dim, keepdim); }
Tensor any(const Tensor& x) { return x.any(); }
Tensor any(const Tensor& x, int64_t dim, bool keepdim) { return x.any(dim, keepdim); }

Tensor Tensor::logsumexp(IntArrayRef dims, bool keepdim) const {
  return ember::logsumexp(*this, dims, keepdim);
}

}  // namespace ember
