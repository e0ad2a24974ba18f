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

}  // namespace ember::cpu
