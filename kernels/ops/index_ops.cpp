// cat and the gather/scatter family: validation, output allocation, kernel launch.
#include "kernels/backend.h"
#include "kernels/op_registry.h"
#include "kernels/ops/ops_util.h"
#include "kernels/ops/type_promotion.h"
#include "kernels/tensor_alloc.h"

namespace ember {

namespace {

// ----- cat

std::vector<OutSpec> cat_meta(const std::vector<Tensor>& in, const Attrs& a) {
  EMBER_CHECK(!in.empty(), "cat: expected a non-empty list of tensors");
  const Tensor& ref = in[0];
  EMBER_CHECK(ref.dim() > 0, "cat: zero-dimensional tensor (at position 0) cannot be concatenated");
  int64_t d = wrap_dim(a.i("dim"), ref.dim(), "cat");
  Shape shape = ref.sizes();
  shape[d] = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const Tensor& t = in[i];
    EMBER_CHECK(t.dim() == ref.dim(), "cat: tensors must have the same number of dimensions: got ",
                ref.dim(), " and ", t.dim(), " (at position ", i, ")");
    check_device("cat", t, ref.device());
    for (int64_t k = 0; k < t.dim(); ++k)
      EMBER_CHECK(k == d || t.sizes()[k] == ref.sizes()[k], "cat: sizes of tensors must match "
                  "except in dimension ", d, ". Expected size ", ref.sizes()[k], " but got size ",
                  t.sizes()[k], " for tensor number ", i, " in the list");
    shape[d] += t.sizes()[d];
  }
  return {{shape, result_type(in), ref.device()}};
}

void cat_run(const std::vector<Tensor>& in, const Attrs& a, std::vector<Tensor>& out) {
  int64_t d = wrap_dim(a.i("dim"), out[0].dim(), "cat");
  int64_t offset = 0;
  for (const auto& t : in) {
    Shape strides = out[0].strides();
    Tensor dst = make_view(out[0], t.sizes(), strides,
                           out[0].storage_offset() + offset * out[0].strides()[d]);
    copy_into(dst, t);
    offset += t.sizes()[d];
  }
}

// ----- index_select / gather / scatter / index_add

// The scatter-style kernels write `out` while they read their other operands, so an
// operand that shares memory with `out` (x.scatter_(0, i, x)) is read from a copy.
Tensor unaliased(const Tensor& t, const Tensor& out) {
  if (!t.impl().storage || t.impl().storage != out.impl().storage) return t;
  Tensor c = empty_tensor(t.sizes(), t.dtype(), t.device());
  copy_into(c, t);
  return c;
}

Tensor as_int64(const Tensor& index) {
  if (index.dtype() == kInt64) return index;
  Tensor out = empty_tensor(index.sizes(), kInt64, index.device());
  copy_into(out, index);
  return out;
}

std::vector<OutSpec> index_select_meta(const std::vector<Tensor>& in, const Attrs& a) {
  const Tensor &self = in[0], &index = in[1];
  int64_t d = wrap_dim(a.i("dim"), self.dim(), "index_select");
  EMBER_CHECK(index.dim() <= 1, "index_select: index must be a vector (got shape ",
              shape_str(index.sizes()), ")");
  EMBER_CHECK(index.dtype() == kInt64 || index.dtype() == kInt32,
              "index_select: expected an int64 or int32 index but got ", dtype_name(index.dtype()));
  check_device("index_select", index, self.device());
  Shape shape = self.sizes();
  if (self.dim() > 0) shape[d] = index.numel();
  return {{shape, self.dtype(), self.device()}};
}

void index_select_run(const std::vector<Tensor>& in, const Attrs& a, std::vector<Tensor>& out) {
  const Tensor& self = in[0];
  int64_t d = wrap_dim(a.i("dim"), self.dim(), "index_select");
  int64_t size = self.dim() > 0 ? self.sizes()[d] : 1;
  check_index_range("index_select", in[1], size);
  Tensor index = contiguous_copy(as_int64(in[1]));
  if (self.dim() == 0) return copy_into(out[0], self);
  backend_for(self.device()).index_select(out[0], self, d, make_view(index, {index.numel()}, {1}, index.storage_offset()));
}

void check_gather_shapes(const char* op, const Tensor& self, const Tensor& index, int64_t d,
                         const Tensor* src) {
  EMBER_CHECK(index.dtype() == kInt64, op, "(): expected dtype int64 for index but got ",
              dtype_name(index.dtype()));
  EMBER_CHECK(index.dim() == self.dim() || (index.dim() <= 1 && self.dim() <= 1), op,
              "(): index tensor must have the same number of dimensions as the input tensor (",
              index.dim(), " vs ", self.dim(), ")");
  check_device(op, index, self.device());
  for (int64_t k = 0; k < index.dim(); ++k) {
    if (k != d)
      EMBER_CHECK(index.sizes()[k] <= self.sizes()[k], op, "(): size of index ",
                  shape_str(index.sizes()), " does not fit the input ", shape_str(self.sizes()),
                  " at dimension ", k);
    if (src)
      EMBER_CHECK(index.sizes()[k] <= src->sizes()[k], op, "(): size of index ",
                  shape_str(index.sizes()), " does not fit src ", shape_str(src->sizes()),
                  " at dimension ", k);
  }
}

std::vector<OutSpec> gather_meta(const std::vector<Tensor>& in, const Attrs& a) {
  int64_t d = wrap_dim(a.i("dim"), in[0].dim(), "gather");
  check_gather_shapes("gather", in[0], in[1], d, nullptr);
  return {{in[1].sizes(), in[0].dtype(), in[0].device()}};
}

void gather_run(const std::vector<Tensor>& in, const Attrs& a, std::vector<Tensor>& out) {
  int64_t d = wrap_dim(a.i("dim"), in[0].dim(), "gather");
  check_index_range("gather", in[1], in[0].dim() ? in[0].sizes()[d] : 1);
  if (out[0].numel() == 0) return;
  backend_for(in[0].device()).gather(out[0], in[0], d, in[1]);
}

// scatter / scatter_add (self, index, src): src may be 0-dim (the value form).
template <bool Add>
std::vector<OutSpec> scatter_meta(const std::vector<Tensor>& in, const Attrs& a) {
  const char* op = Add ? "scatter_add" : "scatter";
  int64_t d = wrap_dim(a.i("dim"), in[0].dim(), op);
  const Tensor* src = in[2].dim() == 0 ? nullptr : &in[2];
  check_gather_shapes(op, in[0], in[1], d, src);
  if (src) {
    EMBER_CHECK(in[2].dtype() == in[0].dtype(), op, "(): expected self.dtype to be equal to "
                "src.dtype (", dtype_name(in[0].dtype()), " vs ", dtype_name(in[2].dtype()), ")");
    check_device(op, in[2], in[0].device());
  }
  return {{in[0].sizes(), in[0].dtype(), in[0].device()}};
}

template <bool Add>
void scatter_run(const std::vector<Tensor>& in, const Attrs& a, std::vector<Tensor>& out) {
  const char* op = Add ? "scatter_add" : "scatter";
  int64_t d = wrap_dim(a.i("dim"), in[0].dim(), op);
  check_index_range(op, in[1], in[0].dim() ? in[0].sizes()[d] : 1);
  Tensor src = unaliased(in[2], out[0]), index = unaliased(in[1], out[0]);
  if (!out[0].is_same(in[0])) copy_into(out[0], in[0]);
  if (src.dim() == 0) {
    Tensor full = empty_tensor(in[1].sizes(), out[0].dtype(), out[0].device());
    copy_into(full, src);
    src = full;
  } else if (src.device() != out[0].device()) {
    src = contiguous_copy(src);
  }
  if (index.numel() == 0) return;
  backend_for(out[0].device()).scatter(out[0], d, index, src, Add);
}

std::vector<OutSpec> index_add_meta(const std::vector<Tensor>& in, const Attrs& a) {
  const Tensor &self = in[0], &index = in[1], &source = in[2];
  int64_t d = wrap_dim(a.i("dim"), self.dim(), "index_add");
  EMBER_CHECK(index.dim() <= 1, "index_add: index must be a vector");
  EMBER_CHECK(source.dim() == self.dim(), "index_add: source and self must have the same number "
              "of dimensions (", source.dim(), " vs ", self.dim(), ")");
  EMBER_CHECK(source.dtype() == self.dtype(), "index_add: self (", dtype_name(self.dtype()),
              ") and source (", dtype_name(source.dtype()), ") must have the same dtype");
  check_device("index_add", source, self.device());
  check_device("index_add", index, self.device());
  for (int64_t k = 0; k < self.dim(); ++k)
    EMBER_CHECK(k == d ? source.sizes()[k] == index.numel() : source.sizes()[k] == self.sizes()[k],
                "index_add: source of shape ", shape_str(source.sizes()),
                " does not match self ", shape_str(self.sizes()), " and index of length ",
                index.numel(), " at dimension ", k);
  return {{self.sizes(), self.dtype(), self.device()}};
}

void index_add_run(const std::vector<Tensor>& in, const Attrs& a, std::vector<Tensor>& out) {
  int64_t d = wrap_dim(a.i("dim"), in[0].dim(), "index_add");
  check_index_range("index_add", in[1], in[0].dim() ? in[0].sizes()[d] : 1);
  Tensor index = unaliased(contiguous_copy(as_int64(in[1])), out[0]);
  Tensor source = unaliased(in[2], out[0]);
  if (!out[0].is_same(in[0])) copy_into(out[0], in[0]);
  if (index.numel() == 0) return;
  backend_for(out[0].device())
      .index_add(out[0], d, make_view(index, {index.numel()}, {1}, index.storage_offset()), source);
}

// ----- mask ops

Tensor expand_to(const Tensor& t, const Shape& shape) {
  int64_t nd = static_cast<int64_t>(shape.size());
  Shape strides(nd, 0);
  for (int64_t i = 0; i < t.dim(); ++i) {
    int64_t j = i + nd - t.dim();
    strides[j] = t.sizes()[i] == shape[j] ? t.strides()[i] : 0;
  }
  return make_view(t, shape, strides, t.storage_offset());
}

void check_mask(const char* op, const Tensor& mask, const Tensor& self) {
  EMBER_CHECK(mask.dtype() == kBool, op, ": expected a bool mask but got ", dtype_name(mask.dtype()));
  check_device(op, mask, self.device());
}

void masked_select_run(const std::vector<Tensor>& in, const Attrs&, std::vector<Tensor>& out) {
  check_mask("masked_select", in[1], in[0]);
  Shape shape = broadcast_shapes(in[0].sizes(), in[1].sizes(), "masked_select");
  Tensor self = contiguous_copy(expand_to(in[0], shape));
  Tensor mask = contiguous_copy(expand_to(in[1], shape));
  out = {backend_for(self.device()).masked_select(self, mask)};
}

std::vector<OutSpec> masked_scatter_meta(const std::vector<Tensor>& in, const Attrs&) {
  check_mask("masked_scatter", in[1], in[0]);
  EMBER_CHECK(in[2].dtype() == in[0].dtype(), "masked_scatter: expected source (",
              dtype_name(in[2].dtype()), ") and self (", dtype_name(in[0].dtype()),
              ") to have the same dtype");
  check_device("masked_scatter", in[2], in[0].device());
  Shape shape = broadcast_shapes(in[0].sizes(), in[1].sizes(), "masked_scatter");
  EMBER_CHECK(shape == in[0].sizes(), "masked_scatter: mask of shape ", shape_str(in[1].sizes()),
              " does not broadcast to self's shape ", shape_str(in[0].sizes()));
  return {{in[0].sizes(), in[0].dtype(), in[0].device()}};
}

void masked_scatter_run(const std::vector<Tensor>& in, const Attrs&, std::vector<Tensor>& out) {
  Tensor mask = unaliased(contiguous_copy(expand_to(in[1], in[0].sizes())), out[0]);
  Tensor source = unaliased(contiguous_copy(in[2]), out[0]);
  Tensor count = empty_tensor({}, kInt64, mask.device());
  ReduceArgs r;
  r.op = OpId::Sum;
  r.in = static_cast<const char*>(mask.data_ptr());
  r.in_dtype = kBool;
  r.out = static_cast<char*>(count.data_ptr());
  r.out_dtype = kInt64;
  r.red_sizes = {mask.numel()};
  r.red_in_strides = {1};
  r.out_numel = 1;
  r.red_numel = mask.numel();
  if (mask.numel() > 0) backend_for(mask.device()).reduce(r);
  int64_t n = mask.numel() > 0 ? count.item().to_int() : 0;
  EMBER_CHECK(in[2].numel() >= n, "masked_scatter: expected source to have at least ", n,
              " elements (the number of true mask entries) but it has ", in[2].numel());
  Tensor dst = out[0].is_contiguous() ? out[0] : empty_tensor(in[0].sizes(), in[0].dtype(), in[0].device());
  if (!dst.is_same(in[0])) copy_into(dst, in[0]);
  if (n > 0) backend_for(dst.device()).masked_scatter(dst, mask, source);
  if (!dst.is_same(out[0])) copy_into(out[0], dst);
}

void nonzero_run(const std::vector<Tensor>& in, const Attrs&, std::vector<Tensor>& out) {
  out = {backend_for(in[0].device()).nonzero(contiguous_copy(in[0]))};
}

// ----- slice_scatter / select_scatter: self with one slice replaced by src

Tensor slice_view(const Tensor& t, const Attrs& a) {
  return run_op(a.has("index") ? OpId::Select : OpId::Slice, {t}, a)[0];
}

std::vector<OutSpec> slice_scatter_meta(const std::vector<Tensor>& in, const Attrs& a) {
  Tensor region = slice_view(in[0], a);
  EMBER_CHECK(region.sizes() == in[1].sizes(), "slice_scatter: expected src of shape ",
              shape_str(region.sizes()), " but got ", shape_str(in[1].sizes()));
  check_device("slice_scatter", in[1], in[0].device());
  return {{in[0].sizes(), in[0].dtype(), in[0].device()}};
}

void slice_scatter_run(const std::vector<Tensor>& in, const Attrs& a, std::vector<Tensor>& out) {
  if (!out[0].is_same(in[0])) copy_into(out[0], in[0]);
  copy_into(slice_view(out[0], a), in[1]);
}

}  // namespace

void register_index_ops() {
  register_op(OpId::Cat, &cat_meta, &cat_run);
  register_op(OpId::IndexSelect, &index_select_meta, &index_select_run);
  register_op(OpId::Gather, &gather_meta, &gather_run);
  register_op(OpId::Scatter, &scatter_meta<false>, &scatter_run<false>);
  register_op(OpId::ScatterAdd, &scatter_meta<true>, &scatter_run<true>);
  register_op(OpId::IndexAdd, &index_add_meta, &index_add_run);
  register_op(OpId::MaskedSelect, nullptr, &masked_select_run, nullptr, true);
  register_op(OpId::MaskedScatter, &masked_scatter_meta, &masked_scatter_run);
  register_op(OpId::Nonzero, nullptr, &nonzero_run, nullptr, true);
  register_op(OpId::SliceScatter, &slice_scatter_meta, &slice_scatter_run);
  register_op(OpId::SelectScatter, &slice_scatter_meta, &slice_scatter_run);
}

}  // namespace ember
