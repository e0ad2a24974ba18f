// The CUDA caching allocator: per-device CachingAllocator over cudaMalloc/cudaFree,
// keyed by the current stream.
#include <array>
#include <memory>
#include <mutex>

#include "runtime/caching_allocator.h"
#include "runtime/cuda/cuda_check.h"
#include "runtime/cuda/cuda_context.h"

namespace ember::cuda {

namespace {
class CudaMemory final : public RawMemory {
 public:
  explicit CudaMemory(int device) : device_(device) {}
  void* alloc(size_t nbytes) override {
    DeviceGuard g(device_);
    void* p = nullptr;
    cudaError_t err = cudaMalloc(&p, nbytes);
    if (err == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      return nullptr;
    }
    EMBER_CUDA_CHECK(err);
    return p;
  }
  bool free(void* ptr, size_t) override {
    DeviceGuard g(device_);
    // Cached blocks may still be read by queued kernels: wait for the device first. A failure
    // (a fault of an earlier kernel) keeps the block cached; the error stays for the next
    // checked call to report.
    return cudaDeviceSynchronize() == cudaSuccess && cudaFree(ptr) == cudaSuccess;
  }
  void* current_stream() override { return cuda::current_stream(device_); }

 private:
  int device_;
};

Allocator* device_allocator(int index) {
  static std::array<std::unique_ptr<CachingAllocator>, 16> allocators;
  static std::mutex mu;
  // Names the device the way the CPU-only build does ("device cuda:1 is not available").
  EMBER_CHECK(index >= 0 && index < device_count(), "device cuda:", index, " is not available (",
              device_count(), " CUDA device(s) found)");
  std::lock_guard<std::mutex> g(mu);
  auto& a = allocators[index];
  if (!a) a = std::make_unique<CachingAllocator>(std::make_unique<CudaMemory>(index),
                                                 "CUDA device " + std::to_string(index));
  return a.get();
}

}  // namespace

void register_cuda_allocator() { register_device_allocator(kCUDA, &device_allocator); }

}  // namespace ember::cuda
