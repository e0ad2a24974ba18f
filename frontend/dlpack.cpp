#include "ember/dlpack.h"

#include <dlpack/dlpack.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "ember/allocator.h"
#include "ember/device.h"
#include "ember/storage.h"
#include "ember/tensor_impl.h"

namespace ember {

namespace {

// DLPack 0.8 added kDLBool; the 0.6 header Debian ships does not name it yet.
constexpr uint8_t kDLBoolCode = 6;

DLDataType dl_type(ScalarType t) {
  auto bits = static_cast<uint8_t>(itemsize(t) * 8);
  switch (t) {
    case kBool: return {kDLBoolCode, 8, 1};
    case kUInt8: return {kDLUInt, bits, 1};
    case kInt8:
    case kInt16:
    case kInt32:
    case kInt64: return {kDLInt, bits, 1};
    case kFloat16:
    case kFloat32:
    case kFloat64: return {kDLFloat, bits, 1};
    case kBFloat16: return {kDLBfloat, 16, 1};
  }
  EMBER_FAIL("to_dlpack: dtype ", dtype_name(t), " has no DLPack type");
}

ScalarType scalar_type(const DLDataType& d) {
  EMBER_CHECK(d.lanes == 1, "from_dlpack: vector types (lanes = ", int(d.lanes), ") are not supported");
  auto unsupported = [&]() -> ScalarType {
    EMBER_FAIL("from_dlpack: DLPack type code ", int(d.code), " with ", int(d.bits),
               " bits has no ember dtype (ember has bool, uint8, int8-64, float16/32/64, bfloat16)");
  };
  switch (d.code) {
    case kDLBoolCode: return d.bits == 8 ? kBool : unsupported();
    case kDLUInt: return d.bits == 8 ? kUInt8 : unsupported();
    case kDLInt:
      switch (d.bits) {
        case 8: return kInt8;
        case 16: return kInt16;
        case 32: return kInt32;
        case 64: return kInt64;
      }
      return unsupported();
    case kDLFloat:
      switch (d.bits) {
        case 16: return kFloat16;
        case 32: return kFloat32;
        case 64: return kFloat64;
      }
      return unsupported();
    case kDLBfloat: return d.bits == 16 ? kBFloat16 : unsupported();
  }
  return unsupported();
}

// What a DLManagedTensor made by to_dlpack owns: a tensor keeping the storage, and the arrays
// the DLTensor points into.
struct Exported {
  Tensor keep;
  std::vector<int64_t> shape, strides;
  DLManagedTensor managed{};
};

}  // namespace

DLManagedTensor* to_dlpack(const Tensor& t) {
  EMBER_CHECK(t.defined(), "to_dlpack: undefined tensor");
  auto e = std::make_unique<Exported>();
  e->keep = t.detach();
  e->shape.assign(t.sizes().begin(), t.sizes().end());
  e->strides.assign(t.strides().begin(), t.strides().end());
  DLTensor& d = e->managed.dl_tensor;
  d.data = t.numel() > 0 ? t.data_ptr() : nullptr;
  d.device = {t.is_cuda() ? kDLCUDA : kDLCPU, t.is_cuda() ? static_cast<int32_t>(t.device().index) : 0};
  d.ndim = static_cast<int32_t>(t.dim());
  d.dtype = dl_type(t.dtype());
  d.shape = e->shape.empty() ? nullptr : e->shape.data();
  d.strides = e->strides.empty() ? nullptr : e->strides.data();
  d.byte_offset = 0;
  e->managed.manager_ctx = e.get();
  e->managed.deleter = [](DLManagedTensor* self) { delete static_cast<Exported*>(self->manager_ctx); };
  if (t.is_cuda()) cuda::synchronize(t.device().index);
  return &e.release()->managed;
}

Tensor from_dlpack(DLManagedTensor* src) {
  EMBER_CHECK(src, "from_dlpack: null DLManagedTensor");
  const DLTensor& d = src->dl_tensor;
  Device device(kCPU);
  if (d.device.device_type == kDLCUDA) device = Device(kCUDA, static_cast<int8_t>(d.device.device_id));
  else EMBER_CHECK(d.device.device_type == kDLCPU || d.device.device_type == kDLCUDAHost,
                   "from_dlpack: DLPack device type ", int(d.device.device_type),
                   " is not supported (ember reads CPU, CUDA and pinned host memory)");
  ScalarType dtype = scalar_type(d.dtype);
  EMBER_CHECK(d.ndim >= 0 && (d.ndim == 0 || d.shape), "from_dlpack: ", d.ndim, " dims but no shape");
  Shape sizes(d.shape, d.shape + d.ndim);
  Shape strides = d.strides ? Shape(d.strides, d.strides + d.ndim) : contiguous_strides(sizes);
  int64_t extent = 1;
  for (int i = 0; i < d.ndim; ++i) {
    EMBER_CHECK(sizes[i] >= 0, "from_dlpack: negative size in ", shape_str(sizes));
    EMBER_CHECK(strides[i] >= 0 || sizes[i] <= 1, "from_dlpack: negative strides ", shape_str(strides),
                " are not supported");
    if (sizes[i] <= 1) strides[i] = std::max<int64_t>(strides[i], 0);
    if (sizes[i] == 0) extent = 0;
    else if (extent) extent += (sizes[i] - 1) * strides[i];
  }
  char* data = static_cast<char*>(d.data) + d.byte_offset;
  // From here on the tensor owns `src`: the producer's deleter runs with the storage's.
  auto release = [src](void*) {
    if (src->deleter) src->deleter(src);
  };
  size_t nbytes = static_cast<size_t>(extent) * itemsize(dtype);
  auto storage = std::make_shared<Storage>(wrap_external(data, release), nbytes, device);
  return Tensor(std::make_shared<TensorImpl>(storage, sizes, strides, 0, dtype, device));
}

}  // namespace ember
