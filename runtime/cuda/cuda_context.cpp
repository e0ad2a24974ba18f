#include "runtime/cuda/cuda_context.h"

#include <array>
#include <mutex>

#include "runtime/cuda/cuda_check.h"
#include "runtime/cuda/stream_sync.h"
#include "ember/device.h"

namespace ember::cuda {

namespace {
constexpr int kMaxDevices = 16;
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
}  // namespace

int device_count() {
  static int count = [] {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
      cudaGetLastError();  // no driver or no device: CPU only
      return 0;
    }
    return n < kMaxDevices ? n : kMaxDevices;
  }();
  return count;
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
