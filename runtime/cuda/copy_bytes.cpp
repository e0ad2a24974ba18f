#include <cstring>

#include "runtime/cuda/cuda_check.h"
#include "runtime/cuda/cuda_context.h"
#include "runtime/cuda/stream_sync.h"
#include "ember/device.h"

namespace ember {

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device,
                size_t nbytes) {
  if (nbytes == 0) return;
  if (dst_device.is_cpu() && src_device.is_cpu()) {
    std::memcpy(dst, src, nbytes);
    return;
  }
  int dev = dst_device.is_cuda() ? dst_device.index : src_device.index;
  cuda::DeviceGuard g(dev);
  auto stream = static_cast<cudaStream_t>(cuda::current_stream(dev));
  if (dst_device.is_cuda() && src_device.is_cuda() && dst_device.index != src_device.index) {
    // Order after pending work on the source device, then copy peer to peer.
    cuda::synchronize_stream(src_device.index, cuda::current_stream(src_device.index));
    EMBER_CUDA_CHECK(cudaMemcpyPeerAsync(dst, dst_device.index, src, src_device.index, nbytes,
                                         stream));
  } else {
    EMBER_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDefault, stream));
  }
  cuda::synchronize_stream(dev, stream);
}

}  // namespace ember
