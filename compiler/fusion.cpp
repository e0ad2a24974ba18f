#include "compiler/fusion.h"

#include <algorithm>
#include <cctype>
#include <queue>
#include <set>
#include <sstream>

#include "compiler/log.h"
#include "compiler/passes.h"
#include "kernels/op_registry.h"

namespace ember::jit {

bool is_fusable_pointwise(OpId op) { return op_def(op).kind == OpKind::Pointwise; }

bool is_fusable_reduction(OpId op) {
  return op == OpId::Sum || op == OpId::Mean || op == OpId::Amax || op == OpId::Amin;
}

namespace {

std::string lower(const char* s) {
  std::string out;
  for (const char* p = s; *p; ++p) {
    if (std::isupper(static_cast<unsigned char>(*p)) && !out.empty()) out.push_back('_');
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(*p))));
  }
  return out;
}

const char* dtype_tag(ScalarType t) {
  switch (t) {
    case kFloat32: return "f32";
    case kFloat64: return "f64";
    case kFloat16: return "f16";
    case kBFloat16: return "bf16";
    case kInt64: return "i64";
    case kInt32: return "i32";
    case kBool: return "b8";
    default: return dtype_name(t);
  }
}

std::string name_of(const Graph& g, const FusionGroup& grp) {
  std::string name = grp.row_length > 0 ? "fused_rows" : "fused";
  std::set<std::string> seen;
  for (int n : grp.nodes) {
    std::string op = lower(op_name(g.nodes[n].op));
    if (seen.insert(op).second) name += "_" + op;
  }
  int last = grp.nodes.back();
  return name + "_" + dtype_tag(g.values[g.nodes[last].outputs[0]].dtype);
}

// Second pass over the greedy groups: a group joins its producer's group, or another group
// reading the same tensor, when shapes and devices agree, neither ends in a reduction, and
// no path leaves one and re-enters the other through an op outside both (the merged group
// runs as one step). Group members need not be adjacent in graph order: the schedule puts
// each group after everything it reads.
class GroupMerger {
 public:
  GroupMerger(const Graph& g, const std::vector<std::vector<int>>& users, std::vector<FusionGroup>& groups,
              std::vector<int>& group_of)
      : g_(g), groups_(groups), group_of_(group_of), users_(users) {}

  void run() {
    for (bool changed = true; changed;) {
      changed = false;
      for (int n = 0; n < static_cast<int>(g_.nodes.size()); ++n) {
        if (group_of_[n] < 0) continue;
        for (int i : g_.nodes[n].inputs) {
          int p = g_.values[i].kind == ValueKind::Node ? g_.values[i].node : -1;
          if (p >= 0 && try_merge(group_of_[p], group_of_[n], "its producer")) changed = true;
          if (!shared_tensor(i)) continue;
          for (int u : users_[i])
            if (try_merge(group_of_[u], group_of_[n], "a reader of the same input")) changed = true;
        }
      }
    }
    // Scalar (0-dim) groups, such as an optimizer's bias corrections, one per parameter:
    // independent ones share a launch.
    for (size_t a = 0; a < groups_.size(); ++a)
      for (size_t b = a + 1; b < groups_.size(); ++b)
        if (!groups_[a].nodes.empty() && groups_[a].shape.empty() && !groups_[b].nodes.empty())
          try_merge(static_cast<int>(b), static_cast<int>(a), "another scalar group");
  }

 private:
  // Sharing a constant or a 0-dim value saves no memory traffic: only tensors count.
  bool shared_tensor(int v) const {
    const Value& val = g_.values[v];
    return val.kind != ValueKind::Constant && val.numel() > 1;
  }

  bool try_merge(int a, int b, const char* why) {
    if (a < 0 || b < 0 || a == b) return false;
    FusionGroup &A = groups_[a], &B = groups_[b];
    if (A.reduction >= 0 || B.reduction >= 0 || A.row_length > 0 || B.row_length > 0 || A.shape != B.shape ||
        A.device != B.device)
      return false;
    if (reaches_through_outside(a, b) || reaches_through_outside(b, a)) return false;
    EMBER_LOG("fusion", "merged a group of " << A.nodes.size() << " op(s) into a group of " << B.nodes.size()
                                              << " (" << why << ")");
    for (int n : A.nodes) group_of_[n] = b;
    B.nodes.insert(B.nodes.end(), A.nodes.begin(), A.nodes.end());
    std::sort(B.nodes.begin(), B.nodes.end());  // node ids are a topological order
    A.nodes.clear();
    return true;
  }

  // A path from group `from` to group `to` that passes through a node in neither (a direct
  // edge between the two is what merging absorbs).
  bool reaches_through_outside(int from, int to) const {
    std::vector<char> seen_node(g_.nodes.size(), 0), seen_group(groups_.size(), 0);
    std::vector<int> stack;
    auto push_users = [&](int n, bool from_start) {
      for (int o : g_.nodes[n].outputs)
        for (int u : users_[o]) {
          if (seen_node[u] || group_of_[u] == from || (from_start && group_of_[u] == to)) continue;
          seen_node[u] = 1;
          stack.push_back(u);
        }
    };
    for (int n : groups_[from].nodes) push_users(n, true);
    while (!stack.empty()) {
      int x = stack.back();
      stack.pop_back();
      int gx = group_of_[x];
      if (gx == to) return true;
      if (gx >= 0) {  // a group runs as one step: all its outputs follow any of its inputs
        if (seen_group[gx]) continue;
        seen_group[gx] = 1;
        for (int n : groups_[gx].nodes) push_users(n, false);
      } else {
        push_users(x, false);
      }
    }
    return false;
  }

  const Graph& g_;
  std::vector<FusionGroup>& groups_;
  std::vector<int>& group_of_;
  const std::vector<std::vector<int>>& users_;
};

// Kahn's algorithm over groups and unfused nodes; among ready steps the one whose first
// node comes earliest in the graph runs first.
std::vector<ScheduledStep> schedule(const Graph& g, const std::vector<FusionGroup>& groups) {
  int nn = static_cast<int>(g.nodes.size()), ng = static_cast<int>(groups.size());
  std::vector<int> unit_of(nn);
  for (int n = 0; n < nn; ++n) unit_of[n] = ng + n;
  for (int gi = 0; gi < ng; ++gi)
    for (int n : groups[gi].nodes) unit_of[n] = gi;
  int nu = ng + nn;
  std::vector<std::set<int>> succ(nu);
  std::vector<int> first(nu, -1), indegree(nu, 0);
  std::vector<bool> present(nu, false);
  for (int n = 0; n < nn; ++n) {
    int u = unit_of[n];
    present[u] = true;
    if (first[u] < 0) first[u] = n;
    for (int i : g.nodes[n].inputs)
      if (g.values[i].kind == ValueKind::Node && unit_of[g.values[i].node] != u)
        succ[unit_of[g.values[i].node]].insert(u);
  }
  int last_effect = -1;  // random ops draw from the generator in graph order
  for (int n = 0; n < nn; ++n) {
    if (!has_side_effect(g.nodes[n].op)) continue;
    if (last_effect >= 0 && unit_of[last_effect] != unit_of[n]) succ[unit_of[last_effect]].insert(unit_of[n]);
    last_effect = n;
  }
  for (int u = 0; u < nu; ++u)
    for (int v : succ[u]) ++indegree[v];
  std::priority_queue<std::pair<int, int>, std::vector<std::pair<int, int>>, std::greater<>> ready;
  for (int u = 0; u < nu; ++u)
    if (present[u] && indegree[u] == 0) ready.push({first[u], u});
  std::vector<ScheduledStep> order;
  while (!ready.empty()) {
    int u = ready.top().second;
    ready.pop();
    order.push_back(u < ng ? ScheduledStep{u, -1} : ScheduledStep{-1, u - ng});
    for (int v : succ[u])
      if (--indegree[v] == 0) ready.push({first[v], v});
  }
  EMBER_CHECK(static_cast<int>(order.size()) == std::count(present.begin(), present.end(), true),
              "internal: fusion groups form a cycle");
  return order;
}

}  // namespace

FusionReport find_fusion_groups(const Graph& g) {
  FusionReport report;
  int nn = static_cast<int>(g.nodes.size());
  std::vector<int> group_of(nn, -1);
  std::vector<FusionGroup> groups;
  auto producer = [&](int v) { return g.values[v].kind == ValueKind::Node ? g.values[v].node : -1; };

  // Node n may join group G when every input comes from G, from outside the graph, or from
  // a node before G's first node: then no path leaves G and comes back (no cycle).
  auto can_join = [&](int n, int gi) {
    const FusionGroup& G = groups[gi];
    const Node& node = g.nodes[n];
    const Value& out = g.values[node.outputs[0]];
    if (G.reduction >= 0 || G.row_length > 0 || out.sizes != G.shape || out.device != G.device) return false;
    for (int i : node.inputs) {
      int p = producer(i);
      if (p < 0 || group_of[p] == gi) continue;
      if (p >= G.nodes.front()) return false;
    }
    return true;
  };

  find_row_groups(g, groups, group_of);
  for (int n = 0; n < nn; ++n) {
    const Node& node = g.nodes[n];
    if (group_of[n] >= 0) continue;  // in a row group
    if (is_fusable_pointwise(node.op)) {
      int chosen = -1;
      for (int i : node.inputs) {
        int p = producer(i);
        if (p >= 0 && group_of[p] >= 0 && can_join(n, group_of[p])) {
          chosen = group_of[p];
          break;
        }
      }
      if (chosen < 0) {
        for (int i : node.inputs) {
          int p = producer(i);
          if (p >= 0 && group_of[p] >= 0)
            report.refusals.push_back(std::string(op_name(node.op)) + " (node " + std::to_string(n) +
                                      ") not fused with " + op_name(g.nodes[p].op) + " (node " +
                                      std::to_string(p) + "): different shape or device, or fusing "
                                      "would create a cycle through an unfused op");
        }
        FusionGroup G;
        G.shape = g.values[node.outputs[0]].sizes;
        G.device = g.values[node.outputs[0]].device;
        groups.push_back(std::move(G));
        chosen = static_cast<int>(groups.size()) - 1;
      }
      groups[chosen].nodes.push_back(n);
      group_of[n] = chosen;
    } else if (is_fusable_reduction(node.op)) {
      int p = producer(node.inputs[0]);
      if (p < 0 || group_of[p] < 0 || !is_floating(g.values[node.inputs[0]].dtype)) continue;
      FusionGroup& G = groups[group_of[p]];
      if (G.reduction >= 0 || G.row_length > 0 || G.nodes.back() > n || g.values[node.inputs[0]].sizes != G.shape) {
        report.refusals.push_back(std::string(op_name(node.op)) + " (node " + std::to_string(n) +
                                  ") not fused into its producer's group: the group already ends "
                                  "in a reduction or the shapes differ");
        continue;
      }
      G.nodes.push_back(n);
      G.reduction = n;
      group_of[n] = group_of[p];
    } else if (op_def(node.op).kind == OpKind::Pointwise) {
      report.refusals.push_back(std::string(op_name(node.op)) + " is not fusable");
    }
  }

  auto users = g.users();
  GroupMerger(g, users, groups, group_of).run();

  // Inputs and outputs of each group; single pointwise ops stay eager kernels.
  std::set<int> graph_outputs(g.outputs.begin(), g.outputs.end());
  for (int gi = 0; gi < static_cast<int>(groups.size()); ++gi) {
    FusionGroup& G = groups[gi];
    if (G.nodes.size() < 2) continue;
    std::set<int> produced;
    for (int n : G.nodes)
      for (int o : g.nodes[n].outputs) produced.insert(o);
    for (int n : G.nodes)
      for (int i : g.nodes[n].inputs)
        if (!produced.count(i) && std::find(G.inputs.begin(), G.inputs.end(), i) == G.inputs.end())
          G.inputs.push_back(i);
    for (int n : G.nodes)
      for (int o : g.nodes[n].outputs) {
        bool needed = graph_outputs.count(o) > 0;
        for (int u : users[o]) needed = needed || group_of[u] != gi;
        if (needed) G.outputs.push_back(o);
      }
    G.kernel_name = name_of(g, G);
    EMBER_LOG("fusion", G.kernel_name << ": " << G.nodes.size() << " ops, " << G.inputs.size()
                                      << " inputs, " << G.outputs.size() << " outputs, shape "
                                      << shape_str(G.shape) << " on " << G.device);
    report.groups.push_back(std::move(G));
  }
  for (const auto& r : report.refusals) EMBER_LOG("fusion", r);
  report.schedule = schedule(g, report.groups);
  return report;
}

}  // namespace ember::jit
