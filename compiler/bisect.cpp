#include "compiler/bisect.h"

#include <cstdio>

#include "compiler/fused_kernel.h"
#include "compiler/run_node.h"
#include "compiler/step_name.h"
#include "ember/grad_mode.h"
#include "kernels/host_values.h"
#include "kernels/op_registry.h"

namespace ember::jit {

namespace {

void run_node_alone(const Graph& g, int n, std::vector<Tensor>& values) {
  run_node(g, n, values, [&](int v) { return allocate_value(g.values[v]); });
}

// Runs the program's steps with only fused kernel `fused_only` as a kernel (-1: none), every
// other step as its nodes alone, in the program's order.
std::vector<Tensor> run_with_one_kernel(const Program& p, const std::vector<Tensor>& inputs, int fused_only) {
  const Graph& g = p.graph();
  EMBER_CHECK(inputs.size() == g.inputs.size(), "bisect: the graph takes ", g.inputs.size(), " inputs, got ",
              inputs.size());
  std::vector<Tensor> values(g.values.size());
  for (size_t i = 0; i < inputs.size(); ++i) values[g.inputs[i]] = inputs[i];
  for (size_t v = 0; v < g.values.size(); ++v)
    if (g.values[v].kind == ValueKind::Constant) values[v] = g.values[v].constant;
  for (const Step& s : p.steps()) {
    if (s.kind == Step::Kind::Fused && s.fused == fused_only) {
      const FusedKernel& k = *p.kernels()[s.fused];
      for (int o : k.group().outputs) values[o] = allocate_value(g.values[o]);
      k.run(g, values);
      continue;
    }
    for (int n : p.step_nodes(s)) run_node_alone(g, n, values);
  }
  return values;
}

}  // namespace

BisectReport bisect(const Program& p, const std::vector<Tensor>& inputs, double rtol, double atol) {
  NoGradGuard no_grad;
  BisectReport r;
  r.rtol = rtol;
  r.atol = atol;
  std::vector<Tensor> reference = run_with_one_kernel(p, inputs, -1);
  for (const Step& s : p.steps()) {
    if (s.kind != Step::Kind::Fused) continue;
    std::vector<Tensor> values = run_with_one_kernel(p, inputs, s.fused);
    KernelVerdict v;
    v.kernel = step_name(p, s);
    v.origins = step_origins(p, s, "       ");
    // Row kernels (softmax, norms) fold each row as the eager reduction does: bitwise too.
    v.has_reduction = p.kernels()[s.fused]->group().reduction >= 0;
    for (int o : step_writes(p, s)) {
      Difference d = compare_values(values[o], reference[o], rtol, atol);
      v.bitwise = v.bitwise && d.bitwise;
      v.max_abs_diff = std::max(v.max_abs_diff, d.max_abs);
      v.ok = v.ok && (d.bitwise || (v.has_reduction && d.close));
    }
    if (!v.ok && r.first_bad < 0) r.first_bad = static_cast<int>(r.kernels.size());
    r.kernels.push_back(v);
  }
  return r;
}

std::string BisectReport::describe() const {
  std::string out;
  char buf[160];
  for (size_t i = 0; i < kernels.size(); ++i) {
    const KernelVerdict& k = kernels[i];
    if (k.bitwise) std::snprintf(buf, sizeof buf, "bitwise equal");
    else std::snprintf(buf, sizeof buf, "max |diff| %.3g, %s", k.max_abs_diff,
                       k.ok ? "within the reduction tolerance" : "DIFFERS beyond the promise");
    out += std::string(static_cast<int>(i) == first_bad ? "=> " : "   ") + k.kernel + ": " + buf + "\n";
  }
  std::snprintf(buf, sizeof buf, "(pointwise kernels must be bitwise; reductions within |a-b| <= %g + %g|b|)\n", atol, rtol);
  if (kernels.empty()) return "no fused kernels to bisect\n";
  if (first_bad < 0) return out + "every fused kernel agrees with its ops run alone " + buf;
  return out + "first differing: " + kernels[first_bad].kernel + " " + buf + "  its ops were traced from:\n" +
         kernels[first_bad].origins;
}

}  // namespace ember::jit
