#pragma once
// A fusion group turned into one kernel: generated CUDA C++ compiled by NVRTC on CUDA, a
// tiled one-pass loop over the shared functors on the CPU.
#include <memory>
#include <string>
#include <vector>

#include "compiler/fusion.h"

namespace ember::jit {

class FusedKernel {
 public:
  FusedKernel(const Graph& g, FusionGroup group) : group_(std::move(group)) { (void)g; }
  virtual ~FusedKernel() = default;
  // Reads the group's inputs from `values` (indexed by graph value id) and stores its outputs there.
  virtual void run(const Graph& g, std::vector<Tensor>& values) const = 0;
  // The generated source (CUDA) or a description of the lowering (CPU).
  virtual std::string source() const = 0;
  const FusionGroup& group() const { return group_; }
  const std::string& name() const { return group_.kernel_name; }

 protected:
  FusionGroup group_;
};

std::unique_ptr<FusedKernel> make_cpu_fused_kernel(const Graph& g, const FusionGroup& group);
// Generates and compiles the CUDA kernel (NVRTC runs without a GPU; launching needs one).
std::unique_ptr<FusedKernel> make_cuda_fused_kernel(const Graph& g, const FusionGroup& group);

// Outputs of a group: contiguous, on the group's device, with each value's dtype and shape.
Tensor allocate_value(const Value& v);

}  // namespace ember::jit
