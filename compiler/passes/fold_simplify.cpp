// Constant folding and algebraic simplification that never changes a result's bits.
#include <cmath>

#include "compiler/passes.h"
#include "kernels/op_registry.h"
#include "ember/grad_mode.h"
#include "kernels/ops/ops_util.h"

namespace ember::jit {

namespace {

constexpr int64_t kMaxFoldedElements = 64;

bool is_scalar_constant(const Graph& g, int v, double* value) {
  const Value& val = g.values[v];
  if (val.kind != ValueKind::Constant || val.numel() != 1) return false;
  *value = val.constant.item().to_double();
  return true;
}

bool is_output(const Graph& g, int v) {
  for (int o : g.outputs)
    if (o == v) return true;
  return false;
}

}  // namespace

int fold_constants(Graph& g) {
  int folded = 0;
  std::vector<bool> dead(g.nodes.size(), false);
  NoGradGuard no_grad;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    Node& node = g.nodes[n];
    const OpDef& d = op_def(node.op);
    if (has_side_effect(node.op) || (!d.meta && !d.alias)) continue;
    if (node.inputs.empty() && node.op != OpId::Full) continue;
    bool all_const = true;
    for (int i : node.inputs) all_const = all_const && g.values[i].kind == ValueKind::Constant;
    for (int o : node.outputs) all_const = all_const && g.values[o].numel() <= kMaxFoldedElements;
    if (!all_const) continue;
    std::vector<Tensor> in;
    for (int i : node.inputs) in.push_back(g.values[i].constant);
    std::vector<Tensor> out = run_op(node.op, in, node.attrs);
    if (d.alias)
      for (auto& t : out) t = contiguous_copy(t);  // a folded view owns its values
    for (size_t k = 0; k < out.size(); ++k) {
      int c = g.add_constant(out[k]);
      replace_uses(g, node.outputs[k], c);
    }
    dead[n] = true;
    ++folded;
  }
  if (folded) remove_nodes(g, dead);
  return folded;
}

int simplify_algebra(Graph& g) {
  int rewrites = 0;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const Node& node = g.nodes[n];
    if (node.outputs.size() != 1) continue;
    int out = node.outputs[0];
    // An output may be replaced only by a fresh value of its own: one a non-view node
    // computes and the graph does not already return (so no output aliases an input or
    // another output). In-place updates end in such copies: m.copy_(m * b + g).
    bool output = is_output(g, out);
    auto may_stand_for_output = [&](int v) {
      const Value& iv = g.values[v];
      return iv.kind == ValueKind::Node && !op_def(g.nodes[iv.node].op).alias && !is_output(g, v);
    };
    const Value& ov = g.values[out];
    // Same layout too: a later View may rely on the dense strides of this node's output.
    auto same_meta = [&](int v) {
      const Value& iv = g.values[v];
      return iv.dtype == ov.dtype && iv.sizes == ov.sizes && iv.strides == ov.strides &&
             iv.device == ov.device && iv.kind != ValueKind::Constant;
    };
    int replacement = -1;
    double c = 0;
    switch (node.op) {
      case OpId::Mul:  // x * 1 == x exactly
        if (is_scalar_constant(g, node.inputs[1], &c) && c == 1 && same_meta(node.inputs[0]))
          replacement = node.inputs[0];
        else if (is_scalar_constant(g, node.inputs[0], &c) && c == 1 && same_meta(node.inputs[1]))
          replacement = node.inputs[1];
        break;
      case OpId::Div:  // x / 1 == x
      case OpId::Pow:  // x ^ 1 == x
        if (is_scalar_constant(g, node.inputs[1], &c) && c == 1 && same_meta(node.inputs[0]))
          replacement = node.inputs[0];
        break;
      case OpId::Sub:  // x - (+0) == x, also for -0
        if (is_scalar_constant(g, node.inputs[1], &c) && c == 0 && !std::signbit(c) &&
            same_meta(node.inputs[0]))
          replacement = node.inputs[0];
        break;
      case OpId::Neg: {  // -(-x) == x
        const Value& iv = g.values[node.inputs[0]];
        if (iv.kind == ValueKind::Node && g.nodes[iv.node].op == OpId::Neg &&
            same_meta(g.nodes[iv.node].inputs[0]))
          replacement = g.nodes[iv.node].inputs[0];
        break;
      }
      case OpId::Cast:  // a copy to the same dtype is the value itself
        if (same_meta(node.inputs[0])) replacement = node.inputs[0];
        break;
      case OpId::Expand:
      case OpId::View:
        if (same_meta(node.inputs[0]))
          replacement = node.inputs[0];
        break;
      default:
        break;
    }
    if (replacement >= 0 && output && !may_stand_for_output(replacement)) replacement = -1;
    if (replacement >= 0) {
      replace_uses(g, out, replacement);
      ++rewrites;
    }
  }
  if (rewrites) dead_code_elimination(g);
  return rewrites;
}

}  // namespace ember::jit
