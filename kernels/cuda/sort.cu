// Row sort on CUDA with CUB's segmented radix sort: each value becomes an unsigned key whose
// bit order is libtorch's order (NaN above +inf, -0.0 equal to 0.0; inverted for
// descending), the keys are sorted with the positions as payload (radix sort is stable),
// and the values are gathered back through the positions. Everything stays on the device.
#include <cuda_runtime.h>

#include <climits>
#include <type_traits>
#include <cub/device/device_segmented_radix_sort.cuh>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/launch.h"
#include "kernels/device/cast.h"
#include "kernels/tensor_alloc.h"
#include "runtime/dispatch.h"

namespace ember::cuda {

namespace {

#define EMBER_GRID_STRIDE(i, n)                                                          \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)

template <class T> struct KeyOf { using type = uint32_t; };
template <> struct KeyOf<int64_t> { using type = uint64_t; };
template <> struct KeyOf<double> { using type = uint64_t; };

template <class T>
__device__ typename KeyOf<T>::type ordered_key(T v) {
  using U = typename KeyOf<T>::type;
  if constexpr (std::is_same_v<T, double> || (sizeof(T) < 8 && !std::is_integral_v<T>)) {
    using F = std::conditional_t<std::is_same_v<T, double>, double, float>;
    F f = dev::convert<F>(v);
    if (f != f) return ~U(0);  // every NaN above +inf
    if (f == F(0)) f = F(0);   // -0.0 sorts as 0.0
    U bits;
    memcpy(&bits, &f, sizeof(U));
    constexpr U sign = U(1) << (sizeof(U) * 8 - 1);
    return (bits & sign) ? ~bits : (bits | sign);
  } else if constexpr (std::is_signed_v<T>) {
    constexpr U sign = U(1) << (sizeof(U) * 8 - 1);
    return static_cast<U>(static_cast<std::conditional_t<sizeof(U) == 8, int64_t, int32_t>>(v)) ^ sign;
  } else {
    return static_cast<U>(v);
  }
}

template <class T, class U>
__global__ void key_kernel(const T* in, U* keys, int64_t* pos, int64_t numel, int64_t n,
                           bool descending) {
  EMBER_GRID_STRIDE(i, numel) {
    U k = ordered_key(in[i]);
    keys[i] = descending ? ~k : k;
    pos[i] = i % n;
  }
}

__global__ void offsets_kernel(int* offsets, int64_t rows, int64_t n) {
  EMBER_GRID_STRIDE(r, rows + 1) offsets[r] = static_cast<int>(r * n);
}

template <class T>
__global__ void gather_rows_kernel(const T* in, const int64_t* pos, T* out, int64_t numel,
                                   int64_t n) {
  EMBER_GRID_STRIDE(i, numel) out[i] = in[(i / n) * n + pos[i]];
}

#undef EMBER_GRID_STRIDE

template <class T>
void sort_rows(const Tensor& values, const Tensor& indices, const Tensor& self, int64_t rows,
               int64_t n, bool descending, cudaStream_t stream) {
  using U = typename KeyOf<T>::type;
  int64_t numel = self.numel();
  Device dev = self.device();
  Tensor keys_in = empty_tensor({numel * static_cast<int64_t>(sizeof(U))}, kUInt8, dev);
  Tensor keys_out = empty_tensor({numel * static_cast<int64_t>(sizeof(U))}, kUInt8, dev);
  Tensor pos_in = empty_tensor({numel}, kInt64, dev);
  Tensor offsets = empty_tensor({rows + 1}, kInt32, dev);
  U* kin = static_cast<U*>(keys_in.data_ptr());
  U* kout = static_cast<U*>(keys_out.data_ptr());
  int64_t* pin = pos_in.data_ptr<int64_t>();
  int64_t* pout = static_cast<int64_t*>(indices.data_ptr());
  int* off = offsets.data_ptr<int32_t>();
  key_kernel<T, U><<<blocks_for(numel), kThreads, 0, stream>>>(
      static_cast<const T*>(self.data_ptr()), kin, pin, numel, n, descending);
  EMBER_CUDA_CHECK_LAUNCH();
  offsets_kernel<<<blocks_for(rows + 1), kThreads, 0, stream>>>(off, rows, n);
  EMBER_CUDA_CHECK_LAUNCH();
  size_t temp_bytes = 0;
  int items = static_cast<int>(numel), segments = static_cast<int>(rows);
  EMBER_CUDA_CHECK(cub::DeviceSegmentedRadixSort::SortPairs(
      nullptr, temp_bytes, kin, kout, pin, pout, items, segments, off, off + 1, 0,
      static_cast<int>(sizeof(U) * 8), stream));
  Tensor temp = empty_tensor({static_cast<int64_t>(temp_bytes > 0 ? temp_bytes : 1)}, kUInt8, dev);
  EMBER_CUDA_CHECK(cub::DeviceSegmentedRadixSort::SortPairs(
      temp.data_ptr(), temp_bytes, kin, kout, pin, pout, items, segments, off, off + 1, 0,
      static_cast<int>(sizeof(U) * 8), stream));
  gather_rows_kernel<T><<<blocks_for(numel), kThreads, 0, stream>>>(
      static_cast<const T*>(self.data_ptr()), pout, static_cast<T*>(values.data_ptr()), numel, n);
  EMBER_CUDA_CHECK_LAUNCH();
}

}  // namespace

void sort(const Tensor& values, const Tensor& indices, const Tensor& self, bool descending) {
  if (self.numel() == 0) return;
  int64_t n = self.dim() == 0 ? 1 : self.sizes().back();
  int64_t rows = self.numel() / n;
  EMBER_CHECK(self.numel() <= INT_MAX, "sort: the CUDA kernel supports at most ", INT_MAX,
              " elements, got shape ", shape_str(self.sizes()));
  int device = self.device().index;
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  EMBER_DISPATCH_ALL_TYPES(self.dtype(), "sort", [&] {
    sort_rows<scalar_t>(values, indices, self, rows, n, descending, stream);
  });
}

}  // namespace ember::cuda
