#pragma once
#include <cuda_runtime_api.h>

#include "ember/error.h"

#define EMBER_CUDA_CHECK(expr)                                                          \
  do {                                                                                  \
    cudaError_t err_ = (expr);                                                          \
    if (err_ != cudaSuccess) {                                                          \
      cudaGetLastError();                                                               \
      EMBER_FAIL("CUDA error: ", cudaGetErrorString(err_), " (", #expr, ")");           \
    }                                                                                   \
  } while (0)
