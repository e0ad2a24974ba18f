#include "kernels/cuda/cublas_handle.h"

#include <array>
#include <map>

#include "kernels/tensor_alloc.h"
#include "runtime/cuda/cuda_check.h"
#include "runtime/cuda/cuda_context.h"

namespace ember::cuda {

namespace {

// cuBLAS's recommendation for Hopper; older GPUs need less.
constexpr size_t kWorkspaceBytes = size_t{32} << 20;

// Handles and workspaces live until the process exits: destroying them during static
// destruction would race the CUDA runtime's own teardown.
struct DeviceBlas {
  std::mutex mu;
  cublasHandle_t handle = nullptr;
  cublasLtHandle_t lt = nullptr;
  std::map<cudaStream_t, Tensor> workspaces;
};

std::array<DeviceBlas, kMaxDevices>& blas_devices() {
  static auto* d = new std::array<DeviceBlas, kMaxDevices>();
  return *d;
}

void* workspace_for(DeviceBlas& d, int device, cudaStream_t stream) {
  auto it = d.workspaces.find(stream);
  if (it != d.workspaces.end()) return it->second.data_ptr();
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  EMBER_CUDA_CHECK(cudaStreamIsCapturing(stream, &capture));
  EMBER_CHECK(capture == cudaStreamCaptureStatusNone,
              "matmul: the first cuBLAS call on a stream cannot happen during CUDA graph "
              "capture (its workspace must be allocated first); run one matmul on this "
              "stream before capturing");
  // From the caching allocator, so that running out of memory here releases cached blocks
  // and retries like any allocation.
  Tensor ws = empty_tensor({static_cast<int64_t>(kWorkspaceBytes)}, kUInt8, Device(kCUDA, device));
  return d.workspaces.emplace(stream, std::move(ws)).first->second.data_ptr();
}

}  // namespace

CublasLease::CublasLease(int device, cudaStream_t stream) {
  EMBER_CHECK(device >= 0 && device < kMaxDevices, "internal: CUDA device index ", device);
  DeviceBlas& d = blas_devices()[device];
  lock_ = std::unique_lock<std::mutex>(d.mu);
  if (!d.handle) {
    cublasHandle_t h = nullptr;
    cublasStatus_t st = cublasCreate(&h);
    EMBER_CHECK(st == CUBLAS_STATUS_SUCCESS, "matmul: could not create a cuBLAS handle on cuda:",
                device, " (", cublasGetStatusName(st), ")");
    // Pedantic defaults: no TF32 (libtorch's default), host scalars.
    cublasStatus_t m = cublasSetMathMode(h, CUBLAS_DEFAULT_MATH);
    if (m == CUBLAS_STATUS_SUCCESS) m = cublasSetPointerMode(h, CUBLAS_POINTER_MODE_HOST);
    if (m != CUBLAS_STATUS_SUCCESS) {
      cublasDestroy(h);
      EMBER_FAIL("matmul: could not configure the cuBLAS handle on cuda:", device, " (",
                 cublasGetStatusName(m), ")");
    }
    d.handle = h;
  }
  if (!d.lt) {
    cublasStatus_t st = cublasLtCreate(&d.lt);
    EMBER_CHECK(st == CUBLAS_STATUS_SUCCESS, "matmul: could not create a cuBLASLt handle on cuda:",
                device, " (", cublasGetStatusName(st), ")");
  }
  // cublasSetStream resets the workspace to cuBLAS's own pool, so set ours after it.
  EMBER_CUBLAS_CHECK(cublasSetStream(d.handle, stream));
  workspace_ = workspace_for(d, device, stream);
  EMBER_CUBLAS_CHECK(cublasSetWorkspace(d.handle, workspace_, kWorkspaceBytes));
  handle_ = d.handle;
  lt_ = d.lt;
}

size_t CublasLease::workspace_bytes() const { return kWorkspaceBytes; }

}  // namespace ember::cuda
