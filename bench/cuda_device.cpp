#include "cuda_device.h"

#include "ember/error.h"

#ifdef EMBER_WITH_CUDA
#include <cuda_runtime_api.h>

#include "compiler/codegen/nvrtc.h"
#include "runtime/cuda/cuda_context.h"
#endif

namespace ember::bench {

#ifdef EMBER_WITH_CUDA

namespace {

void check(cudaError_t e, const char* what) {
  EMBER_CHECK(e == cudaSuccess, "ember-bench: ", what, " failed: ", cudaGetErrorString(e));
}

std::string version_text(int v) { return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10); }

}  // namespace

nlohmann::json cuda_info(int device) {
  cudaDeviceProp p{};
  check(cudaGetDeviceProperties(&p, device), "cudaGetDeviceProperties");
  int driver = 0, runtime = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  return {{"name", p.name},
          {"compute_capability", std::to_string(p.major) + "." + std::to_string(p.minor)},
          {"memory_bytes", static_cast<int64_t>(p.totalGlobalMem)},
          {"multiprocessors", p.multiProcessorCount},
          {"driver_version", version_text(driver)},
          {"runtime_version", version_text(runtime)},
          {"nvrtc_version", jit::nvrtc_version()},
          {"kernel_arch", jit::default_cuda_arch()}};
}

CallTimer cuda_event_timer(int device) {
  struct Events {
    cudaEvent_t start = nullptr, stop = nullptr;
    ~Events() {
      if (start) cudaEventDestroy(start);
      if (stop) cudaEventDestroy(stop);
    }
  };
  auto ev = std::make_shared<Events>();
  check(cudaEventCreate(&ev->start), "cudaEventCreate");
  check(cudaEventCreate(&ev->stop), "cudaEventCreate");
  return [ev, device](const std::function<void()>& call) {
    // Whatever ran before must not be counted: start from an idle device.
    check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    auto stream = static_cast<cudaStream_t>(cuda::current_stream(device));
    check(cudaEventRecord(ev->start, stream), "cudaEventRecord");
    call();
    check(cudaEventRecord(ev->stop, static_cast<cudaStream_t>(cuda::current_stream(device))), "cudaEventRecord");
    check(cudaEventSynchronize(ev->stop), "cudaEventSynchronize");
    // Work on other streams (if any) is waited for so the next call starts clean.
    check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, ev->start, ev->stop), "cudaEventElapsedTime");
    return static_cast<double>(ms) * 1000.0;
  };
}

#else

nlohmann::json cuda_info(int) { return nullptr; }

CallTimer cuda_event_timer(int) { EMBER_FAIL("ember-bench was built without CUDA: no CUDA event timer"); }

#endif

}  // namespace ember::bench
