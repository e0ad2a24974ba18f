// Conversions between dtypes and devices (libtorch's `to` overloads), `new_*` factories and
// the type queries that follow a tensor's options.
#include "frontend/dispatch.h"
#include "ember/functional.h"

namespace ember {

namespace {
Tensor to_device(const Tensor& t, Device d) {
  return call1(OpId::ToDevice, {t}, Attrs().set("device", d));
}
Tensor to_dtype(const Tensor& t, ScalarType s) {
  return call1(OpId::Cast, {t}, Attrs().set("dtype", s));
}
// One conversion to (dtype, device): a no-op unless one differs or a copy is asked for.
Tensor convert(const Tensor& t, ScalarType s, Device d, bool copy) {
  bool same_dtype = s == t.dtype(), same_device = d == t.device();
  if (same_dtype && same_device) return copy ? t.clone() : t;
  Tensor r = same_dtype ? t : to_dtype(t, s);
  return same_device ? r : to_device(r, d);
}
}  // namespace

Tensor Tensor::to(const TensorOptions& o, bool, bool copy) const {
  EMBER_CHECK(!o.requires_grad(), "Operators taking TensorOptions cannot take a TensorOptions "
              "with options.requires_grad set as true. This isn't implemented yet.");
  return convert(*this, o.has_dtype() ? o.dtype() : dtype(), o.has_device() ? o.device() : device(),
                 copy);
}
Tensor Tensor::to(ScalarType t, bool, bool copy) const { return convert(*this, t, device(), copy); }
Tensor Tensor::to(Device d, ScalarType t, bool, bool copy) const {
  return convert(*this, t, d, copy);
}
Tensor Tensor::to(const Tensor& other, bool, bool copy) const {
  return convert(*this, other.dtype(), other.device(), copy);
}
Tensor Tensor::type_as(const Tensor& other) const { return to(other.options()); }

Tensor Tensor::new_empty(IntArrayRef size, const TensorOptions& opts) const {
  return empty(size, options_with(opts));
}
Tensor Tensor::new_zeros(IntArrayRef size, const TensorOptions& opts) const {
  return zeros(size, options_with(opts));
}
Tensor Tensor::new_ones(IntArrayRef size, const TensorOptions& opts) const {
  return ones(size, options_with(opts));
}
Tensor Tensor::new_full(IntArrayRef size, const Scalar& value, const TensorOptions& opts) const {
  return full(size, value, options_with(opts));
}
TensorOptions Tensor::options_with(const TensorOptions& o) const {
  return TensorOptions()
      .dtype(o.has_dtype() ? o.dtype() : dtype())
      .device(o.has_device() ? o.device() : device())
      .requires_grad(o.requires_grad());
}

const Tensor& Tensor::resize_(IntArrayRef size) const {
  auto& d = impl();
  EMBER_CHECK(!requires_grad(), "cannot resize variables that require grad");
  EMBER_CHECK(!d.is_symbolic(), "resize_: not supported while tracing (shape ", shape_str(sizes()),
              ")");
  for (auto s : size)
    EMBER_CHECK(s >= 0, "Trying to create tensor with negative dimension ", s, ": ",
                shape_str(size));
  if (IntArrayRef(d.sizes) == size && d.is_contiguous()) return *this;
  size_t needed = (static_cast<size_t>(numel_of(size)) + static_cast<size_t>(d.offset)) *
                  itemsize(d.dtype);
  if (!d.storage || d.storage->nbytes() < needed) {
    // Grow like libtorch: new storage keeping the old elements in their flat order.
    Tensor fresh = empty({numel_of(size)}, options());
    int64_t keep = std::min<int64_t>(numel_of(size), numel());
    if (keep > 0) fresh.narrow(0, 0, keep).copy_(contiguous().view({-1}).narrow(0, 0, keep));
    d.storage = fresh.impl().storage;
    d.offset = 0;
  }
  d.sizes = size;
  d.strides = contiguous_strides(size);
  bump_version();
  return *this;
}

Tensor Tensor::tensor_data() const {
  Tensor r(std::make_shared<TensorImpl>(impl().storage, impl().sizes, impl().strides,
                                        impl().offset, dtype(), device()));
  r.impl().version = impl().version;  // shares the version counter, as libtorch's tensor_data
  return r;
}
Tensor Tensor::variable_data() const {
  // A fresh version counter: in-place changes through it are not seen by autograd.
  return Tensor(std::make_shared<TensorImpl>(impl().storage, impl().sizes, impl().strides,
                                             impl().offset, dtype(), device()));
}

TypeProperties Tensor::type() const { return TypeProperties(dtype(), device().type); }

// libtorch's legacy type names: "CPUFloatType", "CUDALongType".
std::string TypeProperties::toString() const {
  const char* name = dtype_name(scalar_type_);
  switch (scalar_type_) {
    case kUInt8: name = "Byte"; break;
    case kInt8: name = "Char"; break;
    case kInt16: name = "Short"; break;
    case kInt32: name = "Int"; break;
    case kInt64: name = "Long"; break;
    case kFloat16: name = "Half"; break;
    case kFloat32: name = "Float"; break;
    case kFloat64: name = "Double"; break;
    case kBool: name = "Bool"; break;
    case kBFloat16: name = "BFloat16"; break;
    default: break;
  }
  return std::string(device_type_ == kCUDA ? "CUDA" : "CPU") + name + "Type";
}

}  // namespace ember
