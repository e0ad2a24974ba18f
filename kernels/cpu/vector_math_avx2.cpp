// Built with -mavx2 -mfma (CMakeLists.txt); only entered after a runtime check of the CPU.
//
// Everything this file defines lives in ember::cpu::avx2 or takes its types, and it calls no
// inline function or template of other code on plain types (not even std::copy): the
// linker keeps one copy of such a function for the whole library, and if it kept the AVX2
// copy compiled here, CPUs without AVX2 would crash elsewhere (SIGILL). The ctest check
// isa_isolation (cmake/check_isa_symbols.cmake) fails if this object defines a weak symbol
// that does not name avx2.
//
// The formulas are the functors of kernels/device/pointwise.h, instantiated with vector
// types: the vector math overloads below are declared before pointwise.h so the functors
// find them.
#include <immintrin.h>
#include <math.h>
#include <sleef.h>

#include <cstdint>

#include "kernels/cpu/vector_math_avx2.h"

namespace ember::cpu::avx2 {

struct F32 {
  __m256 v;
  using Scalar = float;
  static constexpr int kWidth = 8;
  F32(__m256 x) : v(x) {}
  F32(double s) : v(_mm256_set1_ps(static_cast<float>(s))) {}
  static F32 load(const float* p) { return _mm256_loadu_ps(p); }
  void store(float* p) const { _mm256_storeu_ps(p, v); }
};

struct F64 {
  __m256d v;
  using Scalar = double;
  static constexpr int kWidth = 4;
  F64(__m256d x) : v(x) {}
  F64(double s) : v(_mm256_set1_pd(s)) {}
  static F64 load(const double* p) { return _mm256_loadu_pd(p); }
  void store(double* p) const { _mm256_storeu_pd(p, v); }
};

inline F32 operator+(F32 a, F32 b) { return _mm256_add_ps(a.v, b.v); }
inline F32 operator-(F32 a, F32 b) { return _mm256_sub_ps(a.v, b.v); }
inline F32 operator*(F32 a, F32 b) { return _mm256_mul_ps(a.v, b.v); }
inline F32 operator/(F32 a, F32 b) { return _mm256_div_ps(a.v, b.v); }
inline F32 operator-(F32 a) { return _mm256_xor_ps(a.v, _mm256_set1_ps(-0.0f)); }
inline F64 operator+(F64 a, F64 b) { return _mm256_add_pd(a.v, b.v); }
inline F64 operator-(F64 a, F64 b) { return _mm256_sub_pd(a.v, b.v); }
inline F64 operator*(F64 a, F64 b) { return _mm256_mul_pd(a.v, b.v); }
inline F64 operator/(F64 a, F64 b) { return _mm256_div_pd(a.v, b.v); }
inline F64 operator-(F64 a) { return _mm256_xor_pd(a.v, _mm256_set1_pd(-0.0)); }

}  // namespace ember::cpu::avx2

namespace ember::dev::math {

#define EMBER_VECTOR_MATH(name, f8, d4)                                                    \
  inline cpu::avx2::F32 name(cpu::avx2::F32 x) { return Sleef_##f8##_u10avx2(x.v); }     \
  inline cpu::avx2::F64 name(cpu::avx2::F64 x) { return Sleef_##d4##_u10avx2(x.v); }
EMBER_VECTOR_MATH(exp, expf8, expd4)
EMBER_VECTOR_MATH(log, logf8, logd4)
EMBER_VECTOR_MATH(tanh, tanhf8, tanhd4)
EMBER_VECTOR_MATH(sin, sinf8, sind4)
EMBER_VECTOR_MATH(cos, cosf8, cosd4)
EMBER_VECTOR_MATH(erf, erff8, erfd4)
EMBER_VECTOR_MATH(log1p, log1pf8, log1pd4)
EMBER_VECTOR_MATH(expm1, expm1f8, expm1d4)
EMBER_VECTOR_MATH(log2, log2f8, log2d4)
EMBER_VECTOR_MATH(log10, log10f8, log10d4)
EMBER_VECTOR_MATH(exp2, exp2f8, exp2d4)
EMBER_VECTOR_MATH(tan, tanf8, tand4)
EMBER_VECTOR_MATH(asin, asinf8, asind4)
EMBER_VECTOR_MATH(acos, acosf8, acosd4)
EMBER_VECTOR_MATH(atan, atanf8, atand4)
#undef EMBER_VECTOR_MATH

// sinh and cosh lane by lane through libm: SLEEF's overflow early (coshf8 gives inf for
// 88.7 < x < 89.4, where the result is a finite float). libm's extern "C" functions are no
// inline code of other objects, so the ISA isolation holds.
#define EMBER_LANEWISE_MATH(name, fname, dname)                                          \
  inline cpu::avx2::F32 name(cpu::avx2::F32 x) {                                          \
    alignas(32) float v[8];                                                               \
    _mm256_store_ps(v, x.v);                                                              \
    for (float& e : v) e = ::fname(e);                                                    \
    return _mm256_load_ps(v);                                                             \
  }                                                                                       \
  inline cpu::avx2::F64 name(cpu::avx2::F64 x) {                                          \
    alignas(32) double v[4];                                                              \
    _mm256_store_pd(v, x.v);                                                              \
    for (double& e : v) e = ::dname(e);                                                   \
    return _mm256_load_pd(v);                                                             \
  }
EMBER_LANEWISE_MATH(sinh, sinhf, sinh)
EMBER_LANEWISE_MATH(cosh, coshf, cosh)
#undef EMBER_LANEWISE_MATH

// fabs clears the sign bit; fmin has C's NaN rule (a NaN operand yields the other one), as
// the scalar math::fmin: vminps returns its second operand when either is NaN, so where b is
// NaN the result is a.
inline cpu::avx2::F32 fabs(cpu::avx2::F32 x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x.v); }
inline cpu::avx2::F64 fabs(cpu::avx2::F64 x) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), x.v); }
inline cpu::avx2::F32 fmin(cpu::avx2::F32 a, cpu::avx2::F32 b) {
  return _mm256_blendv_ps(_mm256_min_ps(a.v, b.v), a.v, _mm256_cmp_ps(b.v, b.v, _CMP_UNORD_Q));
}
inline cpu::avx2::F64 fmin(cpu::avx2::F64 a, cpu::avx2::F64 b) {
  return _mm256_blendv_pd(_mm256_min_pd(a.v, b.v), a.v, _mm256_cmp_pd(b.v, b.v, _CMP_UNORD_Q));
}

}  // namespace ember::dev::math

#include "kernels/device/pointwise.h"

namespace ember::cpu::avx2 {

namespace {

// out[i] = f(in[i]) for i < n in vectors of the same width whatever n is (the tail is
// padded), so an element's result does not depend on where a run starts.
template <class V, class F>
void run(const typename V::Scalar* in, typename V::Scalar* out, int64_t n, F f) {
  using T = typename V::Scalar;
  constexpr int W = V::kWidth;
  int64_t i = 0;
  for (; i + W <= n; i += W) f(V::load(in + i)).store(out + i);
  if (i < n) {
    T buf[W] = {};
    for (int64_t j = i; j < n; ++j) buf[j - i] = in[j];
    f(V::load(buf)).store(buf);
    for (int64_t j = i; j < n; ++j) out[j] = buf[j - i];
  }
}

// Every unary op the table marks Libm: the ops whose scalar form calls libm, which SLEEF's
// 1-ulp vector functions replace (kernels/cpu/vector_math.cpp picks the same set).
template <class V>
bool apply(OpId op, const typename V::Scalar* in, typename V::Scalar* out, int64_t n) {
  switch (op) {
#define EMBER_VECTOR_CASE(N, ARITY, RULE, NUM, ...)                   \
  case OpId::N:                                                       \
    if constexpr (ARITY == 1 && Numerics::NUM == Numerics::Libm) {    \
      run<V>(in, out, n, dev::N{});                                   \
      return true;                                                    \
    }                                                                 \
    return false;
    EMBER_POINTWISE_OPS(EMBER_VECTOR_CASE)
#undef EMBER_VECTOR_CASE
    default:
      return false;
  }
}

template <class V, class F>
void run2(const typename V::Scalar* a, const typename V::Scalar* b, typename V::Scalar* out, int64_t n, F f) {
  using T = typename V::Scalar;
  constexpr int W = V::kWidth;
  int64_t i = 0;
  for (; i + W <= n; i += W) f(V::load(a + i), V::load(b + i)).store(out + i);
  if (i < n) {
    T ba[W] = {}, bb[W] = {};
    for (int64_t j = i; j < n; ++j) {
      ba[j - i] = a[j];
      bb[j - i] = b[j];
    }
    f(V::load(ba), V::load(bb)).store(ba);
    for (int64_t j = i; j < n; ++j) out[j] = ba[j - i];
  }
}

template <class V>
bool apply2(OpId op, const typename V::Scalar* a, const typename V::Scalar* b, typename V::Scalar* out, int64_t n) {
  if (op != OpId::GeluBackward) return false;
  run2<V>(a, b, out, n, dev::GeluBackward{});
  return true;
}

}  // namespace

bool binary(OpId op, const float* a, const float* b, float* out, int64_t n) { return apply2<F32>(op, a, b, out, n); }
bool binary(OpId op, const double* a, const double* b, double* out, int64_t n) {
  return apply2<F64>(op, a, b, out, n);
}

bool unary(OpId op, const float* in, float* out, int64_t n) { return apply<F32>(op, in, out, n); }
bool unary(OpId op, const double* in, double* out, int64_t n) { return apply<F64>(op, in, out, n); }

}  // namespace ember::cpu::avx2
