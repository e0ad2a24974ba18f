// Reductions on CUDA. What each computes (identity, combine, finalize, accumulation type)
// is kernels/device/reduce.h, shared with the CPU: NaN propagates through Amax/Amin,
// MaxDim/MinDim/ArgMax/ArgMin report the first index of the extremum (a NaN counts as the
// extremum), Mean divides by red_numel, integer and bool inputs accumulate in int64.
// Floating inputs accumulate like libtorch (AccWidth::Narrow: float/half/bfloat16 in float,
// double in double), in double when the output is float64 (cuda_acc_width).
//
// Simple by design: one thread per output element when few elements are reduced each,
// else one block per output element with a shared-memory tree at the end.
#include <cuda_runtime.h>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/dtype_access.cuh"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/reduce_geometry.h"
#include "kernels/device/reduce.h"
#include "kernels/op_registry.h"
#include "kernels/reduce_dispatch.h"
#include "runtime/dispatch.h"

namespace ember::cuda {

namespace {

// Below this many reduced elements per output, a thread per output is simpler and at
// least as fast.
constexpr int64_t kBlockReduceThreshold = 256;

// ----- Sum / Mean / Prod / Amax / Amin

template <class S>
struct FoldParams {
  const S* in;
  char* out;
  ScalarType out_dtype;
  int64_t out_item;
  ReduceGeometry g;
};

template <class K, class S, class A>
__device__ __forceinline__ void store_fold(const FoldParams<S>& p, int64_t out_off, A acc) {
  store_as(p.out + out_off * p.out_item, p.out_dtype, K::finalize(acc, p.g.red_numel));
}

template <class K, class S, class A>
__global__ void fold_thread_kernel(FoldParams<S> p) {
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t o = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       o < p.g.out_numel; o += stride) {
    int64_t in_off, out_off;
    p.g.kept_offsets(o, in_off, out_off);
    const S* base = p.in + in_off;
    A acc = K::template identity<A>();
    for (int64_t r = 0; r < p.g.red_numel; ++r)
      acc = K::combine(acc, dev::convert<A>(base[p.g.red_offset(r)]));
    store_fold<K>(p, out_off, acc);
  }
}

template <class K, class S, class A>
__global__ void fold_block_kernel(FoldParams<S> p) {
  __shared__ A partial[kThreads];
  const int tid = threadIdx.x;
  for (int64_t o = blockIdx.x; o < p.g.out_numel; o += gridDim.x) {
    int64_t in_off, out_off;
    p.g.kept_offsets(o, in_off, out_off);
    const S* base = p.in + in_off;
    A acc = K::template identity<A>();
    for (int64_t r = tid; r < p.g.red_numel; r += blockDim.x)
      acc = K::combine(acc, dev::convert<A>(base[p.g.red_offset(r)]));
    partial[tid] = acc;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
      if (tid < s) partial[tid] = K::combine(partial[tid], partial[tid + s]);
      __syncthreads();
    }
    if (tid == 0) store_fold<K>(p, out_off, partial[0]);
    __syncthreads();  // partial[] is rewritten for the next output
  }
}

template <class K, class S, class A>
void launch_fold(const ReduceArgs& a, const ReduceGeometry& g, cudaStream_t stream) {
  FoldParams<S> p{};
  p.in = reinterpret_cast<const S*>(a.in);
  p.out = a.out;
  p.out_dtype = a.out_dtype;
  p.out_item = static_cast<int64_t>(itemsize(a.out_dtype));
  p.g = g;
  if (g.red_numel >= kBlockReduceThreshold) {
    fold_block_kernel<K, S, A><<<blocks_for(g.out_numel, 1), kThreads, 0, stream>>>(p);
  } else {
    fold_thread_kernel<K, S, A><<<blocks_for(g.out_numel), kThreads, 0, stream>>>(p);
  }
  EMBER_CUDA_CHECK_LAUNCH();
}

template <class K, class S>
void dispatch_fold(const ReduceArgs& a, const ReduceGeometry& g, cudaStream_t stream) {
  using dev::red::AccOf;
  using dev::red::AccWidth;
  if (dev::red::cuda_acc_width(a.out_dtype == kFloat64) == AccWidth::Wide)
    launch_fold<K, S, AccOf<K, S, AccWidth::Wide>>(a, g, stream);
  else
    launch_fold<K, S, AccOf<K, S, AccWidth::Narrow>>(a, g, stream);
}

// ----- MaxDim / MinDim / ArgMax / ArgMin

template <class S>
struct ArgParams {
  const S* in;
  char* out;          // S values (MaxDim/MinDim) or int64 indices (ArgMax/ArgMin)
  int64_t* indices;   // MaxDim/MinDim only
  ReduceGeometry g;
};

template <class K, class S, class B>
__device__ __forceinline__ void store_arg(const ArgParams<S>& p, int64_t out_off, B b) {
  if constexpr (K::writes_values) {
    reinterpret_cast<S*>(p.out)[out_off] = dev::convert<S>(b.v);
    p.indices[out_off] = b.i;
  } else {
    reinterpret_cast<int64_t*>(p.out)[out_off] = b.i;
  }
}

template <class K, class S>
__global__ void arg_thread_kernel(ArgParams<S> p) {
  using B = dev::red::AccOf<K, S, dev::red::AccWidth::Narrow>;
  using C = decltype(B::v);
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t o = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       o < p.g.out_numel; o += stride) {
    int64_t in_off, out_off;
    p.g.kept_offsets(o, in_off, out_off);
    const S* base = p.in + in_off;
    B best = K::template identity<B>();
    for (int64_t r = 0; r < p.g.red_numel; ++r)
      best = K::combine(best, B{dev::convert<C>(base[p.g.red_offset(r)]), r});
    store_arg<K>(p, out_off, best);
  }
}

template <class K, class S>
__global__ void arg_block_kernel(ArgParams<S> p) {
  using B = dev::red::AccOf<K, S, dev::red::AccWidth::Narrow>;
  using C = decltype(B::v);
  __shared__ B partial[kThreads];
  const int tid = threadIdx.x;
  for (int64_t o = blockIdx.x; o < p.g.out_numel; o += gridDim.x) {
    int64_t in_off, out_off;
    p.g.kept_offsets(o, in_off, out_off);
    const S* base = p.in + in_off;
    B best = K::template identity<B>();
    for (int64_t r = tid; r < p.g.red_numel; r += blockDim.x)
      best = K::combine(best, B{dev::convert<C>(base[p.g.red_offset(r)]), r});
    partial[tid] = best;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
      if (tid < s) partial[tid] = K::combine(partial[tid], partial[tid + s]);
      __syncthreads();
    }
    if (tid == 0) store_arg<K>(p, out_off, partial[0]);
    __syncthreads();
  }
}

template <class K, class S>
void launch_arg(const ReduceArgs& a, const ReduceGeometry& g, cudaStream_t stream) {
  EMBER_CHECK(g.red_numel > 0, op_name(a.op), "(): cannot reduce over a zero-size dimension");
  EMBER_CHECK(!K::writes_values || a.indices, "internal: ", op_name(a.op), " without an indices output");
  ArgParams<S> p{};
  p.in = reinterpret_cast<const S*>(a.in);
  p.out = a.out;
  p.indices = a.indices;
  p.g = g;
  if (g.red_numel >= kBlockReduceThreshold) {
    arg_block_kernel<K, S><<<blocks_for(g.out_numel, 1), kThreads, 0, stream>>>(p);
  } else {
    arg_thread_kernel<K, S><<<blocks_for(g.out_numel), kThreads, 0, stream>>>(p);
  }
  EMBER_CUDA_CHECK_LAUNCH();
}

}  // namespace

void reduce(const ReduceArgs& a) {
  if (a.out_numel == 0) return;
  ReduceGeometry g = make_reduce_geometry(a);
  int device = device_of(a.out);
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  EMBER_DISPATCH_ALL_TYPES(a.in_dtype, op_name(a.op), [&] {
    dispatch_reduction(a.op, [&](auto kind) {
      using K = decltype(kind);
      if constexpr (K::indexed) launch_arg<K, scalar_t>(a, g, stream);
      else dispatch_fold<K, scalar_t>(a, g, stream);
    });
  });
}

}  // namespace ember::cuda
