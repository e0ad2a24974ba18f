#include "runtime/cuda/launch_check.h"

#include <cuda_runtime_api.h>

#include <cstdlib>
#include <cstring>

#include "ember/error.h"
#include "runtime/cuda/cuda_context.h"

namespace ember::cuda {

bool sync_after_launch() {
  static const bool on = [] {
    const char* e = std::getenv("EMBER_CUDA_SYNC");
    return e && std::strcmp(e, "1") == 0;
  }();
  return on;
}

void check_launch(const char* kernel) {
  cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess) EMBER_FAIL("CUDA error launching ", kernel, ": ", cudaGetErrorString(err));
  if (!sync_after_launch()) return;
  auto stream = static_cast<cudaStream_t>(current_stream(current_device()));
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  if (cudaStreamIsCapturing(stream, &capture) != cudaSuccess || capture != cudaStreamCaptureStatusNone) return;
  err = cudaDeviceSynchronize();
  if (err != cudaSuccess) {
    cudaGetLastError();
    EMBER_FAIL("CUDA error in ", kernel, " (found by EMBER_CUDA_SYNC=1 right after its launch): ",
               cudaGetErrorString(err));
  }
}

}  // namespace ember::cuda
