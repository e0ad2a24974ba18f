// Views, reshapes, cat/stack/split and the gather/scatter family.
#include <limits>

#include "frontend/autograd/backward_names.h"
#include "frontend/dispatch.h"
#include "ember/functional.h"

namespace ember {

Tensor Tensor::view(IntArrayRef shape) const {
  return call1(OpId::View, {*this}, Attrs().set("shape", shape));
}

Tensor Tensor::reshape(IntArrayRef shape) const {
  Shape target = infer_view_shape(shape, numel(), "reshape");
  Shape strides;
  if (view_strides(sizes(), this->strides(), target, &strides)) return view(target);
  return clone().view(target);
}

Tensor Tensor::flatten(int64_t start, int64_t end) const {
  if (dim() == 0) return reshape({1});
  start = wrap_dim(start, dim(), "flatten");
  end = wrap_dim(end, dim(), "flatten");
  EMBER_CHECK(start <= end, "flatten() has invalid args: start_dim cannot come after end_dim");
  Shape shape(sizes().begin(), sizes().begin() + start);
  int64_t n = 1;
  for (int64_t d = start; d <= end; ++d) n *= sizes()[d];
  shape.push_back(n);
  shape.insert(shape.end(), sizes().begin() + end + 1, sizes().end());
  return reshape(shape);
}

Tensor Tensor::permute(IntArrayRef dims) const {
  return call1(OpId::Permute, {*this}, Attrs().set("dims", dims));
}

Tensor Tensor::expand(IntArrayRef size) const {
  return call1(OpId::Expand, {*this}, Attrs().set("shape", size));
}

Tensor Tensor::squeeze() const {
  Shape s;
  for (auto d : sizes())
    if (d != 1) s.push_back(d);
  return autograd::name_grad_fn(view(s), "SqueezeBackward0");
}

Tensor Tensor::squeeze(int64_t d) const {
  if (dim() == 0) return autograd::name_grad_fn(view({}), "SqueezeBackward1");
  d = wrap_dim(d, dim(), "squeeze");
  if (sizes()[d] != 1) return autograd::name_grad_fn(view(sizes()), "SqueezeBackward1");
  Shape s = sizes();
  s.erase(s.begin() + d);
  return autograd::name_grad_fn(view(s), "SqueezeBackward1");
}

Tensor Tensor::unsqueeze(int64_t d) const {
  d = wrap_dim(d, dim() + 1, "unsqueeze");
  Shape s = sizes();
  s.insert(s.begin() + d, 1);
  return autograd::name_grad_fn(view(s), "UnsqueezeBackward0");
}

Tensor Tensor::slice(int64_t d, std::optional<int64_t> start, std::optional<int64_t> end,
                     int64_t step) const {
  return call1(OpId::Slice, {*this},
               Attrs()
                   .set("dim", d)
                   .set("start", start.value_or(0))
                   .set("end", end.value_or(std::numeric_limits<int64_t>::max()))
                   .set("step", step));
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  return call1(OpId::Select, {*this}, Attrs().set("dim", d).set("index", index));
}

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  EMBER_CHECK(dim() > 0, "narrow() cannot be applied to a 0-dim tensor.");
  d = wrap_dim(d, dim(), "narrow");
  int64_t size = sizes()[d];
  if (start < 0) start += size;
  EMBER_CHECK(start >= 0 && start <= size, "narrow: start (", start,
              ") is out of range for dimension ", d, " of size ", size);
  EMBER_CHECK(length >= 0 && start + length <= size, "narrow: start (", start, ") + length (",
              length, ") exceeds dimension size (", size, ").");
  return slice(d, start, start + length);
}

Tensor Tensor::index_select(int64_t d, const Tensor& index) const {
  return call1(OpId::IndexSelect, {*this, index}, Attrs().set("dim", d));
}
Tensor Tensor::gather(int64_t d, const Tensor& index) const {
  return call1(OpId::Gather, {*this, index}, Attrs().set("dim", d));
}
Tensor Tensor::scatter(int64_t d, const Tensor& index, const Tensor& src) const {
  return call1(OpId::Scatter, {*this, index, src}, Attrs().set("dim", d));
}
Tensor Tensor::scatter(int64_t d, const Tensor& index, const Scalar& value) const {
  return call1(OpId::Scatter, {*this, index, scalar_operand(value).to(dtype())}, Attrs().set("dim", d));
}
Tensor Tensor::scatter_add(int64_t d, const Tensor& index, const Tensor& src) const {
  return call1(OpId::ScatterAdd, {*this, index, src}, Attrs().set("dim", d));
}
Tensor Tensor::index_add(int64_t d, const Tensor& index, const Tensor& source) const {
  return call1(OpId::IndexAdd, {*this, index, source}, Attrs().set("dim", d));
}
const Tensor& Tensor::scatter_(int64_t d, const Tensor& index, const Tensor& src) const {
  return call_into(OpId::Scatter, *this, {*this, index, src}, Attrs().set("dim", d));
}
const Tensor& Tensor::scatter_(int64_t d, const Tensor& index, const Scalar& value) const {
  return scatter_(d, index, scalar_operand(value).to(dtype()));
}
const Tensor& Tensor::scatter_add_(int64_t d, const Tensor& index, const Tensor& src) const {
  return call_into(OpId::ScatterAdd, *this, {*this, index, src}, Attrs().set("dim", d));
}
const Tensor& Tensor::index_add_(int64_t d, const Tensor& index, const Tensor& source) const {
  return call_into(OpId::IndexAdd, *this, {*this, index, source}, Attrs().set("dim", d));
}
Tensor Tensor::masked_select(const Tensor& mask) const {
  return call1(OpId::MaskedSelect, {*this, mask});
}
Tensor Tensor::masked_scatter(const Tensor& mask, const Tensor& source) const {
  return call1(OpId::MaskedScatter, {*this, mask, source});
}
Tensor Tensor::nonzero() const { return call1(OpId::Nonzero, {*this}); }

std::vector<Tensor> Tensor::split(int64_t split_size, int64_t d) const {
  EMBER_CHECK(dim() > 0, "split expects at least a 1-dimensional tensor");
  EMBER_CHECK(split_size >= 0, "split expects split_size be non-negative, but got split_size=",
              split_size);
  d = wrap_dim(d, dim(), "split");
  int64_t size = sizes()[d];
  EMBER_CHECK(split_size > 0 || size == 0, "split_size can only be 0 if dimension size is 0, but "
              "got dimension size of ", size);
  IntList sizes_list;
  for (int64_t s = 0; s < size; s += split_size) sizes_list.push_back(std::min(split_size, size - s));
  if (sizes_list.empty()) sizes_list.push_back(0);
  return split(sizes_list, d);
}

std::vector<Tensor> Tensor::split(IntArrayRef split_sizes, int64_t d) const {
  d = wrap_dim(d, dim(), "split_with_sizes");
  int64_t total = 0;
  for (auto s : split_sizes) {
    EMBER_CHECK(s >= 0, "split_with_sizes expects split_sizes have only non-negative entries, but "
                "got split_sizes=", shape_str(split_sizes));
    total += s;
  }
  EMBER_CHECK(total == sizes()[d], "split_with_sizes expects split_sizes to sum exactly to ",
              sizes()[d], " (input tensor's size at dimension ", d, "), but got split_sizes=",
              shape_str(split_sizes));
  std::vector<Tensor> out;
  int64_t start = 0;
  for (auto s : split_sizes) {
    out.push_back(narrow(d, start, s));
    start += s;
  }
  return out;
}

std::vector<Tensor> Tensor::chunk(int64_t chunks, int64_t d) const {
  EMBER_CHECK(chunks > 0, "chunk expects `chunks` to be greater than 0, got: ", chunks);
  d = wrap_dim(d, dim(), "chunk");
  int64_t size = sizes()[d];
  return split((size + chunks - 1) / chunks, d);
}

std::vector<Tensor> Tensor::unbind(int64_t d) const {
  d = wrap_dim(d, dim(), "unbind");
  std::vector<Tensor> out;
  for (int64_t i = 0; i < sizes()[d]; ++i) out.push_back(select(d, i));
  return out;
}

Tensor Tensor::repeat(IntArrayRef repeats) const {
  int64_t n = static_cast<int64_t>(repeats.size());
  EMBER_CHECK(n >= dim(), "repeat: number of repeat dims (", n,
              ") can not be smaller than number of dimensions of tensor (", dim(), ")");
  Shape padded(n - dim(), 1);
  padded.insert(padded.end(), sizes().begin(), sizes().end());
  Shape viewed, expanded, out;
  for (int64_t i = 0; i < n; ++i) {
    viewed.insert(viewed.end(), {1, padded[i]});
    expanded.insert(expanded.end(), {repeats[i], padded[i]});
    out.push_back(repeats[i] * padded[i]);
  }
  return reshape(viewed).expand(expanded).reshape(out);
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

Tensor Tensor::clone() const {
  return call1(OpId::Cast, {*this}, Attrs().set("dtype", dtype()).set("clone", true));
}

// ----- free functions

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  return call1(OpId::Cat, tensors, Attrs().set("dim", dim));
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  EMBER_CHECK(!tensors.empty(), "stack expects a non-empty TensorList");
  for (size_t i = 1; i < tensors.size(); ++i)
    EMBER_CHECK(tensors[i].sizes() == tensors[0].sizes(), "stack expects each tensor to be equal "
                "size, but got ", shape_str(tensors[0].sizes()), " at entry 0 and ",
                shape_str(tensors[i].sizes()), " at entry ", i);
  int64_t d = wrap_dim(dim, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> parts;
  for (const auto& t : tensors) parts.push_back(t.unsqueeze(d));
  return cat(parts, d);
}

Tensor flatten(const Tensor& x, int64_t s, int64_t e) { return x.flatten(s, e); }
Tensor reshape(const Tensor& x, IntArrayRef shape) { return x.reshape(shape); }
Tensor squeeze(const Tensor& x) { return x.squeeze(); }
Tensor unsqueeze(const Tensor& x, int64_t d) { return x.unsqueeze(d); }
Tensor permute(const Tensor& x, IntArrayRef dims) { return x.permute(dims); }
Tensor narrow(const Tensor& x, int64_t d, int64_t s, int64_t l) { return x.narrow(d, s, l); }
Tensor index_select(const Tensor& x, int64_t d, const Tensor& i) { return x.index_select(d, i); }
Tensor gather(const Tensor& x, int64_t d, const Tensor& i) { return x.gather(d, i); }
Tensor masked_select(const Tensor& x, const Tensor& m) { return x.masked_select(m); }
Tensor nonzero(const Tensor& x) { return x.nonzero(); }
Tensor slice_scatter(const Tensor& x, const Tensor& src, int64_t d, std::optional<int64_t> start,
                     std::optional<int64_t> end, int64_t step) {
  return call1(OpId::SliceScatter, {x, src},
               Attrs()
                   .set("dim", d)
                   .set("start", start.value_or(0))
                   .set("end", end.value_or(std::numeric_limits<int64_t>::max()))
                   .set("step", step));
}
Tensor select_scatter(const Tensor& x, const Tensor& src, int64_t d, int64_t index) {
  return call1(OpId::SelectScatter, {x, src}, Attrs().set("dim", d).set("index", index));
}
std::vector<Tensor> split(const Tensor& x, int64_t s, int64_t d) { return x.split(s, d); }
std::vector<Tensor> chunk(const Tensor& x, int64_t c, int64_t d) { return x.chunk(c, d); }
Tensor clone(const Tensor& x) { return x.clone(); }

}  // namespace ember
