#pragma once
// The CUDA backend's kernels, one concept per file; cuda_backend.cpp binds them to the
// Backend table. Each entry point finds its device, sets it current and launches on the
// device's current stream; failures surface as ember::Error.
#include <cuda_runtime_api.h>

#include "kernels/backend.h"

namespace ember::cuda {

void pointwise(const PointwiseArgs& a);
// Launch `a` on `stream` (its device already current); false when the op does not have
// that arity (pointwise_{unary,binary,ternary}.cu).
bool run_pointwise_unary(const PointwiseArgs& a, cudaStream_t stream);
bool run_pointwise_binary(const PointwiseArgs& a, cudaStream_t stream);
bool run_pointwise_ternary(const PointwiseArgs& a, cudaStream_t stream);

void reduce(const ReduceArgs& a);
void gemm(const GemmArgs& a);
// GEMMs whose args carry an epilogue (bias, relu): cuBLASLt, or GEMM + pointwise kernels.
void gemm_with_epilogue(const GemmArgs& a);
void index_select(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index);
void gather(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index);
void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src,
             bool accumulate);
void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& source);
// index_check.cu: see Backend::check_index_range (index contiguous, int64 or int32).
void check_index_range(const char* op, const Tensor& index, int64_t lo, int64_t size,
                       int64_t dim);
Tensor nonzero(const Tensor& self);
Tensor masked_select(const Tensor& self, const Tensor& mask);
void masked_scatter(const Tensor& out, const Tensor& mask, const Tensor& source);
void random(const Tensor& out, RandomKind kind, double a, double b, uint64_t seed,
            uint64_t offset);
void iota(const Tensor& out, double start, double step, double end, bool symmetric);
void sort(const Tensor& values, const Tensor& indices, const Tensor& self, bool descending);
void optimizer_step(const OptimizerArgs& a);
// conv_cudnn.cpp (cuDNN)
void conv_forward(const ConvArgs& a, const Tensor& y, const Tensor& x, const Tensor& w,
                  const Tensor& bias);
void conv_backward_input(const ConvArgs& a, const Tensor& grad_x, const Tensor& grad_y,
                         const Tensor& w);
void conv_backward_weight(const ConvArgs& a, const Tensor& grad_w, const Tensor& grad_y,
                          const Tensor& x);
// pool.cu
void pool(const dev::PoolArgs& a, const Tensor& out, const Tensor& indices, const Tensor& in);
void pool_backward(const dev::PoolArgs& a, const Tensor& grad_in, const Tensor& grad_out);

}  // namespace ember::cuda
