#pragma once
// CUDA kernels over the shared pointwise functors (kernels/device/pointwise.h), with the
// CPU loops' semantics (kernels/cpu/pointwise_loops.h): operands are converted to the
// compute type, the functor runs, its result is converted to the output dtype.
//
// Two paths:
//  - fast: every tensor operand dense and of one storage type S, compute type of S; 128-bit
//    vector loads/stores when all pointers are 16-byte aligned (a scalar loop does the tail
//    and the unaligned case). Instantiated per (op, S, scalar mask) like the CPU fast path.
//  - general: any strides and dtype mix; byte offsets from an OffsetCalc, dtype switch per
//    load/store. Instantiated per (op, compute type, 32/64-bit index math).
#include <cuda_runtime.h>

#include <type_traits>
#include <utility>

#include "kernels/backend.h"
#include "kernels/cuda/dtype_access.cuh"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/offset_calc.h"
#include "kernels/device/cast.h"
#include "kernels/device/pointwise.h"
#include "kernels/op_registry.h"
#include "kernels/pointwise_dispatch.h"

namespace ember::cuda {

// ----- compute types (the same mapping as the CPU loops)

// Rules whose output can share the inputs' storage dtype with a compute type != bool.
// Compare/Logical write bool; Where/MaskedFill always have a bool operand next to a
// non-bool output, so contiguous_same_dtype() never holds for them.
template <DtypeRule R>
constexpr bool has_fast_path() {
  return R == DtypeRule::Promote || R == DtypeRule::NoBool || R == DtypeRule::Float ||
         R == DtypeRule::Cast;
}


// ----- fast path

template <class S, int V>
struct alignas(sizeof(S) * V) Vec {
  S v[V];
};

template <class S, class T, int N>
struct FastArgs {
  S* out;
  const S* in[N];
  T scalar[N];
};

template <size_t K, unsigned Mask, class S, class T, int N>
__device__ __forceinline__ T fast_arg(const FastArgs<S, T, N>& a, int64_t i) {
  if constexpr ((Mask >> K) & 1u) return a.scalar[K];
  else return dev::convert<T>(a.in[K][i]);
}

template <size_t K, unsigned Mask, class S, class T, int N, int V>
__device__ __forceinline__ T fast_vec_arg(const FastArgs<S, T, N>& a, const Vec<S, V> (&v)[N],
                                          int e) {
  if constexpr ((Mask >> K) & 1u) return a.scalar[K];
  else return dev::convert<T>(v[K].v[e]);
}

// Bit k of Mask marks input k as a by-value scalar (its pointer is unused).
template <class Op, class S, class T, unsigned Mask, int N, size_t... I>
__global__ void pointwise_fast_kernel(FastArgs<S, T, N> a, int64_t numel, bool vectorize,
                                      std::index_sequence<I...>) {
  constexpr int V = 16 / sizeof(S);
  const int64_t stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
  const int64_t tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  int64_t scalar_begin = 0;
  if (vectorize) {
    const int64_t nvec = numel / V;
    for (int64_t j = tid; j < nvec; j += stride) {
      Vec<S, V> in[N];
#pragma unroll
      for (int k = 0; k < N; ++k)
        if (!((Mask >> k) & 1u)) in[k] = reinterpret_cast<const Vec<S, V>*>(a.in[k])[j];
      Vec<S, V> out;
#pragma unroll
      for (int e = 0; e < V; ++e)
        out.v[e] = dev::convert<S>(Op{}(fast_vec_arg<I, Mask, S, T, N, V>(a, in, e)...));
      reinterpret_cast<Vec<S, V>*>(a.out)[j] = out;
    }
    scalar_begin = nvec * V;
  }
  for (int64_t i = scalar_begin + tid; i < numel; i += stride)
    a.out[i] = dev::convert<S>(Op{}(fast_arg<I, Mask, S, T, N>(a, i)...));
}

inline bool aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15u) == 0; }

template <class Op, class S, class T, unsigned Mask>
void launch_fast(const PointwiseArgs& a, cudaStream_t stream) {
  constexpr int N = Op::arity;
  constexpr int V = 16 / sizeof(S);
  FastArgs<S, T, N> f{};
  f.out = reinterpret_cast<S*>(a.out.data);
  bool vectorize = aligned16(f.out);
  for (int k = 0; k < N; ++k) {
    if ((Mask >> k) & 1u) {
      f.in[k] = nullptr;
      f.scalar[k] = scalar_as<T>(a.in[k].value);
    } else {
      f.in[k] = reinterpret_cast<const S*>(a.in[k].data);
      f.scalar[k] = T();
      vectorize = vectorize && aligned16(f.in[k]);
    }
  }
  int64_t items = vectorize ? (a.numel + V - 1) / V : a.numel;
  pointwise_fast_kernel<Op, S, T, Mask, N><<<blocks_for(items), kThreads, 0, stream>>>(
      f, a.numel, vectorize, std::make_index_sequence<N>{});
  EMBER_CUDA_CHECK_LAUNCH();
}

template <class Op, DtypeRule R, class S>
bool try_fast(const PointwiseArgs& a, cudaStream_t stream) {
  using T = compute_of<S>;
  if constexpr (!rule_allows<R, T>()) {
    return false;
  } else {
    if (a.out.dtype != dtype_of<S>() || a.compute != compute_enum<T>()) return false;
    unsigned mask = scalar_mask(a);
    if constexpr (Op::arity == 1) {
      if (mask == 0) return launch_fast<Op, S, T, 0>(a, stream), true;
    } else if constexpr (Op::arity == 2) {
      if (mask == 0) return launch_fast<Op, S, T, 0>(a, stream), true;
      if (mask == 1) return launch_fast<Op, S, T, 1>(a, stream), true;
      if (mask == 2) return launch_fast<Op, S, T, 2>(a, stream), true;
    } else {
      if (mask == 0) return launch_fast<Op, S, T, 0>(a, stream), true;
      if (mask == 6) return launch_fast<Op, S, T, 6>(a, stream), true;
    }
    return false;
  }
}

// ----- general path

template <class T, int N, class Index, class Offset>
struct GeneralArgs {
  char* out;
  const char* in[N];
  ScalarType out_dtype;
  ScalarType in_dtype[N];
  bool is_scalar[N];
  T scalar[N];
  OffsetCalc<N + 1, Index, Offset> calc;  // operand 0 is the output
};

template <class Op, class T, int N, class Index, class Offset, size_t... I>
__global__ void pointwise_general_kernel(GeneralArgs<T, N, Index, Offset> a, Index numel,
                                         std::index_sequence<I...>) {
  const Index stride = static_cast<Index>(blockDim.x) * gridDim.x;
  for (Index i = static_cast<Index>(blockIdx.x) * blockDim.x + threadIdx.x; i < numel;
       i += stride) {
    Offset off[N + 1];
    a.calc.get(i, off);
    T v[N];
#pragma unroll
    for (int k = 0; k < N; ++k)
      v[k] = a.is_scalar[k] ? a.scalar[k] : load_as<T>(a.in[k] + off[k + 1], a.in_dtype[k]);
    store_as(a.out + off[0], a.out_dtype, Op{}(v[I]...));
  }
}

template <class Op, class T, class Index, class Offset>
void launch_general_with(const PointwiseArgs& a, cudaStream_t stream) {
  constexpr int N = Op::arity;
  GeneralArgs<T, N, Index, Offset> g{};
  g.out = a.out.data;
  g.out_dtype = a.out.dtype;
  const Shape* strides[N + 1];
  strides[0] = &a.out.strides;
  for (int k = 0; k < N; ++k) {
    const Operand& o = a.in[k];
    g.in[k] = o.data;
    g.in_dtype[k] = o.dtype;
    g.is_scalar[k] = o.is_scalar;
    g.scalar[k] = o.is_scalar ? scalar_as<T>(o.value) : T();
    strides[k + 1] = &o.strides;
  }
  g.calc = make_offset_calc<N + 1, Index, Offset>(a.sizes, strides, op_name(a.op));
  pointwise_general_kernel<Op, T, N, Index, Offset><<<blocks_for(a.numel), kThreads, 0, stream>>>(
      g, static_cast<Index>(a.numel), std::make_index_sequence<N>{});
  EMBER_CUDA_CHECK_LAUNCH();
}

template <class Op, class T>
void launch_general(const PointwiseArgs& a, cudaStream_t stream) {
  std::vector<const Shape*> strides{&a.out.strides};
  for (const auto& o : a.in)
    if (!o.is_scalar) strides.push_back(&o.strides);
  if (fits_32bit(a.sizes, a.numel, strides))
    launch_general_with<Op, T, uint32_t, int32_t>(a, stream);
  else
    launch_general_with<Op, T, uint64_t, int64_t>(a, stream);
}

template <class Op, DtypeRule R>
void run_pointwise_op(const PointwiseArgs& a, cudaStream_t stream) {
  dispatch_pointwise<R>(
      a,
      [&]<class S>() {
        if constexpr (has_fast_path<R>()) return try_fast<Op, R, S>(a, stream);
        else return false;
      },
      [&]<class T>() { launch_general<Op, T>(a, stream); });
}

// Runs `a` if its op has this arity; instantiated once per arity in
// pointwise_{unary,binary,ternary}.cu so the three compile in parallel.
template <int Arity>
bool run_pointwise_arity(const PointwiseArgs& a, cudaStream_t stream) {
  switch (a.op) {
#define EMBER_CASE(N, ARITY, RULE, ...)                                \
  case OpId::N:                                                    \
    if constexpr (ARITY == Arity) {                                \
      run_pointwise_op<dev::N, DtypeRule::RULE>(a, stream);        \
      return true;                                                 \
    }                                                              \
    return false;
    EMBER_POINTWISE_OPS(EMBER_CASE)
#undef EMBER_CASE
    default:
      return false;
  }
}

}  // namespace ember::cuda
