// index_select, gather, scatter (plain and accumulating) and index_add on CUDA. The ops
// check index ranges without waiting (index_check.cu), so these kernels may still meet an
// out-of-range position: they skip it (`bound` is the indexed dim's size) rather than touch
// memory outside the tensor, and the error is thrown at the next sync. Plain
// copies move bytes (one instantiation per element size); additions are atomic per dtype,
// so duplicate indices accumulate correctly (in an unspecified order, like libtorch).
#include <cuda_runtime.h>

#include "kernels/cuda/atomics.cuh"
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/index_geometry.h"
#include "kernels/cuda/launch.h"
#include "runtime/dispatch.h"

namespace ember::cuda {

namespace {

// Runs f.operator()<E>() with E an unsigned type of the element size.
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

#define EMBER_GRID_STRIDE(i, n)                                                          \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)

// Tensors: 0 out, 1 self (re-targeted along dim by index[digit]).
template <class E>
__global__ void index_select_kernel(IndexGeometry<2> g, E* out, const E* self,
                                    const int64_t* index, int64_t bound) {
  EMBER_GRID_STRIDE(i, g.numel) {
    int64_t off[2], digit;
    g.offsets(i, off, digit);
    int64_t at = index[digit];
    if (at < 0 || at >= bound) continue;
    out[off[0]] = self[off[1] + (at - digit) * g.dim_stride[1]];
  }
}

// Tensors: 0 out, 1 self (re-targeted along dim by the index element), 2 index.
template <class E>
__global__ void gather_kernel(IndexGeometry<3> g, E* out, const E* self, const int64_t* index,
                              int64_t bound) {
  EMBER_GRID_STRIDE(i, g.numel) {
    int64_t off[3], digit;
    g.offsets(i, off, digit);
    int64_t at = index[off[2]];
    if (at < 0 || at >= bound) continue;
    out[off[0]] = self[off[1] + (at - digit) * g.dim_stride[1]];
  }
}

// Tensors: 0 out (re-targeted along dim by the index element), 1 index, 2 src.
template <class E, bool Accumulate>
__global__ void scatter_kernel(IndexGeometry<3> g, E* out, const int64_t* index, const E* src,
                               int64_t bound) {
  EMBER_GRID_STRIDE(i, g.numel) {
    int64_t off[3], digit;
    g.offsets(i, off, digit);
    int64_t at = index[off[1]];
    if (at < 0 || at >= bound) continue;
    E* dst = out + off[0] + (at - digit) * g.dim_stride[0];
    if constexpr (Accumulate) atomic_add(dst, src[off[2]]);
    else *dst = src[off[2]];
  }
}

// Tensors: 0 out (re-targeted along dim by index[digit]), 1 source.
template <class S>
__global__ void index_add_kernel(IndexGeometry<2> g, S* out, const int64_t* index,
                                 const S* source, int64_t bound) {
  EMBER_GRID_STRIDE(i, g.numel) {
    int64_t off[2], digit;
    g.offsets(i, off, digit);
    int64_t at = index[digit];
    if (at < 0 || at >= bound) continue;
    atomic_add(out + off[0] + (at - digit) * g.dim_stride[0], source[off[1]]);
  }
}

#undef EMBER_GRID_STRIDE

template <class T>
T* typed(const Tensor& t) {
  return static_cast<T*>(t.data_ptr());
}

// The size of the dim an index points into (a 0-dim tensor has one position).
int64_t size_along(const Tensor& t, int64_t dim) { return dim < t.dim() ? t.sizes()[dim] : 1; }

}  // namespace

void index_select(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index) {
  auto g = make_index_geometry<2>("index_select", out.sizes(), dim, {&out, &self});
  if (g.numel == 0) return;
  int device = out.device().index;
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  const int64_t* ix = index.data_ptr<int64_t>();
  dispatch_element_size(out.element_size(), "index_select", [&]<class E>() {
    index_select_kernel<E><<<blocks_for(g.numel), kThreads, 0, stream>>>(g, typed<E>(out),
                                                                         typed<E>(self), ix,
                                                                         size_along(self, dim));
    EMBER_CUDA_CHECK_LAUNCH();
  });
}

void gather(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index) {
  auto g = make_index_geometry<3>("gather", index.sizes(), dim, {&out, &self, &index});
  if (g.numel == 0) return;
  int device = out.device().index;
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  const int64_t* ix = index.data_ptr<int64_t>();
  dispatch_element_size(out.element_size(), "gather", [&]<class E>() {
    gather_kernel<E><<<blocks_for(g.numel), kThreads, 0, stream>>>(g, typed<E>(out),
                                                                   typed<E>(self), ix,
                                                                   size_along(self, dim));
    EMBER_CUDA_CHECK_LAUNCH();
  });
}

void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src,
             bool accumulate) {
  auto g = make_index_geometry<3>("scatter", index.sizes(), dim, {&out, &index, &src});
  if (g.numel == 0) return;
  int device = out.device().index;
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  const int64_t* ix = index.data_ptr<int64_t>();
  int64_t bound = size_along(out, dim);
  if (accumulate) {
    EMBER_DISPATCH_ALL_TYPES(out.dtype(), "scatter_add", [&] {
      scatter_kernel<scalar_t, true><<<blocks_for(g.numel), kThreads, 0, stream>>>(
          g, typed<scalar_t>(out), ix, typed<scalar_t>(src), bound);
      EMBER_CUDA_CHECK_LAUNCH();
    });
  } else {
    dispatch_element_size(out.element_size(), "scatter", [&]<class E>() {
      scatter_kernel<E, false><<<blocks_for(g.numel), kThreads, 0, stream>>>(
          g, typed<E>(out), ix, typed<E>(src), bound);
      EMBER_CUDA_CHECK_LAUNCH();
    });
  }
}

void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& source) {
  auto g = make_index_geometry<2>("index_add", source.sizes(), dim, {&out, &source});
  if (g.numel == 0) return;
  int device = out.device().index;
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  const int64_t* ix = index.data_ptr<int64_t>();
  EMBER_DISPATCH_ALL_TYPES(out.dtype(), "index_add", [&] {
    index_add_kernel<scalar_t><<<blocks_for(g.numel), kThreads, 0, stream>>>(
        g, typed<scalar_t>(out), ix, typed<scalar_t>(source), size_along(out, dim));
    EMBER_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace ember::cuda
