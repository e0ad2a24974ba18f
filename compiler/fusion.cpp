#include "compiler/fusion.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "compiler/log.h"
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
  std::string name = "fused";
  std::set<std::string> seen;
  for (int n : grp.nodes) {
    std::string op = lower(op_name(g.nodes[n].op));
    if (seen.insert(op).second) name += "_" + op;
  }
  int last = grp.nodes.back();
  return name + "_" + dtype_tag(g.values[g.nodes[last].outputs[0]].dtype);
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
    if (G.reduction >= 0 || out.sizes != G.shape || out.device != G.device) return false;
    for (int i : node.inputs) {
      int p = producer(i);
      if (p < 0 || group_of[p] == gi) continue;
      if (p >= G.nodes.front()) return false;
    }
    return true;
  };

  for (int n = 0; n < nn; ++n) {
    const Node& node = g.nodes[n];
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
      if (G.reduction >= 0 || G.nodes.back() > n || g.values[node.inputs[0]].sizes != G.shape) {
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

  // Inputs and outputs of each group; single pointwise ops stay eager kernels.
  auto users = g.users();
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
  return report;
}

}  // namespace ember::jit
