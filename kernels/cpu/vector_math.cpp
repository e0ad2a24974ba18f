// Chooses SLEEF's AVX2 vectors (kernels/cpu/vector_math_avx2.cpp) or the scalar functors, once
// per process: by the CPU, and by EMBER_VECTOR_MATH=0, which forces the scalar path (CI runs
// the CPU tests that way too, so the fallback of CPUs without AVX2 stays tested).
#include "kernels/cpu/vector_math.h"

#include <cstdlib>
#include <cstring>

#include "kernels/cpu/vector_math_avx2.h"

namespace ember::cpu {

namespace {

bool vector_math_enabled() {
  static const bool yes = [] {
    const char* env = std::getenv("EMBER_VECTOR_MATH");
    if (env && std::strcmp(env, "0") == 0) return false;
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return yes;
}

}  // namespace

bool has_vector_unary(OpId op) {
  return pointwise_arity(op) == 1 && pointwise_numerics(op) == Numerics::Libm &&
         vector_math_enabled();
}

bool vector_unary(OpId op, const float* in, float* out, int64_t n) {
  return has_vector_unary(op) && avx2::unary(op, in, out, n);
}

bool vector_unary(OpId op, const double* in, double* out, int64_t n) {
  return has_vector_unary(op) && avx2::unary(op, in, out, n);
}

bool has_vector_binary(OpId op) { return op == OpId::GeluBackward && vector_math_enabled(); }

bool vector_binary(OpId op, const float* a, const float* b, float* out, int64_t n) {
  return has_vector_binary(op) && avx2::binary(op, a, b, out, n);
}

bool vector_binary(OpId op, const double* a, const double* b, double* out, int64_t n) {
  return has_vector_binary(op) && avx2::binary(op, a, b, out, n);
}

}  // namespace ember::cpu
