// Random fills and ramps on CUDA. Element i takes the same per-element function as the CPU
// (kernels/device/random_value.h), so a manual_seed gives bit-identical tensors on both
// devices (nvcc builds with --fmad=false, so no contraction changes the rounding).
#include <cuda_runtime.h>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/launch.h"
#include "kernels/device/random_value.h"
#include "runtime/dispatch.h"

namespace ember::cuda {

namespace {

#define EMBER_GRID_STRIDE(i, n)                                                          \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)

template <class S>
__global__ void random_kernel(S* out, int64_t n, int kind, double a, double b, uint64_t seed,
                              uint64_t offset) {
  EMBER_GRID_STRIDE(i, n) {
    out[i] = dev::random_value<S>(kind, a, b, seed, offset + static_cast<uint64_t>(i));
  }
}

template <class S>
__global__ void iota_kernel(S* out, int64_t out_stride, int64_t n, double start, double step,
                            double end, bool symmetric) {
  EMBER_GRID_STRIDE(i, n) {
    out[i * out_stride] = dev::convert<S>(dev::ramp_value(start, step, end, symmetric, i, n));
  }
}

#undef EMBER_GRID_STRIDE

}  // namespace

void random(const Tensor& out, RandomKind kind, double a, double b, uint64_t seed,
            uint64_t offset) {
  int64_t n = out.numel();
  if (n == 0) return;
  EMBER_CHECK(out.is_contiguous(), "internal: random fill of a non-contiguous CUDA tensor");
  int device = out.device().index;
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  EMBER_DISPATCH_ALL_TYPES(out.dtype(), "random", [&] {
    random_kernel<scalar_t><<<blocks_for(n), kThreads, 0, stream>>>(
        static_cast<scalar_t*>(out.data_ptr()), n, static_cast<int>(kind), a, b, seed, offset);
    EMBER_CUDA_CHECK_LAUNCH();
  });
}

void iota(const Tensor& out, double start, double step, double end, bool symmetric) {
  int64_t n = out.numel();
  if (n == 0) return;
  // Ramps are 1-D; a strided 1-D output is written in place.
  EMBER_CHECK(out.dim() <= 1 || out.is_contiguous(),
              "internal: arange/linspace into a non-contiguous CUDA tensor");
  int64_t out_stride = out.dim() == 1 ? out.strides()[0] : 1;
  int device = out.device().index;
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  EMBER_DISPATCH_ALL_TYPES(out.dtype(), "arange", [&] {
    iota_kernel<scalar_t><<<blocks_for(n), kThreads, 0, stream>>>(
        static_cast<scalar_t*>(out.data_ptr()), out_stride, n, start, step, end, symmetric);
    EMBER_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace ember::cuda
