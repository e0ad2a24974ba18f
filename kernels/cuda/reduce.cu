// Reductions on CUDA. What each computes (identity, combine, finalize, accumulation type)
// is kernels/device/reduce.h, shared with the CPU: NaN propagates through Amax/Amin,
// MaxDim/MinDim/ArgMax/ArgMin report the first index of the extremum (a NaN counts as the
// extremum), Mean divides by red_numel, integer and bool inputs accumulate in int64.
// Floating inputs accumulate like libtorch (AccWidth::Narrow: float/half/bfloat16 in float,
// double in double), in double when the output is float64 (cuda_acc_width).
//
// The schedule (a thread or a block per output, or chunks then a combine for long
// reductions into few outputs) is kernels/cuda/reduce_schedule.h; the arg reductions use a
// thread or a block per output.
#include <cuda_runtime.h>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/dtype_access.cuh"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/reduce_geometry.h"
#include "kernels/cuda/reduce_schedule.h"
#include "kernels/tensor_alloc.h"
#include "kernels/device/reduce.h"
#include "kernels/op_registry.h"
#include "kernels/reduce_dispatch.h"
#include "runtime/dispatch.h"

namespace ember::cuda {

namespace {

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

// The block's accumulators combined by a shared-memory tree; the result is valid in thread 0.
// Ends with a barrier, so `partial` can be reused at once.
template <class K, class A>
__device__ __forceinline__ A block_combine(A* partial, A acc) {
  const int tid = threadIdx.x;
  partial[tid] = acc;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (tid < s) partial[tid] = K::combine(partial[tid], partial[tid + s]);
    __syncthreads();
  }
  A result = partial[0];
  __syncthreads();
  return result;
}

// Reduced elements [begin, end) of output o, strided over the block's threads.
template <class K, class S, class A>
__device__ __forceinline__ A fold_range(const FoldParams<S>& p, const S* base, int64_t begin, int64_t end) {
  A acc = K::template identity<A>();
  for (int64_t r = begin + threadIdx.x; r < end; r += blockDim.x)
    acc = K::combine(acc, dev::convert<A>(base[p.g.red_offset(r)]));
  return acc;
}

template <class K, class S, class A>
__global__ void fold_block_kernel(FoldParams<S> p) {
  __shared__ A partial[kThreads];
  for (int64_t o = blockIdx.x; o < p.g.out_numel; o += gridDim.x) {
    int64_t in_off, out_off;
    p.g.kept_offsets(o, in_off, out_off);
    A acc = block_combine<K>(partial, fold_range<K, S, A>(p, p.in + in_off, 0, p.g.red_numel));
    if (threadIdx.x == 0) store_fold<K>(p, out_off, acc);
  }
}

// Pass 1 of SplitThenCombine: block b folds chunk b % splits of output b / splits.
template <class K, class S, class A>
__global__ void fold_chunk_kernel(FoldParams<S> p, int64_t splits, int64_t chunk, A* partials) {
  __shared__ A partial[kThreads];
  for (int64_t b = blockIdx.x; b < p.g.out_numel * splits; b += gridDim.x) {
    int64_t o = b / splits, begin = (b - o * splits) * chunk;
    int64_t in_off, out_off;
    p.g.kept_offsets(o, in_off, out_off);
    int64_t end = begin + chunk < p.g.red_numel ? begin + chunk : p.g.red_numel;
    A acc = block_combine<K>(partial, fold_range<K, S, A>(p, p.in + in_off, begin, end));
    if (threadIdx.x == 0) partials[b] = acc;
  }
}

// Pass 2: one block per output combines its chunks, always in the same order.
template <class K, class S, class A>
__global__ void fold_partials_kernel(FoldParams<S> p, int64_t splits, const A* partials) {
  __shared__ A partial[kThreads];
  for (int64_t o = blockIdx.x; o < p.g.out_numel; o += gridDim.x) {
    A acc = K::template identity<A>();
    for (int64_t s = threadIdx.x; s < splits; s += blockDim.x) acc = K::combine(acc, partials[o * splits + s]);
    acc = block_combine<K>(partial, acc);
    int64_t in_off, out_off;
    p.g.kept_offsets(o, in_off, out_off);
    if (threadIdx.x == 0) store_fold<K>(p, out_off, acc);
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
  FoldSchedule plan = plan_fold(g);
  switch (plan.kind) {
    case FoldSchedule::Kind::ThreadPerOutput:
      fold_thread_kernel<K, S, A><<<blocks_for(g.out_numel), kThreads, 0, stream>>>(p);
      break;
    case FoldSchedule::Kind::BlockPerOutput:
      fold_block_kernel<K, S, A><<<blocks_for(g.out_numel, 1), kThreads, 0, stream>>>(p);
      break;
    case FoldSchedule::Kind::SplitThenCombine: {
      // Freed when this returns: the caching allocator hands it out again only to later work
      // on this stream, after both passes.
      int64_t blocks = g.out_numel * plan.splits;
      Tensor scratch = empty_tensor({blocks * static_cast<int64_t>(sizeof(A))}, kUInt8, Device(kCUDA, current_device()));
      A* partials = static_cast<A*>(scratch.data_ptr());
      fold_chunk_kernel<K, S, A><<<blocks_for(blocks, 1), kThreads, 0, stream>>>(p, plan.splits, plan.chunk, partials);
      EMBER_CUDA_CHECK_LAUNCH();
      fold_partials_kernel<K, S, A><<<blocks_for(g.out_numel, 1), kThreads, 0, stream>>>(p, plan.splits, partials);
      break;
    }
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
