// sort: values and int64 indices along one dim. The backends sort rows of a contiguous
// tensor, so the op moves the dim last (a copy unless it already is, contiguous) and
// writes the rows back through the same permutation.
#include "kernels/backend.h"
#include "kernels/op_registry.h"
#include "kernels/ops/ops_util.h"
#include "kernels/tensor_alloc.h"

namespace ember {

namespace {

std::vector<OutSpec> sort_meta(const std::vector<Tensor>& in, const Attrs& a) {
  const Tensor& self = in[0];
  wrap_dim(a.i("dim"), self.dim(), "sort");
  return {{self.sizes(), self.dtype(), self.device()}, {self.sizes(), kInt64, self.device()}};
}

// `t` seen with dim `d` moved last.
Tensor dim_last(const Tensor& t, int64_t d) {
  Shape sizes = t.sizes(), strides = t.strides();
  sizes.erase(sizes.begin() + d);
  strides.erase(strides.begin() + d);
  sizes.push_back(t.sizes()[d]);
  strides.push_back(t.strides()[d]);
  return make_view(t, sizes, strides, t.storage_offset());
}

void sort_run(const std::vector<Tensor>& in, const Attrs& a, std::vector<Tensor>& out) {
  const Tensor& self = in[0];
  if (self.numel() == 0) return;
  bool descending = a.b("descending");
  if (self.dim() == 0) {
    copy_into(out[0], self);
    copy_into(out[1], wrapped_scalar(Scalar(int64_t{0})));
    return;
  }
  int64_t d = wrap_dim(a.i("dim"), self.dim(), "sort");
  Tensor src = contiguous_copy(dim_last(self, d));
  Tensor vals = dim_last(out[0], d), idx = dim_last(out[1], d);
  bool direct = vals.is_contiguous() && idx.is_contiguous();
  Tensor v = direct ? vals : empty_tensor(src.sizes(), self.dtype(), self.device());
  Tensor i = direct ? idx : empty_tensor(src.sizes(), kInt64, self.device());
  backend_for(self.device()).sort(v, i, src, descending);
  if (!direct) {
    copy_into(vals, v);
    copy_into(idx, i);
  }
}

}  // namespace

void register_sort_ops() { register_op(OpId::Sort, sort_meta, sort_run); }

}  // namespace ember
