// Built with -mavx2 -mfma (CMakeLists.txt); only entered after a runtime check of the CPU.
#include "kernels/cpu/vector_math.h"

#include <immintrin.h>
#include <sleef.h>

#include <algorithm>

namespace ember::cpu {

namespace {

struct F32 {
  using T = float;
  using V = __m256;
  static constexpr int kWidth = 8;
  static V load(const T* p) { return _mm256_loadu_ps(p); }
  static void store(T* p, V v) { _mm256_storeu_ps(p, v); }
  static V set1(T x) { return _mm256_set1_ps(x); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V div(V a, V b) { return _mm256_div_ps(a, b); }
  static V neg(V a) { return _mm256_xor_ps(a, set1(-0.0f)); }
  static V exp(V x) { return Sleef_expf8_u10avx2(x); }
  static V log(V x) { return Sleef_logf8_u10avx2(x); }
  static V tanh(V x) { return Sleef_tanhf8_u10avx2(x); }
  static V sin(V x) { return Sleef_sinf8_u10avx2(x); }
  static V cos(V x) { return Sleef_cosf8_u10avx2(x); }
  static V erf(V x) { return Sleef_erff8_u10avx2(x); }
};

struct F64 {
  using T = double;
  using V = __m256d;
  static constexpr int kWidth = 4;
  static V load(const T* p) { return _mm256_loadu_pd(p); }
  static void store(T* p, V v) { _mm256_storeu_pd(p, v); }
  static V set1(T x) { return _mm256_set1_pd(x); }
  static V add(V a, V b) { return _mm256_add_pd(a, b); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static V div(V a, V b) { return _mm256_div_pd(a, b); }
  static V neg(V a) { return _mm256_xor_pd(a, set1(-0.0)); }
  static V exp(V x) { return Sleef_expd4_u10avx2(x); }
  static V log(V x) { return Sleef_logd4_u10avx2(x); }
  static V tanh(V x) { return Sleef_tanhd4_u10avx2(x); }
  static V sin(V x) { return Sleef_sind4_u10avx2(x); }
  static V cos(V x) { return Sleef_cosd4_u10avx2(x); }
  static V erf(V x) { return Sleef_erfd4_u10avx2(x); }
};

template <class K, class F>
void run(const typename K::T* in, typename K::T* out, int64_t n, const F& f) {
  using T = typename K::T;
  constexpr int W = K::kWidth;
  int64_t i = 0;
  for (; i + W <= n; i += W) K::store(out + i, f(K::load(in + i)));
  if (i < n) {
    T buf[W] = {};
    std::copy(in + i, in + n, buf);
    K::store(buf, f(K::load(buf)));
    std::copy(buf, buf + (n - i), out + i);
  }
}

// The same arithmetic as the functors in kernels/device/pointwise.h, operation for
// operation (no contraction: the library builds with -ffp-contract=off).
template <class K>
bool apply(OpId op, const typename K::T* in, typename K::T* out, int64_t n) {
  using T = typename K::T;
  using V = typename K::V;
  switch (op) {
    case OpId::Exp: run<K>(in, out, n, [](V x) { return K::exp(x); }); return true;
    case OpId::Log: run<K>(in, out, n, [](V x) { return K::log(x); }); return true;
    case OpId::Tanh: run<K>(in, out, n, [](V x) { return K::tanh(x); }); return true;
    case OpId::Sin: run<K>(in, out, n, [](V x) { return K::sin(x); }); return true;
    case OpId::Cos: run<K>(in, out, n, [](V x) { return K::cos(x); }); return true;
    case OpId::Erf: run<K>(in, out, n, [](V x) { return K::erf(x); }); return true;
    case OpId::Sigmoid:  // 1 / (1 + exp(-x))
      run<K>(in, out, n, [](V x) { return K::div(K::set1(T(1)), K::add(K::set1(T(1)), K::exp(K::neg(x)))); });
      return true;
    case OpId::Gelu:  // 0.5 * x * (1 + erf(x * sqrt(1/2)))
      run<K>(in, out, n, [](V x) {
        V e = K::erf(K::mul(x, K::set1(T(0.70710678118654752440))));
        return K::mul(K::mul(K::set1(T(0.5)), x), K::add(K::set1(T(1)), e));
      });
      return true;
    default:
      return false;
  }
}

bool cpu_has_avx2_fma() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}

}  // namespace

bool has_vector_unary(OpId op) {
  switch (op) {
    case OpId::Exp: case OpId::Log: case OpId::Tanh: case OpId::Sin: case OpId::Cos:
    case OpId::Erf: case OpId::Sigmoid: case OpId::Gelu:
      return cpu_has_avx2_fma();
    default:
      return false;
  }
}

bool vector_unary(OpId op, const float* in, float* out, int64_t n) {
  return has_vector_unary(op) && apply<F32>(op, in, out, n);
}

bool vector_unary(OpId op, const double* in, double* out, int64_t n) {
  return has_vector_unary(op) && apply<F64>(op, in, out, n);
}

}  // namespace ember::cpu
