// nonzero, masked_select and masked_scatter on CUDA. All three rest on one step: the
// exclusive prefix sum of the element truth flags (CUB), which gives each selected
// element its row in the compacted order; the total needs one device-to-host read (and
// masked_scatter, whose output size is known, does not read it at all).
#include <cuda_runtime.h>

#include <cub/device/device_scan.cuh>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/geometry_common.h"
#include "kernels/cuda/launch.h"
#include "kernels/device/cast.h"
#include "kernels/tensor_alloc.h"
#include "runtime/cuda/stream_sync.h"
#include "runtime/dispatch.h"

namespace ember::cuda {

namespace {

#define EMBER_GRID_STRIDE(i, n)                                                          \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)

template <class S>
__global__ void truth_kernel(const S* in, int64_t* flags, int64_t n) {
  EMBER_GRID_STRIDE(i, n) flags[i] = dev::convert<bool>(in[i]) ? 1 : 0;
}

struct Unravel {
  int ndim;
  int64_t sizes[kMaxDims];
};

__global__ void nonzero_kernel(const int64_t* flags, const int64_t* rows, int64_t n, Unravel u,
                               int64_t* out) {
  EMBER_GRID_STRIDE(i, n) {
    if (!flags[i]) continue;
    int64_t* coords = out + rows[i] * u.ndim;
    int64_t rem = i;
    for (int d = u.ndim - 1; d >= 0; --d) {
      coords[d] = rem % u.sizes[d];
      rem /= u.sizes[d];
    }
  }
}

template <class E>
__global__ void masked_select_kernel(const E* self, const int64_t* flags, const int64_t* rows,
                                     int64_t n, E* out) {
  EMBER_GRID_STRIDE(i, n) {
    if (flags[i]) out[rows[i]] = self[i];
  }
}

template <class E>
__global__ void masked_scatter_kernel(E* out, const int64_t* flags, const int64_t* rows,
                                      int64_t n, const E* source) {
  EMBER_GRID_STRIDE(i, n) {
    if (flags[i]) out[i] = source[rows[i]];
  }
}

#undef EMBER_GRID_STRIDE

template <class F>
void dispatch_element_size(size_t item, const char* op, const F& f) {
  switch (item) {
    case 1: return f.template operator()<uint8_t>();
    case 2: return f.template operator()<uint16_t>();
    case 4: return f.template operator()<uint32_t>();
    case 8: return f.template operator()<uint64_t>();
    default: EMBER_FAIL(op, ": unsupported element size ", item);
  }
}

// Truth flags (0/1) of a contiguous tensor and their exclusive prefix sum.
struct Selection {
  Tensor flags, rows;
  int64_t n = 0;
};

Selection select_true(const Tensor& t, cudaStream_t stream) {
  Selection s;
  s.n = t.numel();
  s.flags = empty_tensor({s.n}, kInt64, t.device());
  s.rows = empty_tensor({s.n}, kInt64, t.device());
  int64_t* flags = s.flags.data_ptr<int64_t>();
  int64_t* rows = s.rows.data_ptr<int64_t>();
  EMBER_DISPATCH_ALL_TYPES(t.dtype(), "nonzero", [&] {
    truth_kernel<scalar_t><<<blocks_for(s.n), kThreads, 0, stream>>>(
        static_cast<const scalar_t*>(t.data_ptr()), flags, s.n);
    EMBER_CUDA_CHECK_LAUNCH();
  });
  size_t temp_bytes = 0;
  EMBER_CUDA_CHECK(cub::DeviceScan::ExclusiveSum(nullptr, temp_bytes, flags, rows, s.n, stream));
  Tensor temp = empty_tensor({static_cast<int64_t>(temp_bytes > 0 ? temp_bytes : 1)}, kUInt8,
                             t.device());
  EMBER_CUDA_CHECK(
      cub::DeviceScan::ExclusiveSum(temp.data_ptr(), temp_bytes, flags, rows, s.n, stream));
  return s;
}

// The number of true flags: the last exclusive sum plus the last flag (waits for the stream).
int64_t count_true(const Selection& s, cudaStream_t stream) {
  int64_t last[2] = {0, 0};
  const int64_t* rows = s.rows.data_ptr<int64_t>();
  const int64_t* flags = s.flags.data_ptr<int64_t>();
  EMBER_CUDA_CHECK(cudaMemcpyAsync(&last[0], rows + s.n - 1, sizeof(int64_t),
                                   cudaMemcpyDeviceToHost, stream));
  EMBER_CUDA_CHECK(cudaMemcpyAsync(&last[1], flags + s.n - 1, sizeof(int64_t),
                                   cudaMemcpyDeviceToHost, stream));
  synchronize_stream(s.rows.device().index, stream);
  return last[0] + last[1];
}

}  // namespace

Tensor nonzero(const Tensor& self) {
  int64_t nd = self.dim();
  EMBER_CHECK(nd <= kMaxDims, "nonzero: the CUDA kernel supports at most ", kMaxDims,
              " dims, got shape ", shape_str(self.sizes()));
  if (self.numel() == 0) return empty_tensor({0, nd}, kInt64, self.device());
  int device = self.device().index;
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  Selection s = select_true(self, stream);
  int64_t count = count_true(s, stream);
  Tensor out = empty_tensor({count, nd}, kInt64, self.device());
  if (count == 0 || nd == 0) return out;
  Unravel u{};
  u.ndim = static_cast<int>(nd);
  for (int64_t d = 0; d < nd; ++d) u.sizes[d] = self.sizes()[d];
  nonzero_kernel<<<blocks_for(s.n), kThreads, 0, stream>>>(s.flags.data_ptr<int64_t>(),
                                                           s.rows.data_ptr<int64_t>(), s.n, u,
                                                           out.data_ptr<int64_t>());
  EMBER_CUDA_CHECK_LAUNCH();
  return out;
}

Tensor masked_select(const Tensor& self, const Tensor& mask) {
  if (self.numel() == 0) return empty_tensor({0}, self.dtype(), self.device());
  int device = self.device().index;
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  Selection s = select_true(mask, stream);
  int64_t count = count_true(s, stream);
  Tensor out = empty_tensor({count}, self.dtype(), self.device());
  if (count == 0) return out;
  dispatch_element_size(self.element_size(), "masked_select", [&]<class E>() {
    masked_select_kernel<E><<<blocks_for(s.n), kThreads, 0, stream>>>(
        static_cast<const E*>(self.data_ptr()), s.flags.data_ptr<int64_t>(),
        s.rows.data_ptr<int64_t>(), s.n, static_cast<E*>(out.data_ptr()));
    EMBER_CUDA_CHECK_LAUNCH();
  });
  return out;
}

void masked_scatter(const Tensor& out, const Tensor& mask, const Tensor& source) {
  if (out.numel() == 0) return;
  int device = out.device().index;
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  Selection s = select_true(mask, stream);
  dispatch_element_size(out.element_size(), "masked_scatter", [&]<class E>() {
    masked_scatter_kernel<E><<<blocks_for(s.n), kThreads, 0, stream>>>(
        static_cast<E*>(out.data_ptr()), s.flags.data_ptr<int64_t>(), s.rows.data_ptr<int64_t>(),
        s.n, static_cast<const E*>(source.data_ptr()));
    EMBER_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace ember::cuda
