#include "runtime/cuda/stream_sync.h"

#include <atomic>

#include "runtime/cuda/cuda_check.h"
#include "runtime/cuda/index_error.h"

namespace ember::cuda {

namespace {
std::atomic<int64_t> g_syncs{0};
}

void synchronize_stream(int device, void* stream) {
  g_syncs.fetch_add(1, std::memory_order_relaxed);
  EMBER_CUDA_CHECK(cudaStreamSynchronize(static_cast<cudaStream_t>(stream)));
  throw_device_index_error(device);
}

int64_t stream_sync_count() { return g_syncs.load(std::memory_order_relaxed); }

}  // namespace ember::cuda
