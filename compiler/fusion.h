#pragma once
// Fusion analysis: row groups (reductions over the last dim broadcast back over their rows:
// softmax, norms) first, then maximal groups of pointwise ops of one shape and device,
// connected through producer/consumer edges or a shared input, optionally ending in a
// reduction (sum/mean/amax/amin) of the group's result; and the order the groups run in.
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
  // > 0: a row group (row_fusion.cpp): `shape` is [..., row_length]; its nodes are
  // reductions over the last dim (keepdim), pointwise ops of `shape` or of its row shape
  // [..., 1], and expands of row values to `shape` read only inside; run one block of rows
  // at a time. `reduction` stays -1.
  int64_t row_length = 0;
  std::string kernel_name;   // fused_<ops>_<dtype>, completed with a hash by codegen
};

// One step of the execution order: a fused group, or a node run on its own.
struct ScheduledStep {
  int group = -1;  // index into FusionReport::groups, or -1
  int node = -1;   // the unfused node when group < 0
};

struct FusionReport {
  std::vector<FusionGroup> groups;
  std::vector<std::string> refusals;  // one line per op that could not join a neighbour
  // Every group and unfused node once, dependencies first (graph order where free; ops
  // with side effects keep their relative order).
  std::vector<ScheduledStep> schedule;
};

FusionReport find_fusion_groups(const Graph& g);
// Appends the row groups of `g` to `groups` and marks their nodes in group_of (node id ->
// group index; nodes already marked are left alone).
void find_row_groups(const Graph& g, std::vector<FusionGroup>& groups, std::vector<int>& group_of);

bool is_fusable_pointwise(OpId op);
bool is_fusable_reduction(OpId op);

}  // namespace ember::jit
