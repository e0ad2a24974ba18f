#pragma once
// The AVX2 + FMA kernels behind vector_math.h, compiled alone with -mavx2 -mfma. Called only
// by kernels/cpu/vector_math.cpp after it has checked the CPU.
#include <cstdint>

#include "kernels/op_list.h"

namespace ember::cpu::avx2 {

// False for ops without a vector form (the caller knows which have one).
bool unary(OpId op, const float* in, float* out, int64_t n);
bool unary(OpId op, const double* in, double* out, int64_t n);
bool binary(OpId op, const float* a, const float* b, float* out, int64_t n);
bool binary(OpId op, const double* a, const double* b, double* out, int64_t n);

}  // namespace ember::cpu::avx2
