// Batched GEMM on CUDA: one cublasGemmStridedBatchedEx call as planned by gemm_plan.cpp
// (row-major strided operands onto column-major BLAS), float32 without TF32 like libtorch.
#include <climits>

#include "kernels/cuda/cublas_handle.h"
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/gemm_plan.h"
#include "kernels/cuda/launch.h"
#include "ember/scalar.h"

namespace ember::cuda {

namespace {

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
  if (a.bias || a.relu) return gemm_with_epilogue(a);
  BlasTypes types = blas_types(a.dtype);
  if (a.k == 0) return scale_output(a);

  GemmPlan p = plan_gemm(a);
  int device = device_of(a.c);
  DeviceGuard guard(device);
  CublasLease blas(device, stream_of(device));
  float alpha_f = static_cast<float>(a.alpha), beta_f = static_cast<float>(a.beta);
  const void* alpha = types.double_scalars ? static_cast<const void*>(&a.alpha) : &alpha_f;
  const void* beta = types.double_scalars ? static_cast<const void*>(&a.beta) : &beta_f;
  EMBER_CUBLAS_CHECK(cublasGemmStridedBatchedEx(
      blas.handle(), p.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, p.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N,
      to_int(p.m, "a matrix dim"), to_int(p.n, "a matrix dim"), to_int(p.k, "the inner dim"),
      alpha, p.a, types.data, to_int(p.lda, "a leading dim"), static_cast<long long>(p.stride_a),
      p.b, types.data, to_int(p.ldb, "a leading dim"), static_cast<long long>(p.stride_b), beta,
      p.c, types.data, to_int(p.ldc, "a leading dim"), static_cast<long long>(p.stride_c),
      to_int(p.batch, "the batch size"), types.compute,
      CUBLAS_GEMM_DEFAULT));
}

}  // namespace ember::cuda
