#pragma once
// Graph-to-graph passes. Each returns how many rewrites it made; the pipeline verifies the
// graph after every pass and keeps a snapshot for dumps.
#include <functional>
#include <string>
#include <vector>

#include "compiler/graph.h"

namespace ember::jit {

int dead_code_elimination(Graph& g);
int common_subexpression_elimination(Graph& g);
int fold_constants(Graph& g);
int simplify_algebra(Graph& g);
// mm/addmm followed by relu or clamp_min(0) -> one FusedMm (run after autograd partitioning).
int fuse_matmul_epilogues(Graph& g);

// Rewrite helpers: redirect every use of `from` to `to`; drop the nodes marked dead and
// the values nothing refers to (renumbering, keeping order).
void replace_uses(Graph& g, int from, int to);
void remove_nodes(Graph& g, const std::vector<bool>& dead);

struct PassRecord {
  std::string name;
  int rewrites;
  Graph after;
};

// DCE, CSE, constant folding and simplification to a fixed point (bounded rounds).
std::vector<PassRecord> run_passes(Graph& g);

// Ops whose every call matters even when the result is unused (they advance the RNG).
bool has_side_effect(OpId op);

}  // namespace ember::jit
