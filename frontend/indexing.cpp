// Tensor::index and index_put_: integers, slices, None, Ellipsis, and one advanced index
// (a bool mask or an integer index tensor), following libtorch's semantics.
#include "frontend/autograd/backward_names.h"
#include "frontend/dispatch.h"
#include "ember/functional.h"

namespace ember {

namespace {

// The result of applying the basic indices, and where the advanced index applies.
struct Indexed {
  Tensor view;
  int64_t adv_dim = -1;  // dim of `view` where the advanced index starts
  Tensor adv;            // the advanced index (bool mask or integer tensor)
};

Indexed apply_basic(const Tensor& self, const std::vector<TensorIndex>& indices) {
  int64_t consumed = 0, ellipses = 0;
  for (const auto& ix : indices) {
    switch (ix.kind()) {
      case TensorIndex::Kind::Integer:
      case TensorIndex::Kind::Slice: consumed += 1; break;
      case TensorIndex::Kind::Tensor:
        consumed += ix.tensor().dtype() == kBool ? std::max<int64_t>(ix.tensor().dim(), 1) : 1;
        break;
      case TensorIndex::Kind::Ellipsis: ++ellipses; break;
      default: break;
    }
  }
  EMBER_CHECK(ellipses <= 1, "index: an index can only have a single ellipsis ('...')");
  EMBER_CHECK(consumed <= self.dim(), "index: too many indices for tensor of dimension ", self.dim(),
              " (got ", consumed, ")");
  Indexed r;
  r.view = self;
  int64_t d = 0;
  for (const auto& ix : indices) {
    switch (ix.kind()) {
      case TensorIndex::Kind::None:
        r.view = r.view.unsqueeze(d++);
        break;
      case TensorIndex::Kind::Ellipsis:
        d += self.dim() - consumed;
        break;
      case TensorIndex::Kind::Integer:
        r.view = r.view.select(d, ix.integer());
        break;
      case TensorIndex::Kind::Boolean:
        r.view = r.view.unsqueeze(d);
        if (!ix.integer()) r.view = r.view.slice(d, 0, 0);
        ++d;
        break;
      case TensorIndex::Kind::Slice: {
        const auto& s = ix.slice();
        r.view = r.view.slice(d, s.start, s.stop, s.step.value_or(1));
        ++d;
        break;
      }
      case TensorIndex::Kind::Tensor:
        EMBER_CHECK(!r.adv.defined(), "index: indexing with more than one tensor index is not "
                    "supported");
        r.adv = ix.tensor();
        r.adv_dim = d;
        d += r.adv.dtype() == kBool ? std::max<int64_t>(r.adv.dim(), 1) : 1;
        break;
    }
  }
  return r;
}

// A bool mask over dims [d, d + k) as positions in those dims flattened, and the view with
// those dims flattened.
std::pair<Tensor, Tensor> flatten_mask(const Tensor& view, int64_t d, const Tensor& mask) {
  int64_t k = std::max<int64_t>(mask.dim(), 1);
  for (int64_t i = 0; i < mask.dim(); ++i)
    EMBER_CHECK(mask.sizes()[i] == view.sizes()[d + i], "index: the shape of the mask ",
                shape_str(mask.sizes()), " at index ", i, " does not match the shape of the "
                "indexed tensor ", shape_str(view.sizes()), " at index ", d + i);
  Shape shape(view.sizes().begin(), view.sizes().begin() + d);
  shape.push_back(mask.numel());
  shape.insert(shape.end(), view.sizes().begin() + d + k, view.sizes().end());
  Tensor flat_view = mask.dim() == 0 ? view.unsqueeze(d) : view.reshape(shape);
  Tensor positions = mask.reshape({-1}).nonzero().view({-1});
  return {flat_view, positions};
}

Shape advanced_shape(const Tensor& view, int64_t d, const Tensor& idx) {
  Shape shape(view.sizes().begin(), view.sizes().begin() + d);
  shape.insert(shape.end(), idx.sizes().begin(), idx.sizes().end());
  shape.insert(shape.end(), view.sizes().begin() + d + 1, view.sizes().end());
  return shape;
}

Tensor wrap_negative(const Tensor& idx, int64_t size) {
  return where(idx < 0, idx + size, idx);
}

}  // namespace

Tensor Tensor::index(const std::vector<TensorIndex>& indices) const {
  Indexed r = apply_basic(*this, indices);
  if (!r.adv.defined()) return r.view;
  const Tensor& adv = r.adv;
  int64_t d = r.adv_dim;
  if (adv.dtype() == kBool) {
    if (d == 0 && adv.sizes() == r.view.sizes())
      return autograd::name_grad_fn(r.view.masked_select(adv), "IndexBackward0");
    auto [flat_view, positions] = flatten_mask(r.view, d, adv);
    return autograd::name_grad_fn(flat_view.index_select(d, positions), "IndexBackward0");
  }
  EMBER_CHECK(!is_floating(adv.dtype()), "index: tensors used as indices must be long, int, bool "
              "or byte tensors (got ", dtype_name(adv.dtype()), ")");
  Tensor idx = wrap_negative(adv.to(kInt64), r.view.sizes()[d]);
  return autograd::name_grad_fn(
      r.view.index_select(d, idx.reshape({-1})).view(advanced_shape(r.view, d, idx)),
      "IndexBackward0");
}

Tensor Tensor::operator[](const Tensor& index) const { return this->index({index}); }

const Tensor& Tensor::index_put_(const std::vector<TensorIndex>& indices, const Tensor& values) const {
  Indexed r = apply_basic(*this, indices);
  if (!r.adv.defined()) {
    r.view.copy_(values);
    return *this;
  }
  const Tensor& adv = r.adv;
  int64_t d = r.adv_dim;
  Tensor v = values.to(dtype());
  if (adv.dtype() == kBool && d == 0 && adv.sizes() == r.view.sizes() && r.view.is_same(*this)) {
    if (v.numel() == 1) return masked_fill_(adv, v.reshape({}));
    return call_into(OpId::MaskedScatter, *this, {*this, adv, v.reshape({-1})});
  }
  Tensor target = r.view, idx;
  if (adv.dtype() == kBool) {
    auto [flat_view, positions] = flatten_mask(r.view, d, adv);
    EMBER_CHECK(flat_view.impl().storage == impl().storage, "index_put_: the masked dims of a "
                "non-contiguous tensor cannot be flattened in place; use a contiguous tensor");
    target = flat_view;
    idx = positions;
  } else {
    idx = wrap_negative(adv.to(kInt64), r.view.sizes()[d]).reshape({-1});
  }
  Shape vshape = target.sizes();
  vshape[d] = idx.numel();
  Shape bshape(vshape.size(), 1);
  bshape[d] = idx.numel();
  Tensor vb;
  if (v.dim() == 0 || adv.dtype() == kBool) vb = v.expand(vshape);
  else vb = v.expand(advanced_shape(r.view, d, adv)).reshape(vshape);
  target.scatter_(d, idx.view(bshape).expand(vshape), vb.contiguous());
  return *this;
}

const Tensor& Tensor::index_put_(const std::vector<TensorIndex>& indices, const Scalar& value) const {
  return index_put_(indices, scalar_operand(value));
}

}  // namespace ember
