// Reductions on CUDA with the semantics of kernels/cpu/reduce_cpu.cpp: NaN propagates
// through Amax/Amin, MaxDim/MinDim/ArgMax/ArgMin report the first index of the extremum
// (a NaN counts as the extremum), Mean divides by red_numel, integer and bool inputs
// accumulate in int64. Floating inputs accumulate like libtorch: float/half/bfloat16 in
// float (in double when the output is float64), double in double.
//
// Simple by design: one thread per output element when few elements are reduced each,
// else one block per output element with a shared-memory tree at the end.
#include <cuda_runtime.h>

#include <limits>
#include <type_traits>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/dtype_access.cuh"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/reduce_geometry.h"
#include "kernels/device/pointwise.h"
#include "kernels/op_registry.h"
#include "runtime/dispatch.h"

namespace ember::cuda {

namespace {

// Below this many reduced elements per output, a thread per output is simpler and at
// least as fast.
constexpr int64_t kBlockReduceThreshold = 256;

// ----- Sum / Mean / Prod / Amax / Amin

enum class FoldKind : int8_t { Sum, Prod, Max, Min };

template <class S, class A>
struct FoldParams {
  const S* in;
  char* out;
  ScalarType out_dtype;
  int64_t out_item;
  FoldKind kind;
  A identity;
  bool mean;
  ReduceGeometry g;
};

template <class A>
__device__ __forceinline__ A fold(FoldKind kind, A acc, A v) {
  switch (kind) {
    case FoldKind::Sum: return acc + v;
    case FoldKind::Prod: return acc * v;
    case FoldKind::Max: return dev::Maximum{}(acc, v);  // NaN-propagating
    default: return dev::Minimum{}(acc, v);
  }
}

template <class S, class A>
__device__ __forceinline__ void store_fold(const FoldParams<S, A>& p, int64_t out_off, A acc) {
  char* dst = p.out + out_off * p.out_item;
  if (!p.mean) {
    store_as(dst, p.out_dtype, acc);
  } else if constexpr (std::is_floating_point_v<A>) {
    store_as(dst, p.out_dtype, acc / static_cast<A>(p.g.red_numel));
  } else {
    store_as(dst, p.out_dtype, static_cast<double>(acc) / static_cast<double>(p.g.red_numel));
  }
}

template <class S, class A>
__global__ void fold_thread_kernel(FoldParams<S, A> p) {
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t o = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       o < p.g.out_numel; o += stride) {
    int64_t in_off, out_off;
    p.g.kept_offsets(o, in_off, out_off);
    const S* base = p.in + in_off;
    A acc = p.identity;
    for (int64_t r = 0; r < p.g.red_numel; ++r)
      acc = fold(p.kind, acc, dev::convert<A>(base[p.g.red_offset(r)]));
    store_fold(p, out_off, acc);
  }
}

template <class S, class A>
__global__ void fold_block_kernel(FoldParams<S, A> p) {
  __shared__ A partial[kThreads];
  const int tid = threadIdx.x;
  for (int64_t o = blockIdx.x; o < p.g.out_numel; o += gridDim.x) {
    int64_t in_off, out_off;
    p.g.kept_offsets(o, in_off, out_off);
    const S* base = p.in + in_off;
    A acc = p.identity;
    for (int64_t r = tid; r < p.g.red_numel; r += blockDim.x)
      acc = fold(p.kind, acc, dev::convert<A>(base[p.g.red_offset(r)]));
    partial[tid] = acc;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
      if (tid < s) partial[tid] = fold(p.kind, partial[tid], partial[tid + s]);
      __syncthreads();
    }
    if (tid == 0) store_fold(p, out_off, partial[0]);
    __syncthreads();  // partial[] is rewritten for the next output
  }
}

template <class A>
A identity_of(FoldKind kind) {
  using L = std::numeric_limits<A>;
  switch (kind) {
    case FoldKind::Sum: return A(0);
    case FoldKind::Prod: return A(1);
    case FoldKind::Max: return L::has_infinity ? -L::infinity() : L::lowest();
    default: return L::has_infinity ? L::infinity() : L::max();
  }
}

template <class S, class A>
void launch_fold(const ReduceArgs& a, const ReduceGeometry& g, cudaStream_t stream) {
  FoldParams<S, A> p{};
  p.in = reinterpret_cast<const S*>(a.in);
  p.out = a.out;
  p.out_dtype = a.out_dtype;
  p.out_item = static_cast<int64_t>(itemsize(a.out_dtype));
  switch (a.op) {
    case OpId::Sum: case OpId::Mean: p.kind = FoldKind::Sum; break;
    case OpId::Prod: p.kind = FoldKind::Prod; break;
    case OpId::Amax: p.kind = FoldKind::Max; break;
    case OpId::Amin: p.kind = FoldKind::Min; break;
    default: EMBER_FAIL("internal: ", op_name(a.op), " is not a folding reduction");
  }
  p.identity = identity_of<A>(p.kind);
  p.mean = a.op == OpId::Mean;
  p.g = g;
  if (g.red_numel >= kBlockReduceThreshold) {
    fold_block_kernel<S, A><<<blocks_for(g.out_numel, 1), kThreads, 0, stream>>>(p);
  } else {
    fold_thread_kernel<S, A><<<blocks_for(g.out_numel), kThreads, 0, stream>>>(p);
  }
  EMBER_CUDA_CHECK_LAUNCH();
}

template <class S>
void dispatch_fold(const ReduceArgs& a, const ReduceGeometry& g, cudaStream_t stream) {
  if constexpr (std::is_same_v<S, double>) {
    launch_fold<S, double>(a, g, stream);
  } else if constexpr (std::is_floating_point_v<S> || std::is_same_v<S, Half> ||
                       std::is_same_v<S, BFloat16>) {
    if (a.out_dtype == kFloat64) launch_fold<S, double>(a, g, stream);
    else launch_fold<S, float>(a, g, stream);
  } else {
    launch_fold<S, int64_t>(a, g, stream);
  }
}

// ----- MaxDim / MinDim / ArgMax / ArgMin

template <class S>
using CompareType = std::conditional_t<std::is_same_v<S, bool>, int, typename dev::OpMath<S>::type>;

template <class C>
struct Best {
  C v;
  int64_t i;  // -1: nothing seen yet
};

template <class C>
__device__ __forceinline__ bool is_nan(C v) {
  if constexpr (std::is_floating_point_v<C>) return v != v;
  else return false;
}

// The extremum of two partial results with the sequential loop's answer: the first NaN if
// any, else the extreme value at the smallest index.
template <class C>
__device__ __forceinline__ Best<C> better_of(Best<C> a, Best<C> b, bool want_max) {
  if (a.i < 0) return b;
  if (b.i < 0) return a;
  bool an = is_nan(a.v), bn = is_nan(b.v);
  if (an || bn) {
    if (an && bn) return a.i <= b.i ? a : b;
    return an ? a : b;
  }
  if (a.v == b.v) return a.i <= b.i ? a : b;
  bool a_wins = want_max ? a.v > b.v : a.v < b.v;
  return a_wins ? a : b;
}

template <class S>
struct ArgParams {
  const S* in;
  char* out;          // S values (MaxDim/MinDim) or int64 indices (ArgMax/ArgMin)
  int64_t* indices;   // MaxDim/MinDim only
  bool want_max;
  bool values_out;
  ReduceGeometry g;
};

template <class S>
__device__ __forceinline__ void store_arg(const ArgParams<S>& p, int64_t out_off,
                                          Best<CompareType<S>> b) {
  if (p.values_out) {
    reinterpret_cast<S*>(p.out)[out_off] = dev::convert<S>(b.v);
    p.indices[out_off] = b.i;
  } else {
    reinterpret_cast<int64_t*>(p.out)[out_off] = b.i;
  }
}

template <class S>
__global__ void arg_thread_kernel(ArgParams<S> p) {
  using C = CompareType<S>;
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t o = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
       o < p.g.out_numel; o += stride) {
    int64_t in_off, out_off;
    p.g.kept_offsets(o, in_off, out_off);
    const S* base = p.in + in_off;
    Best<C> best{C(), -1};
    for (int64_t r = 0; r < p.g.red_numel; ++r)
      best = better_of(best, Best<C>{dev::convert<C>(base[p.g.red_offset(r)]), r}, p.want_max);
    store_arg(p, out_off, best);
  }
}

template <class S>
__global__ void arg_block_kernel(ArgParams<S> p) {
  using C = CompareType<S>;
  __shared__ C values[kThreads];
  __shared__ int64_t positions[kThreads];
  const int tid = threadIdx.x;
  for (int64_t o = blockIdx.x; o < p.g.out_numel; o += gridDim.x) {
    int64_t in_off, out_off;
    p.g.kept_offsets(o, in_off, out_off);
    const S* base = p.in + in_off;
    Best<C> best{C(), -1};
    for (int64_t r = tid; r < p.g.red_numel; r += blockDim.x)
      best = better_of(best, Best<C>{dev::convert<C>(base[p.g.red_offset(r)]), r}, p.want_max);
    values[tid] = best.v;
    positions[tid] = best.i;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
      if (tid < s) {
        Best<C> m = better_of(Best<C>{values[tid], positions[tid]},
                              Best<C>{values[tid + s], positions[tid + s]}, p.want_max);
        values[tid] = m.v;
        positions[tid] = m.i;
      }
      __syncthreads();
    }
    if (tid == 0) store_arg(p, out_off, Best<C>{values[0], positions[0]});
    __syncthreads();
  }
}

template <class S>
void launch_arg(const ReduceArgs& a, const ReduceGeometry& g, cudaStream_t stream) {
  EMBER_CHECK(g.red_numel > 0, op_name(a.op), "(): cannot reduce over a zero-size dimension");
  ArgParams<S> p{};
  p.in = reinterpret_cast<const S*>(a.in);
  p.out = a.out;
  p.indices = a.indices;
  p.want_max = a.op == OpId::MaxDim || a.op == OpId::ArgMax;
  p.values_out = a.op == OpId::MaxDim || a.op == OpId::MinDim;
  EMBER_CHECK(!p.values_out || a.indices, "internal: ", op_name(a.op), " without an indices output");
  p.g = g;
  if (g.red_numel >= kBlockReduceThreshold) {
    arg_block_kernel<S><<<blocks_for(g.out_numel, 1), kThreads, 0, stream>>>(p);
  } else {
    arg_thread_kernel<S><<<blocks_for(g.out_numel), kThreads, 0, stream>>>(p);
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
    switch (a.op) {
      case OpId::MaxDim:
      case OpId::MinDim:
      case OpId::ArgMax:
      case OpId::ArgMin:
        launch_arg<scalar_t>(a, g, stream);
        break;
      default:
        dispatch_fold<scalar_t>(a, g, stream);
    }
  });
}

}  // namespace ember::cuda
