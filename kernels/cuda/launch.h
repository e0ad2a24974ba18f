#pragma once
// What every CUDA kernel launcher needs: the device that owns a pointer, the stream to
// launch on, grid sizing and the launch check. Plain host code (g++ and nvcc).
#include <cuda_runtime_api.h>

#include <cstdint>

#include "runtime/cuda/cuda_check.h"
#include "runtime/cuda/cuda_context.h"
#include "runtime/cuda/launch_check.h"

namespace ember::cuda {

// Launch arguments carry raw pointers, not devices: this recovers the device from the
// pointer (free on single-GPU machines, one driver query otherwise).
int device_of(const void* ptr);

inline cudaStream_t stream_of(int device) {
  return static_cast<cudaStream_t>(current_stream(device));
}

constexpr int kThreads = 256;
// Grid-stride loops cover the rest; more blocks than this gain nothing on any current GPU.
constexpr int64_t kMaxBlocks = int64_t{1} << 16;

inline unsigned blocks_for(int64_t work_items, int threads = kThreads) {
  int64_t b = (work_items + threads - 1) / threads;
  if (b < 1) b = 1;
  if (b > kMaxBlocks) b = kMaxBlocks;
  return static_cast<unsigned>(b);
}

}  // namespace ember::cuda

// After every <<<...>>>: turns a launch failure into ember::Error naming the launcher (with
// EMBER_CUDA_SYNC=1, the kernel's own faults too).
#define EMBER_CUDA_CHECK_LAUNCH() ::ember::cuda::check_launch(__func__)
