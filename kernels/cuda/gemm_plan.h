#pragma once
// How a GemmArgs maps onto one column-major strided-batched GEMM call (cuBLAS semantics):
//   for b < batch: C_b = alpha * op(A_b) @ op(B_b) + beta * C_b, with X_b = x + b * stride_x,
// op(A) m x k, op(B) k x n, C m x n; a stored matrix is column-major with leading dim ld,
// and op transposes it when trans_x. No cuBLAS types here, so the tests can check the
// mapping on the host against the row-major definition.
#include <cstdint>

#include "kernels/backend.h"

namespace ember::cuda {

struct GemmPlan {
  bool trans_a = false, trans_b = false;
  // The call computes C^T (its rows are C's columns), as it does whenever C is row-major.
  bool output_transposed = false;
  int64_t m = 0, n = 0, k = 0, batch = 1;
  const char* a = nullptr;
  int64_t lda = 0, stride_a = 0;
  const char* b = nullptr;
  int64_t ldb = 0, stride_b = 0;
  char* c = nullptr;
  int64_t ldc = 0, stride_c = 0;
};

// Element strides in, element strides out; Error when an operand has no unit stride.
GemmPlan plan_gemm(const GemmArgs& a);

}  // namespace ember::cuda
