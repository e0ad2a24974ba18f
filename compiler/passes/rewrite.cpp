// Rewrite helpers shared by the passes, and the pass pipeline.
#include "compiler/log.h"
#include "compiler/passes.h"

namespace ember::jit {

bool has_side_effect(OpId op) {
  return op == OpId::Rand || op == OpId::Randn || op == OpId::Randint;
}

void replace_uses(Graph& g, int from, int to) {
  for (auto& n : g.nodes)
    for (int& i : n.inputs)
      if (i == from) i = to;
  for (int& o : g.outputs)
    if (o == from) o = to;
}

void remove_nodes(Graph& g, const std::vector<bool>& dead) {
  // Keep live nodes, then every value still referenced (inputs always stay).
  std::vector<Node> nodes;
  for (size_t n = 0; n < g.nodes.size(); ++n)
    if (!dead[n]) nodes.push_back(std::move(g.nodes[n]));
  std::vector<bool> used(g.values.size(), false);
  for (int i : g.inputs) used[i] = true;
  for (int o : g.outputs) used[o] = true;
  for (const auto& n : nodes) {
    for (int i : n.inputs) used[i] = true;
    for (int o : n.outputs) used[o] = true;
  }
  std::vector<int> remap(g.values.size(), -1);
  std::vector<Value> values;
  for (size_t v = 0; v < g.values.size(); ++v)
    if (used[v]) {
      remap[v] = static_cast<int>(values.size());
      values.push_back(std::move(g.values[v]));
    }
  for (size_t n = 0; n < nodes.size(); ++n) {
    for (int& i : nodes[n].inputs) i = remap[i];
    for (int& o : nodes[n].outputs) {
      o = remap[o];
      values[o].node = static_cast<int>(n);
    }
  }
  for (int& i : g.inputs) i = remap[i];
  for (int& o : g.outputs) o = remap[o];
  g.values = std::move(values);
  g.nodes = std::move(nodes);
}

std::vector<PassRecord> run_passes(Graph& g) {
  struct Pass {
    const char* name;
    int (*fn)(Graph&);
  };
  const Pass passes[] = {{"dce", &dead_code_elimination},
                         {"fold_constants", &fold_constants},
                         {"simplify", &simplify_algebra},
                         {"cse", &common_subexpression_elimination},
                         {"dce", &dead_code_elimination}};
  std::vector<PassRecord> records;
  g.verify();
  for (int round = 0; round < 4; ++round) {
    int total = 0;
    for (const auto& p : passes) {
      int n = p.fn(g);
      g.verify();
      total += n;
      if (round == 0 || n > 0) records.push_back({p.name, n, g});
      EMBER_LOG("passes", p.name << ": " << n << " rewrite(s), " << g.nodes.size() << " nodes");
    }
    if (total == 0) break;
  }
  return records;
}

}  // namespace ember::jit
