#include "kernels/tensor_alloc.h"

#include "runtime/dispatch.h"

namespace ember {

Tensor empty_tensor(IntArrayRef sizes, ScalarType dtype, Device device) {
  for (auto s : sizes)
    EMBER_CHECK(s >= 0, "empty: negative dimension ", s, " in size ", shape_str(sizes));
  size_t nbytes = static_cast<size_t>(numel_of(sizes)) * itemsize(dtype);
  auto storage = std::make_shared<Storage>(allocator_for(device)->allocate(nbytes), nbytes, device);
  return Tensor(std::make_shared<TensorImpl>(std::move(storage), sizes, contiguous_strides(sizes), 0,
                                             dtype, device));
}

Tensor make_view(const Tensor& base, Shape sizes, Shape strides, int64_t offset) {
  const auto& b = base.impl();
  auto impl = std::make_shared<TensorImpl>(b.storage, std::move(sizes), std::move(strides), offset,
                                           b.dtype, b.device);
  impl->version = b.version;
  impl->trace = b.trace;
  return Tensor(impl);
}

Tensor symbolic_tensor(IntArrayRef sizes, ScalarType dtype, Device device,
                       std::shared_ptr<TraceInfo> trace) {
  auto impl = std::make_shared<TensorImpl>(nullptr, sizes, contiguous_strides(sizes), 0, dtype,
                                           device);
  impl->trace = std::move(trace);
  return Tensor(impl);
}

Tensor wrapped_scalar(const Scalar& s) {
  Tensor t = empty_tensor({}, s.dtype(), Device(kCPU));
  EMBER_DISPATCH_ALL_TYPES(s.dtype(), "scalar", [&] { *static_cast<scalar_t*>(t.data_ptr()) = s.to<scalar_t>(); });
  t.impl().wrapped_number = true;
  return t;
}

}  // namespace ember
