// index_select, gather, scatter (plain and accumulating) and index_add on CUDA. Index
// ranges were checked by the ops, so kernels never see an out-of-range position. Plain
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
                                    const int64_t* index) {
  EMBER_GRID_STRIDE(i, g.numel) {
    int64_t off[2], digit;
    g.offsets(i, off, digit);
    out[off[0]] = self[off[1] + (index[digit] - digit) * g.dim_stride[1]];
  }
}

// Tensors: 0 out, 1 self (re-targeted along dim by the index element), 2 index.
template <class E>
__global__ void gather_kernel(IndexGeometry<3> g, E* out, const E* self, const int64_t* index) {
  EMBER_GRID_STRIDE(i, g.numel) {
    int64_t off[3], digit;
    g.offsets(i, off, digit);
    int64_t at = index[off[2]];
    out[off[0]] = self[off[1] + (at - digit) * g.dim_stride[1]];
  }
}

// Tensors: 0 out (re-targeted along dim by the index element), 1 index, 2 src.
template <class E, bool Accumulate>
__global__ void scatter_kernel(IndexGeometry<3> g, E* out, const int64_t* index, const E* src) {
  EMBER_GRID_STRIDE(i, g.numel) {
    int64_t off[3], digit;
    g.offsets(i, off, digit);
    int64_t at = index[off[1]];
    E* dst = out + off[0] + (at - digit) * g.dim_stride[0];
    if constexpr (Accumulate) atomic_add(dst, src[off[2]]);
    else *dst = src[off[2]];
  }
}

// Tensors: 0 out (re-targeted along dim by index[digit]), 1 source.
template <class S>
__global__ void index_add_kernel(IndexGeometry<2> g, S* out, const int64_t* index,
                                 const S* source) {
  EMBER_GRID_STRIDE(i, g.numel) {
    int64_t off[2], digit;
    g.offsets(i, off, digit);
    atomic_add(out + off[0] + (index[digit] - digit) * g.dim_stride[0], source[off[1]]);
  }
}

#undef EMBER_GRID_STRIDE

template <class T>
T* typed(const Tensor& t) {
  return static_cast<T*>(t.data_ptr());
}

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
                                                                         typed<E>(self), ix);
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
                                                                   typed<E>(self), ix);
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
  if (accumulate) {
    EMBER_DISPATCH_ALL_TYPES(out.dtype(), "scatter_add", [&] {
      scatter_kernel<scalar_t, true><<<blocks_for(g.numel), kThreads, 0, stream>>>(
          g, typed<scalar_t>(out), ix, typed<scalar_t>(src));
      EMBER_CUDA_CHECK_LAUNCH();
    });
  } else {
    dispatch_element_size(out.element_size(), "scatter", [&]<class E>() {
      scatter_kernel<E, false><<<blocks_for(g.numel), kThreads, 0, stream>>>(
          g, typed<E>(out), ix, typed<E>(src));
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
        g, typed<scalar_t>(out), ix, typed<scalar_t>(source));
    EMBER_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace ember::cuda
