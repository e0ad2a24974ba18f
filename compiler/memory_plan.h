#pragma once
// Ahead-of-time buffer planning for a graph's intermediates: values whose lifetimes do not
// overlap share arena space, so one allocation per run serves every intermediate.
#include <vector>

#include "compiler/graph.h"

namespace ember::jit {

struct MemoryPlan {
  std::vector<int64_t> offset;  // bytes into the arena per value, -1 when not planned
  int64_t arena_bytes = 0;      // per device: one arena (graphs run on one device)
  Device device;
  int64_t eager_peak_bytes = 0; // the same intermediates, each allocated on its own
};

// `def_step[v]` / `last_step[v]`: the step producing v and the last step reading it (views
// extend their base's lifetime). Values with `planned[v]` false (outputs, views, inputs,
// constants) are left out.
MemoryPlan plan_memory(const Graph& g, const std::vector<int>& def_step,
                       const std::vector<int>& last_step, const std::vector<bool>& planned);

}  // namespace ember::jit
