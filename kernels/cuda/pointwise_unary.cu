// Pointwise ops of arity 1 (see pointwise_kernels.cuh); one file per arity so the
// instantiations compile in parallel.
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/pointwise_kernels.cuh"

namespace ember::cuda {

bool run_pointwise_unary(const PointwiseArgs& a, cudaStream_t stream) {
  return run_pointwise_arity<1>(a, stream);
}

}  // namespace ember::cuda
