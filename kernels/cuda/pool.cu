// Pooling on CUDA: one thread per output element (forward) or per input element (average
// backward, a gather: deterministic, no atomics), running the window code shared with the
// CPU (kernels/device/pool.h).
#include <cuda_runtime.h>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/launch.h"
#include "kernels/device/pool.h"

namespace ember::cuda {

namespace {

template <class F>
void floating(ScalarType dt, const char* name, const F& f) {
  switch (dt) {
    case kFloat32: return f(float{});
    case kFloat64: return f(double{});
    case kFloat16: return f(Half{});
    case kBFloat16: return f(BFloat16{});
    default: EMBER_FAIL("\"", name, "\" not implemented for '", dtype_name(dt), "'");
  }
}

template <class S>
__global__ void pool_kernel(dev::PoolArgs a, const S* in, S* out, dev::i64* index, int64_t n) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)
    dev::pool_forward_one<S>(a, in, i, out, index);
}

template <class S>
__global__ void avg_pool_backward_kernel(dev::PoolArgs a, const S* grad_out, S* grad_in, int64_t n) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)
    dev::avg_pool_backward_one<S>(a, grad_out, i, grad_in);
}

}  // namespace

void pool(const dev::PoolArgs& a, const Tensor& out, const Tensor& indices, const Tensor& in) {
  int64_t n = a.planes * a.out_plane();
  if (n == 0) return;
  int device = out.device().index;
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  dev::i64* idx = indices.defined() ? static_cast<dev::i64*>(indices.data_ptr()) : nullptr;
  floating(in.dtype(), "pool", [&](auto tag) {
    using S = decltype(tag);
    pool_kernel<S><<<blocks_for(n), kThreads, 0, stream>>>(
        a, static_cast<const S*>(in.data_ptr()), static_cast<S*>(out.data_ptr()), idx, n);
    EMBER_CUDA_CHECK_LAUNCH();
  });
}

void pool_backward(const dev::PoolArgs& a, const Tensor& grad_in, const Tensor& grad_out) {
  EMBER_CHECK(a.kind == dev::PoolKind::Avg || a.kind == dev::PoolKind::AdaptiveAvg,
              "internal: pool_backward is for the average kinds");
  int64_t n = a.planes * a.in_plane();
  if (n == 0) return;
  int device = grad_in.device().index;
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  floating(grad_in.dtype(), "pool_backward", [&](auto tag) {
    using S = decltype(tag);
    avg_pool_backward_kernel<S><<<blocks_for(n), kThreads, 0, stream>>>(
        a, static_cast<const S*>(grad_out.data_ptr()), static_cast<S*>(grad_in.data_ptr()), n);
    EMBER_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace ember::cuda
