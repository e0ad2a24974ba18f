#pragma once
// The CPU backend's kernels, one file each; cpu_backend.cpp binds them to the Backend table.
#include "kernels/backend.h"

namespace ember::cpu {

bool run_pointwise(const PointwiseArgs& a);
void reduce(const ReduceArgs& a);
void gemm(const GemmArgs& a);
void index_select(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index);
void gather(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index);
void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src,
             bool accumulate);
void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& source);
Tensor nonzero(const Tensor& self);
Tensor masked_select(const Tensor& self, const Tensor& mask);
void masked_scatter(const Tensor& out, const Tensor& mask, const Tensor& source);
void random(const Tensor& out, RandomKind kind, double a, double b, uint64_t seed,
            uint64_t offset);
void iota(const Tensor& out, double start, double step, double end, bool symmetric);
void sort(const Tensor& values, const Tensor& indices, const Tensor& self, bool descending);
void optimizer_step(const OptimizerArgs& a);
// conv_cpu.cpp (oneDNN) / conv_loops.cpp
void conv_forward(const ConvArgs& a, const Tensor& y, const Tensor& x, const Tensor& w,
                  const Tensor& bias);
void conv_backward_input(const ConvArgs& a, const Tensor& grad_x, const Tensor& grad_y,
                         const Tensor& w);
void conv_backward_weight(const ConvArgs& a, const Tensor& grad_w, const Tensor& grad_y,
                          const Tensor& x);
// pool_cpu.cpp
void pool(const dev::PoolArgs& a, const Tensor& out, const Tensor& indices, const Tensor& in);
void pool_backward(const dev::PoolArgs& a, const Tensor& grad_in, const Tensor& grad_out);

}  // namespace ember::cpu
