#pragma once
#include "ember/tensor.h"

namespace ember {

// `t` itself when contiguous, else a contiguous copy (kernel level: no autograd, no trace).
Tensor contiguous_copy(const Tensor& t);
// `t` as a contiguous tensor on device `d` (itself when it already is one; kernel level).
Tensor contiguous_on(const Tensor& t, Device d);

// Copies `src` (broadcastable, any dtype) into `dst` on the same device.
void copy_into(const Tensor& dst, const Tensor& src);

// Checks that every defined tensor is on `d`, naming the op.
void check_device(const char* op, const Tensor& t, Device d);

// Range-checks an integer index tensor against [0, size), or [-size, size) when negative
// indices count from the end; `dim` >= 0 is named in the message. CPU: checked here. CUDA: a
// kernel checks it and the error is thrown at the next synchronising call (no host sync).
void check_index_range(const char* op, const Tensor& index, int64_t size, bool allow_negative = false,
                       int64_t dim = -1);

}  // namespace ember
