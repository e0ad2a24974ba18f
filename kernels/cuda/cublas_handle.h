#pragma once
// One cuBLAS handle per device, created on first use. A CublasLease binds it to a stream
// (with a workspace owned by that stream, so a later CUDA graph capture needs no cudaMalloc)
// and holds the device's lock until the calls are enqueued: handles are not thread-safe.
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <mutex>

#include "ember/error.h"

#define EMBER_CUBLAS_CHECK(expr)                                                      \
  do {                                                                                \
    cublasStatus_t st_ = (expr);                                                      \
    if (st_ != CUBLAS_STATUS_SUCCESS)                                                 \
      EMBER_FAIL("cuBLAS error: ", cublasGetStatusName(st_), " (", #expr, ")");        \
  } while (0)

namespace ember::cuda {

class CublasLease {
 public:
  // The device must be current (DeviceGuard) when a lease is taken.
  CublasLease(int device, cudaStream_t stream);
  cublasHandle_t handle() const { return handle_; }
  // The cuBLASLt handle of the same device (matmuls with epilogues), and the workspace.
  cublasLtHandle_t lt_handle() const { return lt_; }
  void* workspace() const { return workspace_; }
  size_t workspace_bytes() const;

 private:
  std::unique_lock<std::mutex> lock_;
  cublasHandle_t handle_ = nullptr;
  cublasLtHandle_t lt_ = nullptr;
  void* workspace_ = nullptr;
};

}  // namespace ember::cuda
