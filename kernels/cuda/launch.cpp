#include "kernels/cuda/launch.h"

#include "ember/device.h"

namespace ember::cuda {

int device_of(const void* ptr) {
  if (device_count() <= 1) return 0;
  cudaPointerAttributes attr{};
  EMBER_CUDA_CHECK(cudaPointerGetAttributes(&attr, ptr));
  EMBER_CHECK(attr.type == cudaMemoryTypeDevice || attr.type == cudaMemoryTypeManaged,
              "internal: CUDA kernel got a pointer that is not device memory");
  return attr.device;
}

}  // namespace ember::cuda
