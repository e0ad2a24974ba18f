// index_select, gather, scatter (plain and accumulating) and index_add on CUDA. The ops
// check index ranges without waiting (index_check.cu), so these kernels may still meet an
// out-of-range position: they skip it (`bound` is the indexed dim's size) rather than touch
// memory outside the tensor, and the error is thrown at the next sync. Plain
// copies move bytes (one instantiation per element size). Additions (scatter_add, index_add)
// use no atomics, so their bits never depend on timing: each contribution's destination is a
// key, a stable radix sort groups equal keys in iteration order, and one thread adds each
// group into its destination in that order, as the CPU's loop does (the same bits as the CPU).
#include <cuda_runtime.h>

#include <bit>
#include <cub/device/device_radix_sort.cuh>
#include <limits>

#include "kernels/cuda/add_like_cpu.cuh"
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/index_geometry.h"
#include "kernels/cuda/launch.h"
#include "kernels/tensor_alloc.h"
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
template <class E>
__global__ void scatter_kernel(IndexGeometry<3> g, E* out, const int64_t* index, const E* src,
                               int64_t bound) {
  EMBER_GRID_STRIDE(i, g.numel) {
    int64_t off[3], digit;
    g.offsets(i, off, digit);
    int64_t at = index[off[1]];
    if (at < 0 || at >= bound) continue;
    out[off[0] + (at - digit) * g.dim_stride[0]] = src[off[2]];
  }
}

// Where the accumulating ops' contribution i goes and comes from. scatter_add: tensors 0 out
// (re-targeted along dim by the index element), 1 index, 2 src; index_add: 0 out (re-targeted
// by index[digit]), 1 source.
struct ScatterAddSite {
  static constexpr int kTensors = 3, kSource = 2;
  __device__ static int64_t at(const int64_t* index, const int64_t* off, int64_t) { return index[off[1]]; }
};
struct IndexAddSite {
  static constexpr int kTensors = 2, kSource = 1;
  __device__ static int64_t at(const int64_t* index, const int64_t*, int64_t digit) { return index[digit]; }
};

// Pass 1: contribution i's destination offset as its key (`skip`, sorted last, for an
// out-of-range index), i as its value.
template <class Site>
__global__ void destination_kernel(IndexGeometry<Site::kTensors> g, const int64_t* index, int64_t bound,
                                   int64_t skip, int64_t* keys, int64_t* order) {
  EMBER_GRID_STRIDE(i, g.numel) {
    int64_t off[Site::kTensors], digit;
    g.offsets(i, off, digit);
    int64_t at = Site::at(index, off, digit);
    keys[i] = at < 0 || at >= bound ? skip : off[0] + (at - digit) * g.dim_stride[0];
    order[i] = i;
  }
}

// Pass 3: the first of each run of equal keys adds the run's sources into its destination, in
// iteration order (the sort is stable).
template <class Site, class S>
__global__ void add_runs_kernel(IndexGeometry<Site::kTensors> g, S* out, const S* source, const int64_t* keys,
                                const int64_t* order, int64_t skip) {
  EMBER_GRID_STRIDE(p, g.numel) {
    int64_t key = keys[p];
    if (key == skip || (p > 0 && keys[p - 1] == key)) continue;
    S acc = out[key];
    for (int64_t q = p; q < g.numel && keys[q] == key; ++q) {
      int64_t off[Site::kTensors], digit;
      g.offsets(order[q], off, digit);
      acc = add_like_cpu(acc, source[off[Site::kSource]]);
    }
    out[key] = acc;
  }
}

#undef EMBER_GRID_STRIDE

template <class T>
T* typed(const Tensor& t) {
  return static_cast<T*>(t.data_ptr());
}

// The size of the dim an index points into (a 0-dim tensor has one position).
int64_t size_along(const Tensor& t, int64_t dim) { return dim < t.dim() ? t.sizes()[dim] : 1; }

// One past the farthest element offset of `t` from its data pointer.
int64_t extent(const Tensor& t) {
  int64_t far = 0;
  for (int64_t d = 0; d < t.dim(); ++d) far += (t.sizes()[d] - 1) * t.strides()[d];
  return far + 1;
}

// out[destination of i] += source of i for every contribution i, deterministically: keys,
// a stable radix sort over the bits the offsets need, then the runs.
template <class Site>
void add_deterministically(const char* op, const Tensor& out, const IndexGeometry<Site::kTensors>& g, const Tensor& index,
                int64_t bound, const Tensor& source, cudaStream_t stream) {
  EMBER_CHECK(g.numel <= std::numeric_limits<int>::max(), op, ": at most 2^31 - 1 contributions on CUDA, got ",
              g.numel);
  const int64_t skip = extent(out);
  const int end_bit = std::bit_width(static_cast<uint64_t>(skip));
  Tensor buffers = empty_tensor({4, g.numel}, kInt64, out.device());
  int64_t* keys = buffers.data_ptr<int64_t>();
  int64_t *order = keys + g.numel, *sorted_keys = order + g.numel, *sorted_order = sorted_keys + g.numel;
  destination_kernel<Site><<<blocks_for(g.numel), kThreads, 0, stream>>>(g, index.data_ptr<int64_t>(), bound,
                                                                        skip, keys, order);
  EMBER_CUDA_CHECK_LAUNCH();
  int n = static_cast<int>(g.numel);
  size_t temp_bytes = 0;
  EMBER_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(nullptr, temp_bytes, keys, sorted_keys, order, sorted_order, n,
                                                   0, end_bit, stream));
  Tensor temp = empty_tensor({static_cast<int64_t>(temp_bytes > 0 ? temp_bytes : 1)}, kUInt8, out.device());
  EMBER_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(temp.data_ptr(), temp_bytes, keys, sorted_keys, order,
                                                   sorted_order, n, 0, end_bit, stream));
  EMBER_DISPATCH_ALL_TYPES(out.dtype(), op, [&] {
    add_runs_kernel<Site, scalar_t><<<blocks_for(g.numel), kThreads, 0, stream>>>(
        g, typed<scalar_t>(out), typed<scalar_t>(source), sorted_keys, sorted_order, skip);
    EMBER_CUDA_CHECK_LAUNCH();
  });
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
    add_deterministically<ScatterAddSite>("scatter_add", out, g, index, bound, src, stream);
  } else {
    dispatch_element_size(out.element_size(), "scatter", [&]<class E>() {
      scatter_kernel<E><<<blocks_for(g.numel), kThreads, 0, stream>>>(
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
  add_deterministically<IndexAddSite>("index_add", out, g, index, size_along(out, dim), source, stream);
}

}  // namespace ember::cuda
