// Dead code elimination and common subexpression elimination.
#include <map>
#include <sstream>

#include "compiler/passes.h"
#include "kernels/op_registry.h"
#include "kernels/ops/ops_util.h"

namespace ember::jit {

int dead_code_elimination(Graph& g) {
  std::vector<bool> live_value(g.values.size(), false);
  for (int o : g.outputs) live_value[o] = true;
  std::vector<bool> dead(g.nodes.size(), true);
  for (int n = static_cast<int>(g.nodes.size()) - 1; n >= 0; --n) {
    const Node& node = g.nodes[n];
    bool live = has_side_effect(node.op);
    for (int o : node.outputs) live = live || live_value[o];
    if (!live) continue;
    dead[n] = false;
    for (int i : node.inputs) live_value[i] = true;
  }
  int removed = 0;
  for (bool d : dead) removed += d;
  if (removed) remove_nodes(g, dead);
  return removed;
}

namespace {
// A key identifying a constant by dtype, shape and bytes.
std::string constant_key(const Value& v) {
  std::ostringstream os;
  Tensor c = contiguous_on(v.constant, Device(kCPU));
  os << static_cast<int>(v.dtype) << shape_str(v.sizes) << v.device << v.wrapped << ':';
  const unsigned char* p = static_cast<const unsigned char*>(c.data_ptr());
  for (size_t i = 0; i < c.nbytes(); ++i) os << static_cast<int>(p[i]) << ',';
  return os.str();
}
}  // namespace

int common_subexpression_elimination(Graph& g) {
  int merged = 0;
  std::map<std::string, int> constants;
  for (size_t v = 0; v < g.values.size(); ++v) {
    const Value& val = g.values[v];
    if (val.kind != ValueKind::Constant || val.numel() > 64) continue;
    auto [it, fresh] = constants.emplace(constant_key(val), static_cast<int>(v));
    if (!fresh) {
      replace_uses(g, static_cast<int>(v), it->second);
      ++merged;
    }
  }
  std::map<std::string, int> seen;  // node signature -> node index
  std::vector<bool> dead(g.nodes.size(), false);
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const Node& node = g.nodes[n];
    if (has_side_effect(node.op)) continue;
    std::ostringstream key;
    key << static_cast<int>(node.op) << '(';
    for (int i : node.inputs) key << i << ',';
    key << ')' << node.attrs;
    auto [it, fresh] = seen.emplace(key.str(), static_cast<int>(n));
    if (fresh) continue;
    const Node& first = g.nodes[it->second];
    for (size_t k = 0; k < node.outputs.size(); ++k) replace_uses(g, node.outputs[k], first.outputs[k]);
    dead[n] = true;
    ++merged;
  }
  if (merged) remove_nodes(g, dead);
  return merged;
}

}  // namespace ember::jit
