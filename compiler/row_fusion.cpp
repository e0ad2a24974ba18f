// Row groups: a reduction over the last dim (keepdim) whose result is broadcast back over its
// rows, with the pointwise ops around it, as softmax, log_softmax, layer_norm and rms_norm
// (and their backward graphs) are traced. The group runs as one pass per block of rows
// (compiler/codegen/cpu_row_fused.cpp) instead of one kernel per op with a full-size
// intermediate between each. CPU only for now: the CUDA code generator has no row schedule.
#include <algorithm>
#include <set>

#include "compiler/fusion.h"
#include "compiler/log.h"
#include "kernels/ops/reduction_ops.h"

namespace ember::jit {

namespace {

Shape row_shape(Shape s) {
  s.back() = 1;
  return s;
}

// A Sum/Mean/Amax/Amin of a floating [..., C] value over its last dim, keeping it.
bool reduces_rows(const Graph& g, const Node& n) {
  if (!is_fusable_reduction(n.op)) return false;
  const Value& in = g.values[n.inputs[0]];
  int64_t nd = static_cast<int64_t>(in.sizes.size());
  if (nd == 0 || in.sizes.back() <= 1 || !is_floating(in.dtype)) return false;
  return reduced_dims(n.op, nd, n.attrs) == std::vector<int64_t>{nd - 1} &&
         g.values[n.outputs[0]].sizes == row_shape(in.sizes);
}

// An Expand of a row value over its rows (how backward graphs broadcast a row sum back).
bool expands_rows(const Graph& g, const Node& n) {
  if (n.op != OpId::Expand) return false;
  const Shape& out = g.values[n.outputs[0]].sizes;
  return !out.empty() && out.back() > 1 && g.values[n.inputs[0]].sizes == row_shape(out);
}

struct Candidate {
  FusionGroup group;
  bool has_reduction = false;
};

}  // namespace

void find_row_groups(const Graph& g, std::vector<FusionGroup>& groups, std::vector<int>& group_of) {
  int nn = static_cast<int>(g.nodes.size());
  std::vector<Candidate> cands;
  std::vector<int> cand_of(nn, -1);
  auto producer = [&](int v) { return g.values[v].kind == ValueKind::Node ? g.values[v].node : -1; };
  // As in find_fusion_groups: n may join C when each input comes from C, from outside the
  // graph or from a node before C's first node (no path leaves C and comes back).
  auto can_join = [&](int n, int ci, const Shape& out) {
    const FusionGroup& G = cands[ci].group;
    const Value& o = g.values[g.nodes[n].outputs[0]];
    if (o.device != G.device || (out != G.shape && out != row_shape(G.shape))) return false;
    for (int i : g.nodes[n].inputs) {
      int p = producer(i);
      if (p >= 0 && cand_of[p] != ci && p >= G.nodes.front()) return false;
    }
    return true;
  };
  for (int n = 0; n < nn; ++n) {
    const Node& node = g.nodes[n];
    if (group_of[n] >= 0 || node.outputs.size() != 1) continue;
    const Value& out = g.values[node.outputs[0]];
    if (!out.device.is_cpu()) continue;
    bool reduction = reduces_rows(g, node), expand = expands_rows(g, node);
    // The kernel folds dense rows; a row value expanded over its row is not one (eager folds
    // the stride-0 row in its own order), so such a reduction stays out of row groups.
    int p_in = reduction ? producer(node.inputs[0]) : -1;
    if (reduction && p_in >= 0 && expands_rows(g, g.nodes[p_in])) continue;
    if (!reduction && !expand && !is_fusable_pointwise(node.op)) continue;
    // The full shape the node belongs to: a reduction's input, a pointwise op's output (a row
    // shaped one joins only a group it reads from).
    Shape full = reduction ? g.values[node.inputs[0]].sizes : out.sizes;
    int chosen = -1;
    for (int i : reduction ? std::vector<int>{node.inputs[0]} : node.inputs) {
      int p = producer(i);
      if (p >= 0 && cand_of[p] >= 0 && (!reduction || cands[cand_of[p]].group.shape == full) &&
          can_join(n, cand_of[p], reduction ? full : out.sizes)) {
        chosen = cand_of[p];
        break;
      }
    }
    // An op that reads nothing of a group (a row statistic's exponent, say) joins the newest
    // group of its shape, so that the group's later ops may read it.
    if (chosen < 0 && !reduction && !expand && !cands.empty() && can_join(n, static_cast<int>(cands.size()) - 1, out.sizes))
      chosen = static_cast<int>(cands.size()) - 1;
    if (chosen < 0) {
      if (expand || full.empty() || full.back() <= 1) continue;
      Candidate c;
      c.group.shape = full;
      c.group.device = out.device;
      c.group.row_length = full.back();
      cands.push_back(std::move(c));
      chosen = static_cast<int>(cands.size()) - 1;
    }
    cands[chosen].group.nodes.push_back(n);
    cands[chosen].has_reduction = cands[chosen].has_reduction || reduction;
    cand_of[n] = chosen;
  }
  // Kept: candidates in which a full-size op reads (through the group) a row reduction, and
  // whose expands are read only inside (the kernel reads them as the row value, broadcast);
  // the rest are left to the ordinary groups.
  auto users = g.users();
  std::set<int> graph_outputs(g.outputs.begin(), g.outputs.end());
  for (int ci = 0; ci < static_cast<int>(cands.size()); ++ci) {
    Candidate& c = cands[ci];
    if (!c.has_reduction) continue;
    bool escapes = false;
    for (int n : c.group.nodes) {
      if (!expands_rows(g, g.nodes[n])) continue;
      int v = g.nodes[n].outputs[0];
      escapes = escapes || graph_outputs.count(v) > 0;
      for (int u : users[v]) escapes = escapes || cand_of[u] != ci;
    }
    if (escapes) continue;
    std::set<int> row_derived;  // values computed from a reduction inside the group
    bool broadcast_back = false;
    for (int n : c.group.nodes) {
      const Node& node = g.nodes[n];
      bool derived = reduces_rows(g, node);
      for (int i : node.inputs) derived = derived || row_derived.count(i) > 0;
      if (!derived) continue;
      row_derived.insert(node.outputs[0]);
      broadcast_back = broadcast_back || g.values[node.outputs[0]].sizes == c.group.shape;
    }
    if (!broadcast_back) continue;
    int gi = static_cast<int>(groups.size());
    for (int n : c.group.nodes) group_of[n] = gi;
    EMBER_LOG("fusion", "row group of " << c.group.nodes.size() << " ops over rows of " << c.group.row_length
                                        << ", shape " << shape_str(c.group.shape));
    groups.push_back(std::move(c.group));
  }
}

}  // namespace ember::jit
