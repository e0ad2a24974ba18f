#pragma once
// Vectorised transcendental ops for the CPU loops (SLEEF, AVX2 + FMA, 1-ulp functions): the
// unary ops the op table marks Libm, and GeluBackward.
// Every CPU evaluation of these ops goes through here when the CPU has AVX2 and FMA (dense,
// strided and fused paths alike, so eager and compiled stay bitwise equal); otherwise
// vector_unary returns false and the loops use the scalar functors (libm).
#include <cstdint>

#include "kernels/op_list.h"

namespace ember::cpu {

// out[i] = op(in[i]) for i < n, computed in vectors of the same width whatever n is (the
// tail is padded), so an element's result does not depend on where a run starts.
bool vector_unary(OpId op, const float* in, float* out, int64_t n);
bool vector_unary(OpId op, const double* in, double* out, int64_t n);

// Whether vector_unary handles `op` on this CPU.
bool has_vector_unary(OpId op);

// out[i] = op(a[i], b[i]) likewise, for the binary Libm ops with a vector form (GeluBackward,
// the backward of the exact GELU: erf and exp per element).
bool vector_binary(OpId op, const float* a, const float* b, float* out, int64_t n);
bool vector_binary(OpId op, const double* a, const double* b, double* out, int64_t n);
bool has_vector_binary(OpId op);

}  // namespace ember::cpu
