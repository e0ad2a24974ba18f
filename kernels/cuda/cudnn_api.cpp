#include "kernels/cuda/cudnn_api.h"

#include <dlfcn.h>

#include <array>
#include <string>

#include "runtime/cuda/cuda_context.h"

namespace ember::cuda {

namespace {


struct Loaded {
  CudnnApi api;
  std::string error;  // empty when loaded
};

Loaded load() {
  Loaded l;
  void* lib = nullptr;
  for (const char* name : {"libcudnn.so.9", "libcudnn.so"})
    if ((lib = dlopen(name, RTLD_NOW | RTLD_GLOBAL))) break;
  if (!lib) {
    const char* e = dlerror();
    l.error = std::string("convolution on CUDA needs cuDNN 9, but libcudnn.so.9 could not be "
                          "loaded (") + (e ? e : "not found") + "); put it on LD_LIBRARY_PATH";
    return l;
  }
#define EMBER_CUDNN_LOAD(f)                                                              \
  l.api.f = reinterpret_cast<decltype(&::f)>(dlsym(lib, #f));                            \
  if (!l.api.f && l.error.empty()) l.error = "cuDNN: libcudnn has no symbol " #f;
  EMBER_CUDNN_FUNCS(EMBER_CUDNN_LOAD)
#undef EMBER_CUDNN_LOAD
  if (l.error.empty() && l.api.cudnnGetVersion() / 10000 != 9)
    l.error = "cuDNN: expected version 9, but libcudnn reports " + std::to_string(l.api.cudnnGetVersion());
  return l;
}

struct DeviceDnn {
  std::mutex mu;
  cudnnHandle_t handle = nullptr;
};

std::array<DeviceDnn, kMaxDevices>& dnn_devices() {
  static auto* d = new std::array<DeviceDnn, kMaxDevices>();  // lives until exit, like cuBLAS's
  return *d;
}

}  // namespace

const CudnnApi& cudnn() {
  static const Loaded* l = new Loaded(load());
  EMBER_CHECK(l->error.empty(), l->error);
  return l->api;
}

CudnnLease::CudnnLease(int device, cudaStream_t stream) {
  EMBER_CHECK(device >= 0 && device < kMaxDevices, "internal: CUDA device index ", device);
  const CudnnApi& api = cudnn();
  DeviceDnn& d = dnn_devices()[device];
  lock_ = std::unique_lock<std::mutex>(d.mu);
  if (!d.handle) {
    cudnnStatus_t st = api.cudnnCreate(&d.handle);
    EMBER_CHECK(st == CUDNN_STATUS_SUCCESS, "convolution: could not create a cuDNN handle on cuda:",
                device, " (", api.cudnnGetErrorString(st), ")");
  }
  EMBER_CUDNN_CHECK(api.cudnnSetStream(d.handle, stream));
  handle_ = d.handle;
}

}  // namespace ember::cuda
