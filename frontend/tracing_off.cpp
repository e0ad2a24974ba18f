// The op path's view of tracing until the compiler's tracer is linked in: nothing traces.
#include "frontend/tracing_hook.h"

namespace ember::jit {

bool tracing_active(const std::vector<Tensor>& in) {
  for (const auto& t : in)
    EMBER_CHECK(!t.defined() || !t.is_symbolic(), "a traced tensor reached an op outside a trace");
  return false;
}

std::vector<Tensor> trace_call(OpId, const std::vector<Tensor>&, const Attrs&) {
  EMBER_FAIL("tracing is not available in this build");
}

void trace_into(OpId, const Tensor&, const std::vector<Tensor>&, const Attrs&) {
  EMBER_FAIL("tracing is not available in this build");
}

}  // namespace ember::jit
