// ember's matrices are row-major-indexed with arbitrary strides (one of them unit); BLAS is
// column-major. The row-major product C = A @ B is the column-major product
// C^T = B^T @ A^T, so each operand is described as a column-major matrix view with element
// (i, j) at i * row_step + j * col_step and read as "no transpose" (row_step == 1) or
// "transpose" (col_step == 1).
#include "kernels/cuda/gemm_plan.h"

namespace ember::cuda {

namespace {

struct MatrixView {
  int64_t rows, cols, row_step, col_step;
};

struct BlasOperand {
  bool trans;
  int64_t ld;
};

// How BLAS reads `v`, or false when it cannot (no unit stride, or a leading dim too small
// for the stored matrix). A dim of size 1 never advances, so its step is free and ld gets
// the smallest legal value.
bool as_operand(const MatrixView& v, BlasOperand* out) {
  auto at_least_1 = [](int64_t x) { return x < 1 ? int64_t{1} : x; };
  if (v.row_step == 1 && (v.cols <= 1 || v.col_step >= at_least_1(v.rows))) {
    *out = {false, v.cols <= 1 ? at_least_1(v.rows) : v.col_step};
    return true;
  }
  if (v.col_step == 1 && (v.rows <= 1 || v.row_step >= at_least_1(v.cols))) {
    *out = {true, v.rows <= 1 ? at_least_1(v.cols) : v.row_step};
    return true;
  }
  if (v.rows <= 1 && v.col_step >= 1) {  // one row, any column step: stored 1 x cols
    *out = {false, v.col_step};
    return true;
  }
  if (v.cols <= 1 && v.row_step >= 1) {  // one column, any row step: stored 1 x rows
    *out = {true, v.row_step};
    return true;
  }
  return false;
}

}  // namespace

GemmPlan plan_gemm(const GemmArgs& a) {
  GemmPlan p;
  p.k = a.k;
  p.batch = a.batch;
  p.c = a.c;
  p.stride_c = a.c_bs;
  // The output is never transposed: use C^T when C is row-major-like, else C itself.
  BlasOperand oc;
  bool transposed = as_operand({a.n, a.m, a.c_cs, a.c_rs}, &oc) && !oc.trans;
  if (!transposed)
    EMBER_CHECK(as_operand({a.m, a.n, a.c_rs, a.c_cs}, &oc) && !oc.trans,
                "internal: mm output without a unit stride (strides ", a.c_rs, ", ", a.c_cs, ")");
  p.ldc = oc.ld;
  p.output_transposed = transposed;
  MatrixView lhs, rhs;
  if (transposed) {  // C^T (n x m) = B^T (n x k) @ A^T (k x m)
    p.m = a.n;
    p.n = a.m;
    lhs = {a.n, a.k, a.b_cs, a.b_rs};
    rhs = {a.k, a.m, a.a_cs, a.a_rs};
    p.a = a.b;
    p.stride_a = a.b_bs;
    p.b = a.a;
    p.stride_b = a.a_bs;
  } else {  // C (m x n) = A (m x k) @ B (k x n)
    p.m = a.m;
    p.n = a.n;
    lhs = {a.m, a.k, a.a_rs, a.a_cs};
    rhs = {a.k, a.n, a.b_rs, a.b_cs};
    p.a = a.a;
    p.stride_a = a.a_bs;
    p.b = a.b;
    p.stride_b = a.b_bs;
  }
  BlasOperand ol, orr;
  EMBER_CHECK(as_operand(lhs, &ol) && as_operand(rhs, &orr),
              "internal: mm operand without a unit stride (strides ", a.a_rs, ", ", a.a_cs,
              " and ", a.b_rs, ", ", a.b_cs, ")");
  p.trans_a = ol.trans;
  p.lda = ol.ld;
  p.trans_b = orr.trans;
  p.ldb = orr.ld;
  return p;
}

}  // namespace ember::cuda
