#pragma once
// Fusion analysis: maximal connected groups of pointwise ops of one shape and device,
// optionally ending in a reduction (sum/mean/amax/amin) of the group's result.
#include <string>
#include <vector>

#include "compiler/graph.h"

namespace ember::jit {

struct FusionGroup {
  std::vector<int> nodes;    // pointwise nodes in topological order, then the reduction if any
  std::vector<int> inputs;   // values read from outside the group (tensors and constants)
  std::vector<int> outputs;  // values the rest of the graph (or the caller) needs
  Shape shape;               // iteration shape of the pointwise part
  Device device;
  int reduction = -1;        // the fused reduction node, or -1
  std::string kernel_name;   // fused_<ops>_<dtype>, completed with a hash by codegen
};

struct FusionReport {
  std::vector<FusionGroup> groups;
  std::vector<std::string> refusals;  // one line per op that could not join a neighbour
};

FusionReport find_fusion_groups(const Graph& g);

bool is_fusable_pointwise(OpId op);
bool is_fusable_reduction(OpId op);

}  // namespace ember::jit
