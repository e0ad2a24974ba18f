// Pointwise ops of arity 3 (see pointwise_kernels.cuh); one file per arity so the
// instantiations compile in parallel.
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/pointwise_kernels.cuh"

namespace ember::cuda {

bool run_pointwise_ternary(const PointwiseArgs& a, cudaStream_t stream) {
  return run_pointwise_arity<3>(a, stream);
}

}  // namespace ember::cuda
