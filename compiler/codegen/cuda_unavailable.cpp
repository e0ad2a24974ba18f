// Builds without the CUDA backend have no CUDA tensors, so no CUDA group is ever formed.
#include "compiler/fused_kernel.h"

namespace ember::jit {

std::unique_ptr<FusedKernel> make_cuda_fused_kernel(const Graph&, const FusionGroup& group) {
  EMBER_FAIL("cannot compile ", group.kernel_name, " for CUDA: ember was built without CUDA support");
}

// Without CUDA no kernel ever looks for a cubin.
void preload_kernel_binary(const std::string&, std::vector<char>) {}
std::string kernel_binary_key(const std::string&, int) { return ""; }

}  // namespace ember::jit

#include "compiler/graph_replay.h"

namespace ember::jit {
std::unique_ptr<GraphReplay> make_graph_replay() { return nullptr; }
}  // namespace ember::jit
