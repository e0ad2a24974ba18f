#pragma once
#include <cstdint>
#include <iosfwd>
#include <string>

namespace ember {

enum class DeviceType : int8_t { CPU, CUDA };
constexpr DeviceType kCPU = DeviceType::CPU;
constexpr DeviceType kCUDA = DeviceType::CUDA;

struct Device {
  DeviceType type = kCPU;
  int index = 0;

  Device() = default;
  Device(DeviceType t, int i = 0) : type(t), index(t == kCPU ? 0 : i) {}
  explicit Device(const std::string& spec);  // "cpu", "cuda", "cuda:1"

  bool is_cpu() const { return type == kCPU; }
  bool is_cuda() const { return type == kCUDA; }
  bool operator==(const Device& o) const { return type == o.type && index == o.index; }
  bool operator!=(const Device& o) const { return !(*this == o); }
  std::string str() const;  // "cpu", "cuda:0"
};

std::ostream& operator<<(std::ostream& os, const Device& d);

// Copies raw bytes between (possibly different) devices; waits until the copy is done.
void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes);

namespace cuda {
// Number of usable CUDA devices; 0 when built without CUDA or when no driver/GPU is present.
int device_count();
bool is_available();
void synchronize(int device = -1);
}  // namespace cuda

}  // namespace ember
