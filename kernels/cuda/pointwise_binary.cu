// Pointwise ops of arity 2 (see pointwise_kernels.cuh); one file per arity so the
// instantiations compile in parallel.
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/pointwise_kernels.cuh"

namespace ember::cuda {

bool run_pointwise_binary(const PointwiseArgs& a, cudaStream_t stream) {
  return run_pointwise_arity<2>(a, stream);
}

}  // namespace ember::cuda
