#pragma once
// cuDNN 9, loaded on first use with dlopen (libcudnn.so.9), so libember loads and runs
// everything else on machines without cuDNN; a convolution on CUDA there is an Error.
// Handles: one per device, bound to the current stream for each call (CudnnLease).
#include <cudnn.h>
#include <cuda_runtime_api.h>

#include <mutex>

#include "ember/error.h"

#define EMBER_CUDNN_FUNCS(X)                                                                   \
  X(cudnnCreate) X(cudnnSetStream) X(cudnnGetErrorString) X(cudnnGetVersion)                   \
  X(cudnnCreateTensorDescriptor) X(cudnnSetTensorNdDescriptor) X(cudnnDestroyTensorDescriptor) \
  X(cudnnCreateFilterDescriptor) X(cudnnSetFilterNdDescriptor) X(cudnnDestroyFilterDescriptor) \
  X(cudnnCreateConvolutionDescriptor) X(cudnnSetConvolutionNdDescriptor)                       \
  X(cudnnSetConvolutionGroupCount) X(cudnnSetConvolutionMathType)                              \
  X(cudnnDestroyConvolutionDescriptor) X(cudnnGetConvolutionForwardAlgorithm_v7)               \
  X(cudnnGetConvolutionForwardWorkspaceSize) X(cudnnConvolutionForward)                        \
  X(cudnnGetConvolutionBackwardDataAlgorithm_v7) X(cudnnGetConvolutionBackwardDataWorkspaceSize) \
  X(cudnnConvolutionBackwardData) X(cudnnGetConvolutionBackwardFilterAlgorithm_v7)             \
  X(cudnnGetConvolutionBackwardFilterWorkspaceSize) X(cudnnConvolutionBackwardFilter)          \
  X(cudnnAddTensor)

namespace ember::cuda {

struct CudnnApi {
#define EMBER_CUDNN_PTR(f) decltype(&::f) f = nullptr;
  EMBER_CUDNN_FUNCS(EMBER_CUDNN_PTR)
#undef EMBER_CUDNN_PTR
};

// The loaded API; throws naming the library when cuDNN cannot be loaded.
const CudnnApi& cudnn();

class CudnnLease {
 public:
  // The device must be current (DeviceGuard) when a lease is taken.
  CudnnLease(int device, cudaStream_t stream);
  cudnnHandle_t handle() const { return handle_; }

 private:
  std::unique_lock<std::mutex> lock_;
  cudnnHandle_t handle_ = nullptr;
};

}  // namespace ember::cuda

#define EMBER_CUDNN_CHECK(expr)                                                            \
  do {                                                                                     \
    cudnnStatus_t st_ = (expr);                                                            \
    if (st_ != CUDNN_STATUS_SUCCESS)                                                       \
      EMBER_FAIL("cuDNN error: ", ::ember::cuda::cudnn().cudnnGetErrorString(st_), " (", #expr, ")"); \
  } while (0)
