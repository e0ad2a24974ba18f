#include "compiler/step_name.h"

#include "compiler/fused_kernel.h"
#include "kernels/op_registry.h"

namespace ember::jit {

std::string step_name(const Program& p, const Step& s) {
  std::string ops;
  for (int n : p.step_nodes(s)) ops += (ops.empty() ? "" : ", ") + std::string(op_name(p.graph().nodes[n].op));
  if (s.kind == Step::Kind::Fused) return "kernel " + p.kernels()[s.fused]->name() + " (source ops: " + ops + ")";
  return "op " + ops + " (node " + std::to_string(s.node) + ")";
}

std::string step_label(const Program& p, const Step& s) {
  const Graph& g = p.graph();
  std::string label = s.kind == Step::Kind::Fused ? p.kernels()[s.fused]->name() : op_name(g.nodes[s.node].op);
  for (int n : p.step_nodes(s)) {
    const NodeOrigin* o = origin_of(g, n);
    if (!o || o->module.empty()) continue;
    return label + " [" + (o->backward ? "backward of " : "") + o->module + "]";
  }
  return label;
}

std::string step_origins(const Program& p, const Step& s, const std::string& indent) {
  std::string out;
  for (int n : p.step_nodes(s)) {
    std::string where = origin_text(p.graph(), n);
    out += indent + op_name(p.graph().nodes[n].op) + "  " + (where.empty() ? "(made by the compiler)" : where) + "\n";
  }
  return out;
}

std::vector<int> step_reads(const Program& p, const Step& s) {
  return s.kind == Step::Kind::Fused ? p.kernels()[s.fused]->group().inputs : p.graph().nodes[s.node].inputs;
}

std::vector<int> step_writes(const Program& p, const Step& s) {
  return s.kind == Step::Kind::Fused ? p.kernels()[s.fused]->group().outputs : p.graph().nodes[s.node].outputs;
}

}  // namespace ember::jit
