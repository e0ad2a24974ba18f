// Entry point of the CUDA pointwise kernels: picks the device and stream once, then the
// arity-specific translation unit that holds the op's kernels.
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/launch.h"
#include "kernels/op_registry.h"

namespace ember::cuda {

void pointwise(const PointwiseArgs& a) {
  if (a.numel == 0) return;
  int device = device_of(a.out.data);
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  bool ran = run_pointwise_unary(a, stream) || run_pointwise_binary(a, stream) ||
             run_pointwise_ternary(a, stream);
  EMBER_CHECK(ran, "internal: no CUDA pointwise kernel for ", op_name(a.op));
}

}  // namespace ember::cuda
