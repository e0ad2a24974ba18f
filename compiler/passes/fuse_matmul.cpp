// Matmul epilogues: mm (or addmm with a bias vector) followed by relu / clamp_min(0)
// becomes one FusedMm, which the backends run as one GEMM call with the epilogue applied
// (oneDNN post-ops on the CPU, cuBLASLt epilogues on CUDA).
#include "compiler/log.h"
#include "compiler/passes.h"
#include "kernels/op_registry.h"

namespace ember::jit {

namespace {

bool is_constant_zero(const Graph& g, int v) {
  const Value& val = g.values[v];
  return val.kind == ValueKind::Constant && val.numel() == 1 && val.constant.item().to_double() == 0.0;
}

bool is_one(const Attrs& a, const char* key) { return !a.has(key) || a.scalar(key).to_double() == 1.0; }

}  // namespace

int fuse_matmul_epilogues(Graph& g) {
  int rewrites = 0;
  std::vector<bool> dead(g.nodes.size(), false);
  // addmm(bias_vector, a, b) with beta = alpha = 1 -> FusedMm(a, b, bias)
  for (auto& node : g.nodes) {
    if (node.op != OpId::Addmm || !is_one(node.attrs, "beta") || !is_one(node.attrs, "alpha")) continue;
    const Value& bias = g.values[node.inputs[0]];
    const Value& out = g.values[node.outputs[0]];
    if (bias.sizes.size() != 1 || bias.sizes[0] != out.sizes[1] || bias.dtype != out.dtype) continue;
    node.op = OpId::FusedMm;
    node.inputs = {node.inputs[1], node.inputs[2], node.inputs[0]};
    node.attrs = Attrs().set("bias", true).set("relu", false);
    ++rewrites;
  }
  for (auto& node : g.nodes)
    if (node.op == OpId::Mm) {
      node.op = OpId::FusedMm;
      node.attrs = Attrs().set("bias", false).set("relu", false);
    }
  // FusedMm -> relu / clamp_min(0), when nothing else reads the matmul's result.
  auto users = g.users();
  std::vector<bool> is_output(g.values.size(), false);
  for (int o : g.outputs) is_output[o] = true;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    Node& act = g.nodes[n];
    bool relu_like = act.op == OpId::Relu || (act.op == OpId::ClampMin && is_constant_zero(g, act.inputs[1]));
    if (!relu_like) continue;
    int x = act.inputs[0];
    const Value& xv = g.values[x];
    if (xv.kind != ValueKind::Node || is_output[x] || users[x].size() != 1) continue;
    Node& mm = g.nodes[xv.node];
    if (mm.op != OpId::FusedMm || mm.attrs.b("relu") || g.values[act.outputs[0]].dtype != xv.dtype) continue;
    mm.attrs.set("relu", true);
    replace_uses(g, act.outputs[0], x);
    dead[n] = true;
    ++rewrites;
    EMBER_LOG("fusion", "matmul epilogue: " << op_name(act.op) << " fused into the GEMM producing %" << x);
  }
  // Plain matmuls stay Mm (the epilogue-free kernel).
  for (auto& node : g.nodes)
    if (node.op == OpId::FusedMm && !node.attrs.b("bias") && !node.attrs.b("relu")) {
      node.op = OpId::Mm;
      node.attrs = Attrs();
    }
  if (rewrites) remove_nodes(g, dead);
  return rewrites;
}

}  // namespace ember::jit
