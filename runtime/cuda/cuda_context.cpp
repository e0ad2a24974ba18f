#include "runtime/cuda/cuda_context.h"

#include <dlfcn.h>

#include <array>
#include <cstdio>
#include <string>
#include <mutex>

#include "runtime/cuda/cuda_check.h"
#include "runtime/cuda/cuda_unavailable.h"
#include "runtime/cuda/stream_sync.h"
#include "ember/device.h"

namespace ember::cuda {

namespace {
std::array<cudaStream_t, kMaxDevices> g_default_streams{};
std::once_flag g_stream_once[kMaxDevices];
thread_local std::array<cudaStream_t, kMaxDevices> t_current{};

cudaStream_t default_stream(int device) {
  std::call_once(g_stream_once[device], [device] {
    DeviceGuard g(device);
    EMBER_CUDA_CHECK(cudaStreamCreateWithFlags(&g_default_streams[device], cudaStreamNonBlocking));
  });
  return g_default_streams[device];
}

int checked(int device) {
  EMBER_CHECK(device >= 0 && device < device_count(), "device cuda:", device,
              " is not available (", device_count(), " CUDA device(s) found)");
  return device;
}

// Function-local: device_count() may run during another file's static initialisation.
std::string& unavailable_text() {
  static std::string text;
  return text;
}

bool driver_installed() {
  void* h = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (h) dlclose(h);
  return h != nullptr;
}
}  // namespace

int device_count() {
  static int count = [] {
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
      cudaGetLastError();
      if (!driver_installed()) {
        unavailable_text() = "no NVIDIA driver installed (libcuda.so.1 not found)";
      } else {
        unavailable_text() = std::string(cudaGetErrorName(e)) + ": " + cudaGetErrorString(e);
        std::fprintf(stderr, "ember: CUDA is not usable (%s); running on the CPU only\n", unavailable_text().c_str());
      }
      return 0;
    }
    if (n == 0) unavailable_text() = "the CUDA driver reports no devices";
    return n < kMaxDevices ? n : kMaxDevices;
  }();
  return count;
}

const char* unavailable_reason() {
  device_count();
  return unavailable_text().c_str();
}

bool is_available() { return device_count() > 0; }

void synchronize(int device) {
  if (!is_available()) return;
  if (device < 0) {
    for (int d = 0; d < device_count(); ++d) synchronize(d);
    return;
  }
  synchronize_stream(device, current_stream(device));
}

int current_device() {
  int d = 0;
  EMBER_CUDA_CHECK(cudaGetDevice(&d));
  return d;
}

void set_device(int index) { EMBER_CUDA_CHECK(cudaSetDevice(checked(index))); }

void* current_stream(int device) {
  checked(device);
  cudaStream_t s = t_current[device];
  return s ? s : default_stream(device);
}

void set_current_stream(int device, void* stream) {
  t_current[checked(device)] = static_cast<cudaStream_t>(stream);
}

DeviceGuard::DeviceGuard(int index) : prev_(current_device()) {
  if (index != prev_) set_device(index);
}
DeviceGuard::~DeviceGuard() { cudaSetDevice(prev_); }

StreamGuard::StreamGuard(int device, void* stream) : device_(device), prev_(t_current[device]) {
  set_current_stream(device, stream);
}
StreamGuard::~StreamGuard() { t_current[device_] = static_cast<cudaStream_t>(prev_); }

}  // namespace ember::cuda
