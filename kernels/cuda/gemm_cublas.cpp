// Batched GEMM on CUDA through cublasGemmStridedBatchedEx. ember's matrices are
// row-major-indexed with arbitrary (unit in one dim) strides; cuBLAS is column-major. The
// row-major product C = A @ B is the column-major product C^T = B^T @ A^T, so each operand
// is described as a column-major matrix with element (i, j) at i * row_step + j * col_step
// and mapped to CUBLAS_OP_N (row_step == 1) or CUBLAS_OP_T (col_step == 1).
#include <climits>

#include "kernels/cuda/cublas_handle.h"
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/launch.h"
#include "runtime/scalar.h"

namespace ember::cuda {

namespace {

// A column-major matrix view: rows x cols, element (i, j) at i * row_step + j * col_step.
struct MatrixView {
  int64_t rows, cols, row_step, col_step;
};

struct BlasOperand {
  cublasOperation_t op;
  int64_t ld;
};

// How cuBLAS reads `v`, or false when it cannot (no unit stride, or overlapping columns).
// A dim of size 1 never advances, so its step is free and ld gets the smallest legal value.
bool as_blas_operand(const MatrixView& v, BlasOperand* out) {
  auto at_least_1 = [](int64_t x) { return x < 1 ? int64_t{1} : x; };
  if (v.row_step == 1 && (v.cols <= 1 || v.col_step >= at_least_1(v.rows))) {
    *out = {CUBLAS_OP_N, v.cols <= 1 ? at_least_1(v.rows) : v.col_step};
    return true;
  }
  if (v.col_step == 1 && (v.rows <= 1 || v.row_step >= at_least_1(v.cols))) {
    *out = {CUBLAS_OP_T, v.rows <= 1 ? at_least_1(v.cols) : v.row_step};
    return true;
  }
  if (v.rows <= 1 && v.col_step >= 1) {  // a single row with any column step
    *out = {CUBLAS_OP_N, v.col_step};
    return true;
  }
  if (v.cols <= 1 && v.row_step >= 1) {  // a single column with any row step
    *out = {CUBLAS_OP_T, v.row_step};
    return true;
  }
  return false;
}

struct BlasTypes {
  cudaDataType_t data;
  cublasComputeType_t compute;
  bool double_scalars;
};

BlasTypes blas_types(ScalarType dt) {
  switch (dt) {
    case kFloat32: return {CUDA_R_32F, CUBLAS_COMPUTE_32F, false};  // no TF32, like libtorch
    case kFloat64: return {CUDA_R_64F, CUBLAS_COMPUTE_64F, true};
    case kFloat16: return {CUDA_R_16F, CUBLAS_COMPUTE_32F, false};
    case kBFloat16: return {CUDA_R_16BF, CUBLAS_COMPUTE_32F, false};
    default:
      EMBER_FAIL("mm: not implemented for '", dtype_name(dt), "' on CUDA");
  }
}

int to_int(int64_t v, const char* what) {
  EMBER_CHECK(v >= 0 && v <= INT_MAX, "mm: ", what, " of ", v,
              " exceeds what cuBLAS accepts (2^31 - 1) on CUDA");
  return static_cast<int>(v);
}

// k == 0: the product is empty, so C = beta * C (beta == 0 writes zeros, never NaN * 0).
void scale_output(const GemmArgs& a) {
  int64_t item = static_cast<int64_t>(itemsize(a.dtype));
  PointwiseArgs p;
  p.compute = a.dtype == kFloat64 ? kFloat64 : kFloat32;
  p.sizes = {a.batch, a.m, a.n};
  p.numel = a.batch * a.m * a.n;
  p.out.data = a.c;
  p.out.dtype = a.dtype;
  p.out.strides = {a.c_bs * item, a.c_rs * item, a.c_cs * item};
  Operand factor;
  factor.is_scalar = true;
  factor.dtype = kFloat64;
  factor.strides.assign(3, 0);
  if (a.beta == 0.0) {
    p.op = OpId::Cast;
    factor.value = Scalar(0.0);
    p.in = {factor};
  } else {
    p.op = OpId::Mul;
    factor.value = Scalar(a.beta);
    p.in = {p.out, factor};
  }
  pointwise(p);
}

}  // namespace

void gemm(const GemmArgs& a) {
  if (a.batch == 0 || a.m == 0 || a.n == 0) return;
  BlasTypes types = blas_types(a.dtype);
  if (a.k == 0) return scale_output(a);

  // Row-major C = A @ B is column-major C^T (n x m) = B^T (n x k) @ A^T (k x m); when C
  // itself is column-major, compute C (m x n) = A @ B directly.
  MatrixView c_t{a.n, a.m, a.c_cs, a.c_rs};
  MatrixView c_direct{a.m, a.n, a.c_rs, a.c_cs};
  BlasOperand oc;
  bool transposed = as_blas_operand(c_t, &oc) && oc.op == CUBLAS_OP_N;
  if (!transposed)
    EMBER_CHECK(as_blas_operand(c_direct, &oc) && oc.op == CUBLAS_OP_N,
                "internal: mm output without a unit stride on CUDA");
  MatrixView lhs, rhs;  // cuBLAS's A (m' x k) and B (k x n')
  const char *lhs_ptr, *rhs_ptr;
  int64_t lhs_bs, rhs_bs, m2, n2;
  if (transposed) {
    lhs = {a.n, a.k, a.b_cs, a.b_rs};
    rhs = {a.k, a.m, a.a_cs, a.a_rs};
    lhs_ptr = a.b;
    rhs_ptr = a.a;
    lhs_bs = a.b_bs;
    rhs_bs = a.a_bs;
    m2 = a.n;
    n2 = a.m;
  } else {
    lhs = {a.m, a.k, a.a_rs, a.a_cs};
    rhs = {a.k, a.n, a.b_rs, a.b_cs};
    lhs_ptr = a.a;
    rhs_ptr = a.b;
    lhs_bs = a.a_bs;
    rhs_bs = a.b_bs;
    m2 = a.m;
    n2 = a.n;
  }
  BlasOperand ol, orr;
  EMBER_CHECK(as_blas_operand(lhs, &ol) && as_blas_operand(rhs, &orr),
              "internal: mm operand without a unit stride on CUDA (strides ", a.a_rs, ",", a.a_cs,
              " and ", a.b_rs, ",", a.b_cs, ")");

  int device = device_of(a.c);
  DeviceGuard guard(device);
  CublasLease blas(device, stream_of(device));
  float alpha_f = static_cast<float>(a.alpha), beta_f = static_cast<float>(a.beta);
  const void* alpha = types.double_scalars ? static_cast<const void*>(&a.alpha) : &alpha_f;
  const void* beta = types.double_scalars ? static_cast<const void*>(&a.beta) : &beta_f;
  EMBER_CUBLAS_CHECK(cublasGemmStridedBatchedEx(
      blas.handle(), ol.op, orr.op, to_int(m2, "a matrix dim"), to_int(n2, "a matrix dim"),
      to_int(a.k, "the inner dim"), alpha, lhs_ptr, types.data, to_int(ol.ld, "a leading dim"),
      static_cast<long long>(lhs_bs), rhs_ptr, types.data, to_int(orr.ld, "a leading dim"),
      static_cast<long long>(rhs_bs), beta, a.c, types.data, to_int(oc.ld, "a leading dim"),
      static_cast<long long>(a.c_bs), to_int(a.batch, "the batch size"), types.compute,
      CUBLAS_GEMM_DEFAULT));
}

}  // namespace ember::cuda
