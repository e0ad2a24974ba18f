#pragma once
// CPU loops over the shared functors. A fast path for dense operands of one storage type
// (auto-vectorised), and a general path for any strides and dtype mix that converts
// operands through small L1-resident chunks.
#include <utility>

#include "kernels/backend.h"
#include "kernels/cpu/parallel.h"
#include "kernels/cpu/strided_walk.h"
#include "kernels/cpu/vector_math.h"
#include "kernels/device/cast.h"
#include "kernels/device/pointwise.h"
#include "kernels/op_registry.h"
#include "kernels/pointwise_dispatch.h"
#include "runtime/dispatch.h"

namespace ember::cpu {

constexpr int64_t kChunk = 256;

template <class T>
void load_chunk(T* dst, const char* src, int64_t stride, ScalarType dt, int64_t n) {
  EMBER_DISPATCH_ALL_TYPES(dt, "pointwise", [&] {
    if (stride == static_cast<int64_t>(sizeof(scalar_t))) {
      const auto* p = reinterpret_cast<const scalar_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = dev::convert<T>(p[i]);
    } else if (stride == 0) {  // a broadcast operand (row statistics, biases): one value
      T v = dev::convert<T>(*reinterpret_cast<const scalar_t*>(src));
      for (int64_t i = 0; i < n; ++i) dst[i] = v;
    } else {
      for (int64_t i = 0; i < n; ++i)
        dst[i] = dev::convert<T>(*reinterpret_cast<const scalar_t*>(src + i * stride));
    }
  });
}

template <class R>
void store_chunk(char* dst, int64_t stride, ScalarType dt, const R* src, int64_t n) {
  EMBER_DISPATCH_ALL_TYPES(dt, "pointwise", [&] {
    if (stride == static_cast<int64_t>(sizeof(scalar_t))) {
      auto* p = reinterpret_cast<scalar_t*>(dst);
      for (int64_t i = 0; i < n; ++i) p[i] = dev::convert<scalar_t>(src[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<scalar_t*>(dst + i * stride) = dev::convert<scalar_t>(src[i]);
    }
  });
}

template <class Op, class T, size_t... I>
void pointwise_general(const PointwiseArgs& a, std::index_sequence<I...>) {
  constexpr int N = Op::arity;
  using R = decltype(Op{}((I, T())...));
  std::vector<Shape> strides{a.out.strides, a.in[I].strides...};
  auto inner = [&](const Shape& s) { return s.empty() ? int64_t{0} : s.back(); };
  parallel_for(a.numel, kPointwiseGrain, [&](int64_t b, int64_t e) {
    T buf[N][kChunk];
    R obuf[kChunk];
    for (int k = 0; k < N; ++k)
      if (a.in[k].is_scalar) {
        T v = scalar_as<T>(a.in[k].value);
        for (int64_t i = 0; i < kChunk; ++i) buf[k][i] = v;
      }
    walk_range<N + 1>(a.sizes, strides, b, e, [&](const int64_t* off, int64_t len) {
      for (int64_t j = 0; j < len; j += kChunk) {
        int64_t n = std::min(kChunk, len - j);
        for (int k = 0; k < N; ++k) {
          if (a.in[k].is_scalar) continue;
          int64_t st = inner(a.in[k].strides);
          load_chunk(buf[k], a.in[k].data + off[k + 1] + j * st, st, a.in[k].dtype, n);
        }
        bool done = false;
        if constexpr (N == 1 && std::is_same_v<R, T> && std::is_floating_point_v<T>)
          done = vector_unary(a.op, buf[0], obuf, n);
        if constexpr (N == 2 && std::is_same_v<R, T> && std::is_floating_point_v<T>)
          done = vector_binary(a.op, buf[0], buf[1], obuf, n);
        if (!done)
          for (int64_t i = 0; i < n; ++i) obuf[i] = Op{}(buf[I][i]...);
        int64_t ost = inner(a.out.strides);
        store_chunk(a.out.data + off[0] + j * ost, ost, a.out.dtype, obuf, n);
      }
    });
  });
}

template <size_t K, unsigned Mask, class S, class T>
inline T fast_arg(const S* const* in, const T* sc, int64_t i) {
  if constexpr ((Mask >> K) & 1u) return sc[K];
  else return dev::convert<T>(in[K][i]);
}

// Every operand dense and of storage type S; bit k of Mask marks input k as a scalar.
template <class Op, class S, class T, unsigned Mask, size_t... I>
void pointwise_fast(const PointwiseArgs& a, std::index_sequence<I...>) {
  constexpr int N = Op::arity;
  S* out = reinterpret_cast<S*>(a.out.data);
  const S* in[N] = {reinterpret_cast<const S*>(a.in[I].data)...};
  T sc[N] = {(a.in[I].is_scalar ? scalar_as<T>(a.in[I].value) : T())...};
  parallel_for(a.numel, kPointwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = dev::convert<S>(Op{}(fast_arg<I, Mask, S, T>(in, sc, i)...));
  });
}

// x.pow(2) with a scalar exponent: the functor's own x*x branch, hoisted out of the loop
// so the loop vectorises (same result bit for bit).
struct SquareOfFirst {
  static constexpr int arity = 2;
  template <class T>
  T operator()(T a, T) const { return a * a; }
};

// A transcendental op on a dense run, through vector_math (same results as its chunks in
// the general path).
template <class S>
void pointwise_vector(const PointwiseArgs& a) {
  const S* in = reinterpret_cast<const S*>(a.in[0].data);
  S* out = reinterpret_cast<S*>(a.out.data);
  parallel_for(a.numel, kPointwiseGrain, [&](int64_t b, int64_t e) { vector_unary(a.op, in + b, out + b, e - b); });
}

template <class S>
void pointwise_vector_binary(const PointwiseArgs& a) {
  const S* x = reinterpret_cast<const S*>(a.in[0].data);
  const S* y = reinterpret_cast<const S*>(a.in[1].data);
  S* out = reinterpret_cast<S*>(a.out.data);
  parallel_for(a.numel, kPointwiseGrain,
               [&](int64_t b, int64_t e) { vector_binary(a.op, x + b, y + b, out + b, e - b); });
}

template <class Op, DtypeRule R, class S>
bool try_fast(const PointwiseArgs& a) {
  using T = compute_of<S>;
  if constexpr (!rule_allows<R, T>()) {
    return false;
  } else {
    if (a.out.dtype != dtype_of<S>() || a.compute != compute_enum<T>()) return false;
    unsigned mask = scalar_mask(a);
    auto seq = std::make_index_sequence<Op::arity>{};
    if constexpr (Op::arity == 1 && std::is_floating_point_v<T>) {
      if (has_vector_unary(a.op)) {
        // Half and bfloat16 convert through the general path's chunks.
        if constexpr (!std::is_same_v<S, T>) return false;
        else if (mask == 0) return pointwise_vector<S>(a), true;
        else return false;
      }
    }
    if constexpr (Op::arity == 2 && std::is_floating_point_v<T>) {
      if (has_vector_binary(a.op)) {
        // Scalar operands and half types take the general path's chunks (also vectorised).
        if constexpr (!std::is_same_v<S, T>) return false;
        else if (mask == 0) return pointwise_vector_binary<S>(a), true;
        else return false;
      }
    }
    if constexpr (Op::arity == 1) {
      if (mask == 0) return pointwise_fast<Op, S, T, 0>(a, seq), true;
    } else if constexpr (Op::arity == 2) {
      if (mask == 0) return pointwise_fast<Op, S, T, 0>(a, seq), true;
      if (mask == 1) return pointwise_fast<Op, S, T, 1>(a, seq), true;
      if constexpr (std::is_same_v<Op, dev::Pow> && std::is_floating_point_v<T>)
        if (mask == 2 && scalar_as<T>(a.in[1].value) == T(2))
          return pointwise_fast<SquareOfFirst, S, T, 2>(a, seq), true;
      if (mask == 2) return pointwise_fast<Op, S, T, 2>(a, seq), true;
    } else {
      if (mask == 0) return pointwise_fast<Op, S, T, 0>(a, seq), true;
      if (mask == 6) return pointwise_fast<Op, S, T, 6>(a, seq), true;
    }
    return false;
  }
}

template <class Op, DtypeRule R>
void run_pointwise_op(const PointwiseArgs& a) {
  dispatch_pointwise<R>(
      a, [&]<class S>() { return try_fast<Op, R, S>(a); },
      [&]<class T>() { pointwise_general<Op, T>(a, std::make_index_sequence<Op::arity>{}); });
}

// Runs `a` if its op has this arity. Instantiated once per arity, in
// pointwise_cpu_{unary,binary,ternary}.cpp, so the three compile in parallel.
template <int Arity>
bool run_pointwise_arity(const PointwiseArgs& a) {
  switch (a.op) {
#define EMBER_CASE(N, ARITY, RULE, ...)                   \
  case OpId::N:                                      \
    if constexpr (ARITY == Arity) {                  \
      run_pointwise_op<dev::N, DtypeRule::RULE>(a);  \
      return true;                                   \
    }                                                \
    return false;
    EMBER_POINTWISE_OPS(EMBER_CASE)
#undef EMBER_CASE
    default:
      return false;
  }
}
extern template bool run_pointwise_arity<1>(const PointwiseArgs&);
extern template bool run_pointwise_arity<2>(const PointwiseArgs&);
extern template bool run_pointwise_arity<3>(const PointwiseArgs&);

}  // namespace ember::cpu
