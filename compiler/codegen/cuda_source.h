#pragma once
// Generates the CUDA C++ of a fusion group. Every op is the same functor the eager kernels
// call (kernels/device/pointwise.h), with the same conversions around it (load as storage
// type, compute type in, storage type out), so fused results are bitwise equal to eager.
// A fused reduction is the same kind the eager reductions use (kernels/device/reduce.h).
// Shapes and strides are static in a compiled graph and are baked into the index math.
#include <cstddef>
#include <string>
#include <vector>

#include "compiler/fusion.h"

namespace ember::jit {

// The kernel's one argument, `Params`, as the generator declares it and the launcher
// (codegen/cuda_fused.cpp) packs it: arrays sized to the group (at least 1 entry), every
// field 8-byte aligned.
//   void* out[outputs]; const void* in[inputs]; double sd[inputs]; long long si[inputs];
//   int vec_ok; void* scratch;
struct ParamsLayout {
  size_t outputs = 1, inputs = 1;  // array lengths
  size_t out = 0, in = 0, sd = 0, si = 0, vec_ok = 0, scratch = 0;  // byte offsets
  size_t size = 0;
};
ParamsLayout params_layout(size_t group_inputs, size_t group_outputs);

// Groups with more operands than this are refused (cuda_fused.cpp).
constexpr int kMaxKernelOperands = 64;

struct CudaKernelSource {
  std::string name;     // fused_<ops>_<dtype>_<hash>
  std::string source;
  int threads = 256;
  int64_t blocks = 1;
  int vec = 1;                      // elements per thread on the dense path
  bool reduction = false;
  ParamsLayout params;
  std::vector<int> dense_inputs;    // group inputs read at the flat index (vector-loadable)
  std::vector<int> host_scalars;    // group inputs that are CPU 0-dim tensors, passed by value
  int64_t scratch_bytes = 0;        // partials + counter when split
  std::vector<int> out_order;       // p.out[k] holds group output out_order[k]
};

CudaKernelSource generate_cuda_source(const Graph& g, const FusionGroup& group);

}  // namespace ember::jit
