#pragma once
#include "ember/tensor.h"

namespace ember {

// A new contiguous tensor with uninitialised memory from the device's caching allocator.
Tensor empty_tensor(IntArrayRef sizes, ScalarType dtype, Device device);

// A tensor aliasing `base`'s storage with new geometry; shares the version counter.
Tensor make_view(const Tensor& base, Shape sizes, Shape strides, int64_t offset);

// A traced tensor without storage, standing for a graph value.
Tensor symbolic_tensor(IntArrayRef sizes, ScalarType dtype, Device device,
                       std::shared_ptr<TraceInfo> trace);

// A 0-dim CPU tensor holding a Python-style number (promotes by category only).
Tensor wrapped_scalar(const Scalar& s);

}  // namespace ember
