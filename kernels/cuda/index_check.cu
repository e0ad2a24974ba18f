// The device-side index range check: one pass over a contiguous index that records the
// first out-of-range value it meets in the device's error slot (runtime/cuda/index_error.h).
// Nothing waits here; the next synchronising call throws the error.
#include <cuda_runtime.h>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/launch.h"
#include "runtime/cuda/index_error.h"

namespace ember::cuda {

namespace {

template <class I>
__global__ void index_check_kernel(const I* index, int64_t n, int64_t lo, int64_t size,
                                   int64_t dim, int32_t check, IndexErrorSlot slot) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(blockDim.x) * gridDim.x) {
    int64_t v = index[i];
    if (v >= lo && v < size) continue;
    if (atomicCAS(slot.claimed, 0, 1) == 0) {
      IndexErrorRecord* r = slot.record;
      r->value = v;
      r->size = size;
      r->dim = dim;
      r->check = check;
      // The fields reach host memory before `set` does.
      __threadfence_system();
      *static_cast<volatile int32_t*>(&r->set) = 1;
    }
    return;
  }
}

template <class I>
void launch_check(const Tensor& index, int64_t lo, int64_t size, int64_t dim, int32_t check,
                  IndexErrorSlot slot, cudaStream_t stream) {
  int64_t n = index.numel();
  index_check_kernel<I><<<blocks_for(n), kThreads, 0, stream>>>(
      static_cast<const I*>(index.data_ptr()), n, lo, size, dim, check, slot);
  EMBER_CUDA_CHECK_LAUNCH();
}

}  // namespace

void check_index_range(const char* op, const Tensor& index, int64_t lo, int64_t size,
                       int64_t dim) {
  if (index.numel() == 0) return;
  int device = index.device().index;
  DeviceGuard guard(device);
  IndexErrorSlot slot = index_error_slot(device);
  cudaStream_t stream = stream_of(device);
  int32_t check = index_check_id(op);
  if (index.dtype() == kInt64) launch_check<int64_t>(index, lo, size, dim, check, slot, stream);
  else launch_check<int32_t>(index, lo, size, dim, check, slot, stream);
}

}  // namespace ember::cuda
