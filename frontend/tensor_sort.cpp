// sort, argsort and topk. sort is one op (kernels/ops/sort_ops.cpp); topk is its first k
// along the dim, which keeps libtorch's results (sorted, ties in index order) and its gradient.
#include "frontend/dispatch.h"
#include "ember/functional.h"

namespace ember {

std::tuple<Tensor, Tensor> Tensor::sort(int64_t dim, bool descending) const {
  return sort(std::optional<bool>(false), dim, descending);
}
// The kernels are always stable, which is also a valid result for stable=false.
std::tuple<Tensor, Tensor> Tensor::sort(std::optional<bool>, int64_t dim, bool descending) const {
  auto r = call(OpId::Sort, {*this}, Attrs().set("dim", dim).set("descending", descending));
  return {r[0], r[1]};
}
Tensor Tensor::argsort(int64_t dim, bool descending) const {
  return std::get<1>(sort(dim, descending));
}
Tensor Tensor::argsort(bool stable, int64_t dim, bool descending) const {
  return std::get<1>(sort(std::optional<bool>(stable), dim, descending));
}

std::tuple<Tensor, Tensor> Tensor::topk(int64_t k, int64_t dim, bool largest, bool) const {
  int64_t d = wrap_dim(dim, this->dim(), "topk");
  int64_t n = this->dim() == 0 ? 1 : size(d);
  EMBER_CHECK(k >= 0 && k <= n, "selected index k out of range");
  auto [values, indices] = sort(std::optional<bool>(true), d, largest);
  if (this->dim() == 0) return {values, indices};
  return {values.narrow(d, 0, k), indices.narrow(d, 0, k)};
}

std::tuple<Tensor, Tensor> sort(const Tensor& x, int64_t dim, bool descending) {
  return x.sort(dim, descending);
}
std::tuple<Tensor, Tensor> sort(const Tensor& x, std::optional<bool> stable, int64_t dim,
                                bool descending) {
  return x.sort(stable, dim, descending);
}
Tensor argsort(const Tensor& x, int64_t dim, bool descending) { return x.argsort(dim, descending); }
Tensor argsort(const Tensor& x, bool stable, int64_t dim, bool descending) {
  return x.argsort(stable, dim, descending);
}
std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim, bool largest, bool sorted) {
  return x.topk(k, dim, largest, sorted);
}

}  // namespace ember
