// Reductions, and the composites built from them (softmax, log_softmax, logsumexp).
#include "frontend/autograd/backward_names.h"
#include "frontend/dispatch.h"
#include "ember/functional.h"

namespace ember {

namespace {
Attrs reduce_attrs(IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) {
  Attrs a;
  a.set("dims", dims).set("keepdim", keepdim);
  if (dtype) a.set("dtype", *dtype);
  return a;
}
}  // namespace

Tensor Tensor::sum(std::optional<ScalarType> dtype) const { return sum(IntList{}, false, dtype); }
Tensor Tensor::sum(IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) const {
  return call1(OpId::Sum, {*this}, reduce_attrs(dims, keepdim, dtype));
}
Tensor Tensor::mean(std::optional<ScalarType> dtype) const { return mean(IntList{}, false, dtype); }
Tensor Tensor::mean(IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) const {
  return call1(OpId::Mean, {*this}, reduce_attrs(dims, keepdim, dtype));
}
Tensor Tensor::prod(std::optional<ScalarType> dtype) const {
  return call1(OpId::Prod, {*this}, reduce_attrs({}, false, dtype));
}
Tensor Tensor::prod(int64_t dim, bool keepdim, std::optional<ScalarType> dtype) const {
  return call1(OpId::Prod, {*this}, reduce_attrs({dim}, keepdim, dtype));
}
Tensor Tensor::max() const { return autograd::name_grad_fn(amax(), "MaxBackward1"); }
Tensor Tensor::min() const { return autograd::name_grad_fn(amin(), "MinBackward1"); }
std::tuple<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const {
  auto r = call(OpId::MaxDim, {*this}, Attrs().set("dim", dim).set("keepdim", keepdim));
  return {r[0], r[1]};
}
std::tuple<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim) const {
  auto r = call(OpId::MinDim, {*this}, Attrs().set("dim", dim).set("keepdim", keepdim));
  return {r[0], r[1]};
}
Tensor Tensor::amax(IntArrayRef dims, bool keepdim) const {
  return call1(OpId::Amax, {*this}, reduce_attrs(dims, keepdim, std::nullopt));
}
Tensor Tensor::amin(IntArrayRef dims, bool keepdim) const {
  return call1(OpId::Amin, {*this}, reduce_attrs(dims, keepdim, std::nullopt));
}
Tensor Tensor::argmax(std::optional<int64_t> dim, bool keepdim) const {
  Attrs a;
  a.set("keepdim", keepdim);
  if (dim) a.set("dim", *dim);
  return call1(OpId::ArgMax, {*this}, a);
}
Tensor Tensor::argmin(std::optional<int64_t> dim, bool keepdim) const {
  Attrs a;
  a.set("keepdim", keepdim);
  if (dim) a.set("dim", *dim);
  return call1(OpId::ArgMin, {*this}, a);
}

Tensor Tensor::sum_to_size(IntArrayRef size) const {
  if (sizes() == size) return *this;
  int64_t lead = dim() - static_cast<int64_t>(size.size());
  EMBER_CHECK(lead >= 0, "sum_to_size: size ", shape_str(size), " is not expandable to size ",
              shape_str(sizes()));
  IntList dims;
  for (int64_t d = 0; d < dim(); ++d) {
    if (d < lead) {
      dims.push_back(d);
      continue;
    }
    int64_t want = size[d - lead];
    EMBER_CHECK(want == sizes()[d] || want == 1, "sum_to_size: size ", shape_str(size),
                " is not expandable to size ", shape_str(sizes()));
    if (want == 1 && sizes()[d] != 1) dims.push_back(d);
  }
  Tensor r = dims.empty() ? *this : sum(dims, true);
  return r.view(size);
}

Tensor sum(const Tensor& x) { return x.sum(); }
Tensor sum(const Tensor& x, IntArrayRef dims, bool keepdim) { return x.sum(dims, keepdim); }
Tensor mean(const Tensor& x) { return x.mean(); }
Tensor mean(const Tensor& x, IntArrayRef dims, bool keepdim) { return x.mean(dims, keepdim); }
Tensor prod(const Tensor& x) { return x.prod(); }
Tensor max(const Tensor& x) { return x.max(); }
Tensor min(const Tensor& x) { return x.min(); }
Tensor amax(const Tensor& x, IntArrayRef dims, bool keepdim) { return x.amax(dims, keepdim); }
Tensor amin(const Tensor& x, IntArrayRef dims, bool keepdim) { return x.amin(dims, keepdim); }
Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  return x.argmax(dim, keepdim);
}
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  return x.argmin(dim, keepdim);
}

// Subtracting the (gradient-free) max keeps exp() in range.
Tensor logsumexp(const Tensor& x, IntArrayRef dims, bool keepdim) {
  Tensor m = x.detach().amax(dims, true);
  Tensor r = (x - m).exp().sum(dims, true).log() + m;
  if (keepdim) return r;
  IntList wrapped;
  for (auto d : dims) wrapped.push_back(wrap_dim(d, x.dim(), "logsumexp"));
  std::sort(wrapped.begin(), wrapped.end());
  for (auto it = wrapped.rbegin(); it != wrapped.rend(); ++it) r = r.squeeze(*it);
  return r;
}

Tensor log_softmax(const Tensor& x, int64_t dim) {
  return autograd::name_grad_fn(x - logsumexp(x, {dim}, true), "LogSoftmaxBackward0");
}

Tensor softmax(const Tensor& x, int64_t dim) {
  Tensor e = (x - x.detach().amax({dim}, true)).exp();
  return autograd::name_grad_fn(e / e.sum({dim}, true), "SoftmaxBackward0");
}

}  // namespace ember
