#pragma once
// Generates the CUDA C++ of a fusion group. Every op is the same functor the eager kernels
// call (kernels/device/pointwise.h), with the same conversions around it (load as storage
// type, compute type in, storage type out), so fused results are bitwise equal to eager.
// Shapes and strides are static in a compiled graph and are baked into the index math.
#include <string>
#include <vector>

#include "compiler/fusion.h"

namespace ember::jit {

struct CudaKernelSource {
  std::string name;     // fused_<ops>_<dtype>_<hash>
  std::string source;
  int threads = 256;
  int64_t blocks = 1;
  int vec = 1;                      // elements per thread on the dense path
  bool reduction = false;
  bool reduce_all = false;          // one output: needs scratch for block partials
  std::vector<int> dense_inputs;    // group inputs read at the flat index (vector-loadable)
  std::vector<int> host_scalars;    // group inputs that are CPU 0-dim tensors, passed by value
  int64_t scratch_bytes = 0;        // partials + counter for reduce_all
  std::vector<int> out_order;       // p.out[k] holds group output out_order[k]
};

// The Params struct layout shared by the generator and the launcher.
constexpr int kMaxKernelOperands = 64;

CudaKernelSource generate_cuda_source(const Graph& g, const FusionGroup& group);

}  // namespace ember::jit
