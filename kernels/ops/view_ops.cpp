// Views: new sizes/strides/offset over the same storage. They only read metadata, so they
// work unchanged on traced tensors.
#include <algorithm>

#include "kernels/op_registry.h"
#include "kernels/tensor_alloc.h"

namespace ember {

namespace {

std::vector<Tensor> view_alias(const std::vector<Tensor>& in, const Attrs& a) {
  const Tensor& x = in[0];
  Shape shape = infer_view_shape(a.ints("shape"), x.numel(), "view");
  Shape strides;
  EMBER_CHECK(view_strides(x.sizes(), x.strides(), shape, &strides),
              "view size is not compatible with input tensor's size and stride (at least one "
              "dimension spans across two contiguous subspaces): cannot view ",
              shape_str(x.sizes()), " with strides ", shape_str(x.strides()), " as ",
              shape_str(shape), ". Use .reshape(...) instead.");
  return {make_view(x, shape, strides, x.storage_offset())};
}

std::vector<Tensor> expand_alias(const std::vector<Tensor>& in, const Attrs& a) {
  const Tensor& x = in[0];
  const Shape& target = a.ints("shape");
  int64_t nd = static_cast<int64_t>(target.size()), xd = x.dim();
  EMBER_CHECK(nd >= xd, "expand: the number of sizes provided (", nd,
              ") must be greater or equal to the number of dimensions in the tensor (", xd, ")");
  Shape sizes(nd), strides(nd);
  for (int64_t i = nd - 1; i >= 0; --i) {
    int64_t j = i - (nd - xd);
    int64_t want = target[i];
    if (j >= 0) {
      int64_t have = x.sizes()[j];
      if (want == -1) want = have;
      EMBER_CHECK(have == want || have == 1, "expand: the expanded size of the tensor (", want,
                  ") must match the existing size (", have, ") at non-singleton dimension ", i,
                  ". Target sizes: ", shape_str(target), ". Tensor sizes: ", shape_str(x.sizes()));
      sizes[i] = want;
      strides[i] = have == want ? x.strides()[j] : 0;
    } else {
      EMBER_CHECK(want >= 0, "expand: the expanded size ", want,
                  " is not allowed in a leading, non-existing dimension ", i);
      sizes[i] = want;
      strides[i] = 0;
    }
  }
  return {make_view(x, sizes, strides, x.storage_offset())};
}

std::vector<Tensor> permute_alias(const std::vector<Tensor>& in, const Attrs& a) {
  const Tensor& x = in[0];
  const IntList& dims = a.ints("dims");
  EMBER_CHECK(static_cast<int64_t>(dims.size()) == x.dim(), "permute: number of dims don't match "
              "(the tensor has ", x.dim(), " dims but ", dims.size(), " were given)");
  Shape sizes(dims.size()), strides(dims.size());
  std::vector<bool> seen(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = wrap_dim(dims[i], x.dim(), "permute");
    EMBER_CHECK(!seen[d], "permute: repeated dim ", dims[i], " in ", shape_str(dims));
    seen[d] = true;
    sizes[i] = x.sizes()[d];
    strides[i] = x.strides()[d];
  }
  return {make_view(x, sizes, strides, x.storage_offset())};
}

std::vector<Tensor> slice_alias(const std::vector<Tensor>& in, const Attrs& a) {
  const Tensor& x = in[0];
  EMBER_CHECK(x.dim() > 0, "slice: cannot be applied to a 0-dim tensor");
  int64_t d = wrap_dim(a.i("dim"), x.dim(), "slice");
  int64_t size = x.sizes()[d], step = a.i("step");
  EMBER_CHECK(step > 0, "slice: step must be positive (got ", step, ")");
  int64_t start = a.i("start"), end = a.i("end");
  if (start < 0) start += size;
  if (end < 0) end += size;
  start = std::clamp<int64_t>(start, 0, size);
  end = std::clamp<int64_t>(end, start, size);
  Shape sizes = x.sizes(), strides = x.strides();
  sizes[d] = (end - start + step - 1) / step;
  strides[d] *= step;
  return {make_view(x, sizes, strides, x.storage_offset() + start * x.strides()[d])};
}

std::vector<Tensor> select_alias(const std::vector<Tensor>& in, const Attrs& a) {
  const Tensor& x = in[0];
  EMBER_CHECK(x.dim() > 0, "select: cannot be applied to a 0-dim tensor");
  int64_t d = wrap_dim(a.i("dim"), x.dim(), "select");
  int64_t size = x.sizes()[d], index = a.i("index");
  EMBER_CHECK(index >= -size && index < size, "select: index ", index,
              " out of range for tensor of size ", shape_str(x.sizes()), " at dimension ", d);
  if (index < 0) index += size;
  Shape sizes = x.sizes(), strides = x.strides();
  int64_t offset = x.storage_offset() + index * strides[d];
  sizes.erase(sizes.begin() + d);
  strides.erase(strides.begin() + d);
  return {make_view(x, sizes, strides, offset)};
}

}  // namespace

void register_view_ops() {
  register_op(OpId::View, nullptr, nullptr, &view_alias);
  register_op(OpId::Expand, nullptr, nullptr, &expand_alias);
  register_op(OpId::Permute, nullptr, nullptr, &permute_alias);
  register_op(OpId::Slice, nullptr, nullptr, &slice_alias);
  register_op(OpId::Select, nullptr, nullptr, &select_alias);
}

}  // namespace ember
