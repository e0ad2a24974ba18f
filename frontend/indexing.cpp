// Tensor::index and index_put_ as libtorch: integers, slices, None, Ellipsis, bool scalars and
// any number of advanced indices (integer or bool tensors), broadcast together. Adjacent
// advanced indices put their result dims where they stand; separated ones put them first.
#include <algorithm>

#include "frontend/autograd/backward_names.h"

#include "frontend/dispatch.h"
#include "ember/functional.h"
#include "kernels/ops/ops_util.h"

namespace ember {

namespace {

// The view left by the basic indices, and the advanced indices as int64 tensors with the dims
// of that view they index (bool masks become one index tensor per masked dim).
struct Indexed {
  Tensor view;
  std::vector<int64_t> adv_dims;
  std::vector<Tensor> adv;
};

int64_t dims_consumed(const std::vector<TensorIndex>& indices) {
  int64_t consumed = 0, ellipses = 0;
  for (const auto& ix : indices) {
    switch (ix.kind()) {
      case TensorIndex::Kind::Integer:
      case TensorIndex::Kind::Slice: consumed += 1; break;
      case TensorIndex::Kind::Tensor:
        consumed += ix.tensor().dtype() == kBool || ix.tensor().dtype() == kUInt8
                        ? ix.tensor().dim() : 1;
        break;
      case TensorIndex::Kind::Ellipsis: ++ellipses; break;
      default: break;
    }
  }
  EMBER_CHECK(ellipses <= 1, "An index can only have a single ellipsis ('...')");
  return consumed;
}

void add_mask(Indexed& r, int64_t d, const Tensor& mask) {
  for (int64_t i = 0; i < mask.dim(); ++i)
    EMBER_CHECK(mask.sizes()[i] == r.view.sizes()[d + i], "The shape of the mask ",
                shape_str(mask.sizes()), " at index ", i, " does not match the shape of the "
                "indexed tensor ", shape_str(r.view.sizes()), " at index ", d + i);
  Tensor coords = mask.to(kBool).nonzero();  // [n, mask.dim()]
  for (int64_t i = 0; i < mask.dim(); ++i) {
    r.adv_dims.push_back(d + i);
    r.adv.push_back(coords.select(1, i));
  }
}

void add_integer_index(Indexed& r, int64_t d, const Tensor& idx) {
  EMBER_CHECK(!is_floating(idx.dtype()), "tensors used as indices must be long, int, byte or "
              "bool tensors");
  r.adv_dims.push_back(d);
  r.adv.push_back(idx.to(kInt64));
}

Indexed apply_basic(const Tensor& self, const std::vector<TensorIndex>& indices) {
  int64_t consumed = dims_consumed(indices);
  EMBER_CHECK(consumed <= self.dim(), "too many indices for tensor of dimension ", self.dim(),
              " (got ", consumed, ")");
  Indexed r;
  r.view = self;
  int64_t d = 0, real_dim = 0;  // dim of the view; dim of `self` it came from (for messages)
  for (const auto& ix : indices) {
    switch (ix.kind()) {
      case TensorIndex::Kind::None:
        r.view = r.view.unsqueeze(d++);
        break;
      case TensorIndex::Kind::Ellipsis:
        d += self.dim() - consumed;
        real_dim += self.dim() - consumed;
        break;
      case TensorIndex::Kind::Integer: {
        int64_t size = r.view.sizes()[d], i = ix.integer();
        EMBER_CHECK(i >= -size && i < size, "index ", i, " is out of bounds for dimension ",
                    real_dim, " with size ", size);
        r.view = r.view.select(d, i);
        ++real_dim;
        break;
      }
      case TensorIndex::Kind::Boolean:  // a new dim indexed by [0] (true) or [] (false)
        r.view = r.view.unsqueeze(d);
        r.adv_dims.push_back(d++);
        r.adv.push_back(ix.integer() ? zeros({1}, TensorOptions().dtype(kInt64))
                                     : empty({0}, TensorOptions().dtype(kInt64)));
        break;
      case TensorIndex::Kind::Slice: {
        const auto& s = ix.slice();
        r.view = r.view.slice(d, s.start, s.stop, s.step.value_or(1));
        ++d;
        ++real_dim;
        break;
      }
      case TensorIndex::Kind::Tensor: {
        const Tensor& t = ix.tensor();
        if (t.dtype() == kBool || t.dtype() == kUInt8) {
          if (t.dim() == 0) {  // a 0-dim mask acts like a bool scalar
            r.view = r.view.unsqueeze(d);
            add_mask(r, d, t.unsqueeze(0));
            ++d;
          } else {
            add_mask(r, d, t);
            d += t.dim();
            real_dim += t.dim();
          }
        } else {
          add_integer_index(r, d++, t);
          ++real_dim;
        }
        break;
      }
    }
  }
  return r;
}

// Every index checked against its dim in libtorch's words (on CUDA without a sync: the error
// comes at the next synchronising call), then negative ones wrapped.
Tensor checked_index(const Tensor& idx, int64_t size, int64_t dim, Device device) {
  check_index_range("", idx, size, /*allow_negative=*/true, dim);
  return where(idx < 0, idx + size, idx).to(device);
}

// The advanced dims made adjacent at `first` (moved to the front when they are apart), flattened
// into one dim, and the flat positions in it; the result dims replace it in `out_shape`.
struct Flattened {
  Tensor view;       // `first` holds the flattened advanced dims
  int64_t first = 0;
  Tensor positions;  // int64, 1-D
  Shape index_shape; // the broadcast shape of the advanced indices
  Tensor write_back; // set when `view` is a contiguous copy of these (strided) elements
};

Flattened flatten_advanced(const Indexed& r, bool need_alias) {
  std::vector<Tensor> idx;
  for (size_t j = 0; j < r.adv.size(); ++j)
    idx.push_back(checked_index(r.adv[j], r.view.sizes()[r.adv_dims[j]], r.adv_dims[j], r.view.device()));
  Shape shape = idx[0].sizes();
  for (size_t j = 1; j < idx.size(); ++j)
    shape = broadcast_shapes(shape, idx[j].sizes(), "index");
  bool adjacent = true;
  for (size_t j = 1; j < r.adv_dims.size(); ++j)
    adjacent = adjacent && r.adv_dims[j] == r.adv_dims[j - 1] + 1;
  Flattened f;
  f.index_shape = shape;
  Tensor v = r.view;
  if (!adjacent) {
    Shape order(r.adv_dims.begin(), r.adv_dims.end());
    for (int64_t d = 0; d < v.dim(); ++d)
      if (std::find(r.adv_dims.begin(), r.adv_dims.end(), d) == r.adv_dims.end()) order.push_back(d);
    v = v.permute(order);
  }
  f.first = adjacent ? r.adv_dims[0] : 0;
  int64_t k = static_cast<int64_t>(idx.size());
  Tensor linear = idx[k - 1].expand(shape);
  int64_t scale = v.sizes()[f.first + k - 1];
  for (int64_t j = k - 2; j >= 0; --j) {
    linear = linear + idx[j].expand(shape) * scale;
    scale *= v.sizes()[f.first + j];
  }
  Shape flat(v.sizes().begin(), v.sizes().begin() + f.first);
  flat.push_back(scale);
  flat.insert(flat.end(), v.sizes().begin() + f.first + k, v.sizes().end());
  Shape strides;
  if (!need_alias) {
    f.view = v.reshape(flat);
  } else if (view_strides(v.sizes(), v.strides(), flat, &strides)) {
    f.view = v.view(flat);
  } else {  // the advanced dims cannot be viewed as one: write through a contiguous copy
    f.write_back = v;
    f.view = v.contiguous().view(flat);
  }
  f.positions = linear.reshape({-1});
  return f;
}

Shape result_shape(const Flattened& f) {
  Shape s(f.view.sizes().begin(), f.view.sizes().begin() + f.first);
  s.insert(s.end(), f.index_shape.begin(), f.index_shape.end());
  s.insert(s.end(), f.view.sizes().begin() + f.first + 1, f.view.sizes().end());
  return s;
}

// Writes `values` (broadcast to the result shape) at the flat positions, through `f.view`.
void scatter_values(const Flattened& f, const Tensor& values) {
  Shape vshape = f.view.sizes();
  vshape[f.first] = f.positions.numel();
  Shape bshape(vshape.size(), 1);
  bshape[f.first] = f.positions.numel();
  f.view.scatter_(f.first, f.positions.view(bshape).expand(vshape),
                  values.expand(result_shape(f)).reshape(vshape).contiguous());
  if (f.write_back.defined()) f.write_back.copy_(f.view.view(f.write_back.sizes()));
}

// A single bool mask of the tensor's whole shape: masked_select / masked_fill / masked_scatter,
// without turning the mask into positions first.
const Tensor* whole_mask(const Tensor& self, const std::vector<TensorIndex>& indices) {
  if (indices.size() != 1 || indices[0].kind() != TensorIndex::Kind::Tensor) return nullptr;
  const Tensor& m = indices[0].tensor();
  return m.dtype() == kBool && m.dim() > 0 && m.sizes() == self.sizes() ? &m : nullptr;
}

}  // namespace

Tensor Tensor::index(const std::vector<TensorIndex>& indices) const {
  if (const Tensor* mask = whole_mask(*this, indices))
    return autograd::name_grad_fn(masked_select(*mask), "IndexBackward0");
  Indexed r = apply_basic(*this, indices);
  if (r.adv.empty()) return r.view.is_same(*this) ? view(sizes()) : r.view;
  Flattened f = flatten_advanced(r, false);
  return autograd::name_grad_fn(f.view.index_select(f.first, f.positions).view(result_shape(f)),
                               "IndexBackward0");
}

Tensor Tensor::operator[](const Tensor& index) const { return this->index({index}); }

const Tensor& Tensor::index_put_(const std::vector<TensorIndex>& indices, const Tensor& values) const {
  Tensor v = values.to(dtype());
  if (const Tensor* mask = whole_mask(*this, indices)) {
    if (v.numel() == 1) return masked_fill_(*mask, v.reshape({}));
    return call_into(OpId::MaskedScatter, *this, {*this, *mask, v.reshape({-1})});
  }
  Indexed r = apply_basic(*this, indices);
  if (r.adv.empty()) {
    r.view.copy_(values);
    return *this;
  }
  scatter_values(flatten_advanced(r, true), v);
  return *this;
}

const Tensor& Tensor::index_put_(const std::vector<TensorIndex>& indices, const Scalar& value) const {
  return index_put_(indices, scalar_operand(value));
}

Tensor& Tensor::operator=(const Tensor& src) && {
  copy_(src);
  return *this;
}
Tensor& Tensor::operator=(Tensor&& src) && {
  copy_(src);
  return *this;
}
Tensor& Tensor::operator=(const Scalar& value) && {
  fill_(value);
  return *this;
}

}  // namespace ember
