// GEMMs with an epilogue: + bias per column of C in the cuBLASLt call, then relu as a pointwise
// kernel. When cuBLASLt cannot (no algorithm, any error, a bias along the other axis), the
// GEMM followed by pointwise kernels: the same result as eager.
#include "runtime/cuda/cuda_context.h"
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

cublasStatus_t layout(cublasLtMatrixLayout_t* l, cudaDataType_t t, bool trans, int64_t rows, int64_t cols,
                      int64_t ld, int64_t batch, int64_t stride) {
  // The stored matrix is (trans ? cols x rows : rows x cols), column-major.
  cublasStatus_t st = cublasLtMatrixLayoutCreate(l, t, trans ? cols : rows, trans ? rows : cols, ld);
  if (st != CUBLAS_STATUS_SUCCESS || batch <= 1) return st;
  int32_t count = static_cast<int32_t>(batch);
  st = cublasLtMatrixLayoutSetAttribute(*l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof count);
  if (st != CUBLAS_STATUS_SUCCESS) return st;
  return cublasLtMatrixLayoutSetAttribute(*l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride, sizeof stride);
}

#define EMBER_LT_TRY(expr) \
  if ((expr) != CUBLAS_STATUS_SUCCESS) return false

// The largest power of two up to 256 that divides every matrix start of a batch: what
// cuBLASLt may assume (it assumes 256 unless told, and a kernel picked for that faults on a
// view that starts mid-row).
uint32_t alignment(const void* p, int64_t batch_stride_bytes, int64_t batch) {
  uint64_t bits = reinterpret_cast<uintptr_t>(p) | 256u;
  if (batch > 1) bits |= static_cast<uint64_t>(batch_stride_bytes);
  return static_cast<uint32_t>(bits & (~bits + 1));
}

// One cuBLASLt matmul with the epilogue (bias, relu when `relu`); false when cuBLASLt cannot
// do it for any reason, so that the caller falls back to the unfused launches.
bool lt_matmul(const GemmArgs& a, const GemmPlan& p, cudaDataType_t t, int device, bool relu) {
  // cuBLASLt's bias runs along the rows of the column-major result; those are C's columns
  // only when the call computes C^T.
  if (a.bias && !p.output_transposed) return false;
  if (a.bias && reinterpret_cast<uintptr_t>(a.bias) % 16 != 0) return false;
  CublasLease blas(device, stream_of(device));
  LtDescs d;
  EMBER_LT_TRY(cublasLtMatmulDescCreate(&d.op, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  cublasOperation_t ta = p.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, tb = p.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  EMBER_LT_TRY(cublasLtMatmulDescSetAttribute(d.op, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta));
  EMBER_LT_TRY(cublasLtMatmulDescSetAttribute(d.op, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb));
  cublasLtEpilogue_t epi = a.bias ? (relu ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_BIAS)
                                  : (relu ? CUBLASLT_EPILOGUE_RELU : CUBLASLT_EPILOGUE_DEFAULT);
  EMBER_LT_TRY(cublasLtMatmulDescSetAttribute(d.op, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof epi));
  if (a.bias) {
    const void* bias = a.bias;
    EMBER_LT_TRY(cublasLtMatmulDescSetAttribute(d.op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias));
    EMBER_LT_TRY(cublasLtMatmulDescSetAttribute(d.op, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &t, sizeof t));
  }
  int64_t item = static_cast<int64_t>(itemsize(a.dtype));
  EMBER_LT_TRY(layout(&d.a, t, p.trans_a, p.m, p.k, p.lda, p.batch, p.stride_a));
  EMBER_LT_TRY(layout(&d.b, t, p.trans_b, p.k, p.n, p.ldb, p.batch, p.stride_b));
  EMBER_LT_TRY(layout(&d.c, t, false, p.m, p.n, p.ldc, p.batch, p.stride_c));
  EMBER_LT_TRY(cublasLtMatmulPreferenceCreate(&d.pref));
  size_t ws = blas.workspace_bytes();
  EMBER_LT_TRY(cublasLtMatmulPreferenceSetAttribute(d.pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws));
  const std::pair<cublasLtMatmulPreferenceAttributes_t, uint32_t> aligned[] = {
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, alignment(p.a, p.stride_a * item, p.batch)},
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, alignment(p.b, p.stride_b * item, p.batch)},
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, alignment(p.c, p.stride_c * item, p.batch)},
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, alignment(p.c, p.stride_c * item, p.batch)}};
  for (const auto& [attr, bytes] : aligned)
    EMBER_LT_TRY(cublasLtMatmulPreferenceSetAttribute(d.pref, attr, &bytes, sizeof bytes));
  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  EMBER_LT_TRY(cublasLtMatmulAlgoGetHeuristic(blas.lt_handle(), d.op, d.a, d.b, d.c, d.c, d.pref, 1, &result, &found));
  if (found == 0) return false;
  float alpha = static_cast<float>(a.alpha), beta = static_cast<float>(a.beta);
  EMBER_LT_TRY(cublasLtMatmul(blas.lt_handle(), d.op, &alpha, p.a, d.a, p.b, d.b, &beta, p.c, d.c, p.c, d.c,
                              &result.algo, blas.workspace(), ws, stream_of(device)));
  return true;
}

// The epilogue's parts as pointwise launches after the GEMM: + bias, clamp_min(0).
void pointwise_epilogue(const GemmArgs& a) {
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
    GemmPlan plan = plan_gemm(a);
    // The bias in the epilogue, the relu after it: cuBLASLt's relu epilogues turned NaN into 0
    // for some shapes (on an H200, RELU_BIAS in float16 at 16 x 16 x 16, although the same
    // epilogue kept NaN at 64 x 64 x 64), and eager's relu keeps NaN.
    if (a.bias && lt_matmul(a, plan, t, device, false)) {
      if (a.relu) {
        GemmArgs relu_only = a;
        relu_only.bias = nullptr;
        pointwise_epilogue(relu_only);
      }
      return;
    }
  }
  GemmArgs plain = a;
  plain.bias = nullptr;
  plain.relu = false;
  gemm(plain);
  pointwise_epilogue(a);
}

}  // namespace ember::cuda
#undef EMBER_LT_TRY
