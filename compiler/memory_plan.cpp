#include "compiler/memory_plan.h"

#include <algorithm>
#include <map>

namespace ember::jit {

namespace {
constexpr int64_t kAlign = 256;
int64_t aligned(int64_t n) { return (n + kAlign - 1) / kAlign * kAlign; }
}  // namespace

MemoryPlan plan_memory(const Graph& g, const std::vector<int>& def_step,
                       const std::vector<int>& last_step, const std::vector<bool>& planned) {
  MemoryPlan plan;
  plan.offset.assign(g.values.size(), -1);
  std::vector<int> order;
  for (size_t v = 0; v < g.values.size(); ++v)
    if (planned[v] && g.values[v].nbytes() > 0) order.push_back(static_cast<int>(v));
  if (!order.empty()) plan.device = g.values[order[0]].device;
  // Eager: each value lives from its step to its last use; peak of the sum over steps.
  std::map<int, int64_t> delta;
  for (int v : order) {
    delta[def_step[v]] += aligned(g.values[v].nbytes());
    delta[last_step[v] + 1] -= aligned(g.values[v].nbytes());
  }
  int64_t live = 0;
  for (auto& [step, d] : delta) {
    live += d;
    plan.eager_peak_bytes = std::max(plan.eager_peak_bytes, live);
  }
  // Greedy: largest first, lowest offset that does not collide in time and space.
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return g.values[a].nbytes() != g.values[b].nbytes() ? g.values[a].nbytes() > g.values[b].nbytes() : a < b;
  });
  std::vector<int> placed;
  for (int v : order) {
    int64_t size = aligned(g.values[v].nbytes());
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (int u : placed)
      if (!(last_step[u] < def_step[v] || last_step[v] < def_step[u]))
        busy.emplace_back(plan.offset[u], plan.offset[u] + aligned(g.values[u].nbytes()));
    std::sort(busy.begin(), busy.end());
    int64_t at = 0;
    for (auto& [lo, hi] : busy) {
      if (at + size <= lo) break;
      at = std::max(at, hi);
    }
    plan.offset[v] = at;
    plan.arena_bytes = std::max(plan.arena_bytes, at + size);
    placed.push_back(v);
  }
  return plan;
}

}  // namespace ember::jit
