// GEMMs with an epilogue (bias over rows of C, then relu) in one cuBLASLt call; when
// cuBLASLt has no algorithm for the case, the plain GEMM followed by pointwise kernels.
#include "kernels/cuda/cublas_handle.h"
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/gemm_plan.h"
#include "kernels/cuda/launch.h"
#include "kernels/tensor_alloc.h"

namespace ember::cuda {

namespace {

struct LtDescs {
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulPreference_t pref = nullptr;
  ~LtDescs() {
    if (pref) cublasLtMatmulPreferenceDestroy(pref);
    if (c) cublasLtMatrixLayoutDestroy(c);
    if (b) cublasLtMatrixLayoutDestroy(b);
    if (a) cublasLtMatrixLayoutDestroy(a);
    if (op) cublasLtMatmulDescDestroy(op);
  }
};

bool lt_types(ScalarType dt, cudaDataType_t* data) {
  switch (dt) {
    case kFloat32: *data = CUDA_R_32F; return true;
    case kFloat16: *data = CUDA_R_16F; return true;
    case kBFloat16: *data = CUDA_R_16BF; return true;
    default: return false;
  }
}

void layout(cublasLtMatrixLayout_t* l, cudaDataType_t t, bool trans, int64_t rows, int64_t cols,
            int64_t ld, int64_t batch, int64_t stride) {
  // The stored matrix is (trans ? cols x rows : rows x cols), column-major.
  EMBER_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(l, t, trans ? cols : rows, trans ? rows : cols, ld));
  if (batch > 1) {
    int32_t count = static_cast<int32_t>(batch);
    EMBER_CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(*l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof count));
    EMBER_CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(*l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride, sizeof stride));
  }
}

// One cuBLASLt matmul with the epilogue; false when cuBLASLt offers no algorithm.
bool lt_matmul(const GemmArgs& a, const GemmPlan& p, cudaDataType_t t, int device) {
  CublasLease blas(device, stream_of(device));
  LtDescs d;
  EMBER_CUBLAS_CHECK(cublasLtMatmulDescCreate(&d.op, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  cublasOperation_t ta = p.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, tb = p.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  EMBER_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(d.op, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta));
  EMBER_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(d.op, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb));
  // In the column-major view, a row-major bias over C's columns is a bias over rows of C^T,
  // which is what cuBLASLt's BIAS epilogue adds.
  cublasLtEpilogue_t epi = a.bias ? (a.relu ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_BIAS)
                                  : CUBLASLT_EPILOGUE_RELU;
  EMBER_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(d.op, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof epi));
  if (a.bias) {
    const void* bias = a.bias;
    EMBER_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(d.op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias));
    EMBER_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(d.op, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &t, sizeof t));
  }
  layout(&d.a, t, p.trans_a, p.m, p.k, p.lda, p.batch, p.stride_a);
  layout(&d.b, t, p.trans_b, p.k, p.n, p.ldb, p.batch, p.stride_b);
  layout(&d.c, t, false, p.m, p.n, p.ldc, p.batch, p.stride_c);
  EMBER_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&d.pref));
  size_t ws = blas.workspace_bytes();
  EMBER_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(d.pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws));
  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  cublasStatus_t st = cublasLtMatmulAlgoGetHeuristic(blas.lt_handle(), d.op, d.a, d.b, d.c, d.c, d.pref, 1, &result, &found);
  if (st != CUBLAS_STATUS_SUCCESS || found == 0) return false;
  float alpha = static_cast<float>(a.alpha), beta = static_cast<float>(a.beta);
  EMBER_CUBLAS_CHECK(cublasLtMatmul(blas.lt_handle(), d.op, &alpha, p.a, d.a, p.b, d.b, &beta, p.c, d.c, p.c, d.c,
                                    &result.algo, blas.workspace(), ws, stream_of(device)));
  return true;
}

// The same result in three launches: GEMM, + bias, clamp_min(0).
void unfused(const GemmArgs& a) {
  GemmArgs plain = a;
  plain.bias = nullptr;
  plain.relu = false;
  gemm(plain);
  int64_t item = static_cast<int64_t>(itemsize(a.dtype));
  PointwiseArgs p;
  p.compute = a.dtype == kFloat64 ? kFloat64 : kFloat32;
  p.sizes = {a.batch, a.m, a.n};
  p.numel = a.batch * a.m * a.n;
  p.out.data = a.c;
  p.out.dtype = a.dtype;
  p.out.strides = {a.c_bs * item, a.c_rs * item, a.c_cs * item};
  if (a.bias) {
    Operand bias;
    bias.data = const_cast<char*>(a.bias);
    bias.dtype = a.dtype;
    bias.strides = {0, 0, item};
    p.op = OpId::Add;
    p.in = {p.out, bias};
    pointwise(p);
  }
  if (a.relu) {
    Operand zero;
    zero.is_scalar = true;
    zero.dtype = kFloat64;
    zero.value = Scalar(0.0);
    zero.strides = {0, 0, 0};
    p.op = OpId::ClampMin;
    p.in = {p.out, zero};
    pointwise(p);
  }
}

}  // namespace

void gemm_with_epilogue(const GemmArgs& a) {
  cudaDataType_t t;
  if (a.k > 0 && a.beta == 0.0 && lt_types(a.dtype, &t)) {
    int device = device_of(a.c);
    DeviceGuard guard(device);
    if (lt_matmul(a, plan_gemm(a), t, device)) return;
  }
  unfused(a);
}

}  // namespace ember::cuda
