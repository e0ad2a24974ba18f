#pragma once
// Device selection and the current stream per device. Opaque types keep the CUDA headers
// out of code that is also built without CUDA.

namespace ember::cuda {

// The most devices ember addresses (per-device tables are this long).
constexpr int kMaxDevices = 16;

int current_device();
void set_device(int index);
// The stream ember launches work on for `device` (a cudaStream_t).
void* current_stream(int device);
void set_current_stream(int device, void* stream);

class DeviceGuard {
 public:
  explicit DeviceGuard(int index);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int prev_;
};

// Makes `stream` current for its device for this scope (used for CUDA graph capture).
class StreamGuard {
 public:
  StreamGuard(int device, void* stream);
  ~StreamGuard();
  StreamGuard(const StreamGuard&) = delete;
  StreamGuard& operator=(const StreamGuard&) = delete;

 private:
  int device_;
  void* prev_;
};

}  // namespace ember::cuda
