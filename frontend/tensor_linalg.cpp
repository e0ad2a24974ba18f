// mm/bmm/addmm and the composites: mv, dot, matmul (batched, broadcast), t, transpose.
#include "frontend/autograd/backward_names.h"
#include "frontend/dispatch.h"
#include "ember/functional.h"

namespace ember {

Tensor Tensor::mm(const Tensor& o) const { return call1(OpId::Mm, {*this, o}); }
Tensor Tensor::bmm(const Tensor& o) const { return call1(OpId::Bmm, {*this, o}); }
Tensor Tensor::addmm(const Tensor& m1, const Tensor& m2, const Scalar& beta,
                     const Scalar& alpha) const {
  return call1(OpId::Addmm, {*this, m1, m2}, Attrs().set("beta", beta).set("alpha", alpha));
}

Tensor Tensor::mv(const Tensor& v) const {
  EMBER_CHECK(dim() == 2 && v.dim() == 1, "mv: expected a matrix and a vector, but got shapes ",
              shape_str(sizes()), " and ", shape_str(v.sizes()));
  return mm(v.unsqueeze(1)).squeeze(1);
}

Tensor Tensor::dot(const Tensor& o) const {
  EMBER_CHECK(dim() == 1 && o.dim() == 1, "dot: 1D tensors expected, but got ", dim(), "D and ",
              o.dim(), "D tensors");
  EMBER_CHECK(numel() == o.numel(), "dot: inconsistent tensor size, expected tensor [", numel(),
              "] and src [", o.numel(), "] to have the same number of elements, but got ",
              numel(), " and ", o.numel(), " elements respectively");
  return unsqueeze(0).mm(o.unsqueeze(1)).view({});
}

Tensor Tensor::matmul(const Tensor& o) const {
  int64_t da = dim(), db = o.dim();
  EMBER_CHECK(da > 0 && db > 0, "matmul: both arguments need to be at least 1D, but they are ",
              da, "D and ", db, "D");
  if (da == 1 && db == 1) return dot(o);
  if (da == 2 && db == 1) return mv(o);
  if (da == 1 && db == 2) return unsqueeze(0).mm(o).squeeze(0);
  if (da == 2 && db == 2) return mm(o);
  if (da >= 3 && db <= 2) {
    // Fold the batch into the rows of one big mm.
    Tensor b = db == 1 ? o.unsqueeze(1) : o;
    Shape out = sizes();
    out.back() = b.sizes()[1];
    Tensor r = reshape({-1, sizes().back()}).mm(b).view(out);
    return db == 1 ? r.squeeze(-1) : r;
  }
  // Broadcast batch dims, then one bmm.
  Tensor a = da == 1 ? unsqueeze(0) : *this;
  Tensor b = db == 1 ? o.unsqueeze(1) : o;
  Shape ba(a.sizes().begin(), a.sizes().end() - 2), bb(b.sizes().begin(), b.sizes().end() - 2);
  Shape batch = broadcast_shapes(ba, bb, "matmul");
  int64_t n = numel_of(batch);
  int64_t m = a.sizes()[a.dim() - 2], k = a.sizes().back(), p = b.sizes().back();
  Shape ea = batch, eb = batch;
  ea.insert(ea.end(), {m, k});
  eb.insert(eb.end(), {b.sizes()[b.dim() - 2], p});
  Tensor r = a.expand(ea).reshape({n, m, k}).bmm(b.expand(eb).reshape({n, b.sizes()[b.dim() - 2], p}));
  Shape out = batch;
  out.insert(out.end(), {m, p});
  r = r.view(out);
  if (da == 1) r = r.squeeze(-2);
  if (db == 1) r = r.squeeze(-1);
  return r;
}

Tensor Tensor::t() const {
  EMBER_CHECK(dim() <= 2, "t() expects a tensor with <= 2 dimensions, but self is ", dim(), "D");
  return autograd::name_grad_fn(dim() < 2 ? transpose(0, 0) : transpose(0, 1), "TBackward0");
}

Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  int64_t n = dim();
  if (n == 0) return view({});
  d0 = wrap_dim(d0, n, "transpose");
  d1 = wrap_dim(d1, n, "transpose");
  IntList perm(n);
  for (int64_t i = 0; i < n; ++i) perm[i] = i;
  std::swap(perm[d0], perm[d1]);
  return autograd::name_grad_fn(permute(perm), "TransposeBackward0");
}

Tensor mm(const Tensor& a, const Tensor& b) { return a.mm(b); }
Tensor mv(const Tensor& a, const Tensor& v) { return a.mv(v); }
Tensor bmm(const Tensor& a, const Tensor& b) { return a.bmm(b); }
Tensor matmul(const Tensor& a, const Tensor& b) { return a.matmul(b); }
Tensor dot(const Tensor& a, const Tensor& b) { return a.dot(b); }
Tensor addmm(const Tensor& input, const Tensor& a, const Tensor& b, const Scalar& beta,
             const Scalar& alpha) {
  return input.addmm(a, b, beta, alpha);
}
Tensor t(const Tensor& x) { return x.t(); }
Tensor transpose(const Tensor& x, int64_t d0, int64_t d1) { return x.transpose(d0, d1); }

}  // namespace ember
