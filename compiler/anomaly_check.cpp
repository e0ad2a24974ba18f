#include "compiler/anomaly_check.h"

#include <algorithm>

#include "compiler/step_name.h"
#include "kernels/non_finite.h"

namespace ember::jit {

namespace {

// Where a value read by a step came from, when not from an earlier step.
std::string origin(const Graph& g, int v) {
  auto in = std::find(g.inputs.begin(), g.inputs.end(), v);
  if (in != g.inputs.end()) return "graph input " + std::to_string(in - g.inputs.begin());
  if (g.values[v].kind == ValueKind::Constant) return "a constant";
  return "an earlier step";
}

}  // namespace

void check_step_anomaly(const Program& p, const Step& s, const std::vector<Tensor>& values) {
  const Graph& g = p.graph();
  std::vector<int> reads = step_reads(p, s), writes = step_writes(p, s);
  auto gather = [&](const std::vector<int>& ids) {
    std::vector<Tensor> ts;
    for (int v : ids) ts.push_back(values[v]);
    return ts;
  };
  std::vector<Tensor> out = gather(writes);
  auto bad_out = first_non_finite(out, false);
  if (!bad_out) return;
  int out_id = writes[bad_out->position];
  std::vector<Tensor> in = gather(reads);
  if (auto bad_in = first_non_finite(in, false)) {
    int in_id = reads[bad_in->position];
    EMBER_FAIL("anomaly detected in compiled graph '", p.name(), "': %", in_id, " (", tensor_kind(in[bad_in->position]),
               ", ", origin(g, in_id), "), which ", step_name(p, s), " reads, holds ", bad_in->where.describe(),
               ", and so does its result %", out_id, ": the NaN came from outside the compiled graph");
  }
  EMBER_FAIL("anomaly detected in compiled graph '", p.name(), "': ", step_name(p, s), " produced ",
             bad_out->where.describe(), " of %", out_id, " (", tensor_kind(out[bad_out->position]),
             ") from inputs without NaN");
}

}  // namespace ember::jit
