#pragma once
// Tensors exchanged without copies through DLPack (dmlc/dlpack 0.6, the ABI libtorch, NumPy,
// CuPy and JAX share), CPU and CUDA memory, any strides. Include <dlpack/dlpack.h> to read the
// struct's fields. libtorch's names (ATen/DLConvertor.h) are here too.
#include "ember/tensor.h"

struct DLManagedTensor;

namespace ember {

// A DLPack view of t's memory (its storage, offset and strides, not a copy). The storage stays
// alive until the consumer calls the result's deleter, exactly once; t is unchanged. For a
// CUDA tensor, ember's stream is synchronised first, so a consumer on any stream sees the
// values. Autograd history does not travel. bool is exported as DLPack's kDLBool (code 6).
DLManagedTensor* to_dlpack(const Tensor& t);

// A tensor over the producer's memory (no copy). The producer's deleter runs once, when the
// last tensor sharing that memory is gone. Work the producer queued on its own CUDA stream is
// the caller's to wait for. Unsupported dtypes, devices or negative strides raise ember::Error
// and leave `src` owned by the caller (its deleter not called).
Tensor from_dlpack(DLManagedTensor* src);

inline DLManagedTensor* toDLPack(const Tensor& t) { return to_dlpack(t); }
inline Tensor fromDLPack(const DLManagedTensor* src) { return from_dlpack(const_cast<DLManagedTensor*>(src)); }

}  // namespace ember
