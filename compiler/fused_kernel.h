#pragma once
// A fusion group turned into one kernel: generated CUDA C++ compiled by NVRTC on CUDA, a
// tiled one-pass loop over the shared functors on the CPU.
#include <memory>
#include <string>
#include <vector>

#include "compiler/fusion.h"

namespace ember::jit {

// A compiled kernel binary and the kernel-cache key it was built under (CUDA kernels).
struct KernelBinary {
  int arch = 0;
  std::string cache_key;
  std::shared_ptr<const std::vector<char>> bytes;  // null for CPU kernels
};

class FusedKernel {
 public:
  FusedKernel(const Graph& g, FusionGroup group) : group_(std::move(group)) { (void)g; }
  virtual ~FusedKernel() = default;
  // Reads the group's inputs from `values` (indexed by graph value id) and stores its outputs there.
  virtual void run(const Graph& g, std::vector<Tensor>& values) const = 0;
  // The generated source (CUDA) or a description of the lowering (CPU).
  virtual std::string source() const = 0;
  virtual KernelBinary binary() const { return {}; }
  const FusionGroup& group() const { return group_; }
  const std::string& name() const { return group_.kernel_name; }

 protected:
  FusionGroup group_;
};

std::unique_ptr<FusedKernel> make_cpu_fused_kernel(const Graph& g, const FusionGroup& group);
// A row group's kernel (group.row_length > 0); make_cpu_fused_kernel picks it.
std::unique_ptr<FusedKernel> make_cpu_row_kernel(const Graph& g, const FusionGroup& group);
// Generates and compiles the CUDA kernel (NVRTC runs without a GPU; launching needs one).
std::unique_ptr<FusedKernel> make_cuda_fused_kernel(const Graph& g, const FusionGroup& group);

// Fault injection for tests: while on, building any fused kernel fails as an NVRTC or
// codegen failure would (Program then runs the group's ops unfused, or strict mode refuses).
void inject_codegen_failures(bool on);
bool codegen_failures_injected();

// Puts `bytes` into the in-memory kernel cache under `cache_key`: a kernel built later with
// that key uses them instead of compiling (exported steps carry their cubins this way).
void preload_kernel_binary(const std::string& cache_key, std::vector<char> bytes);
// The key a CUDA kernel of `source` for `arch` is cached under by this build of ember.
std::string kernel_binary_key(const std::string& source, int arch);

// Outputs of a group: contiguous, on the group's device, with each value's dtype and shape.
Tensor allocate_value(const Value& v);

}  // namespace ember::jit
