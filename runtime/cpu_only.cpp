// Device queries for a build without the CUDA backend: no CUDA devices exist.
#include <cstring>

#include "ember/device.h"
#include "ember/error.h"
#include "runtime/cuda/cuda_unavailable.h"

namespace ember {

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device,
                size_t nbytes) {
  EMBER_CHECK(dst_device.is_cpu() && src_device.is_cpu(),
              "copy between ", src_device, " and ", dst_device,
              ": ember was built without CUDA support");
  if (nbytes) std::memcpy(dst, src, nbytes);
}

namespace cuda {
int device_count() { return 0; }
bool is_available() { return false; }
const char* unavailable_reason() { return "ember was built without CUDA support"; }
void synchronize(int) {}
}  // namespace cuda

}  // namespace ember
