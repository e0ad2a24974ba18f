#include "frontend/compile/tracer.h"
#include "runtime/autograd/autograd_meta.h"
#include "frontend/compile/compile_internals.h"

namespace ember::jit {

Graph trace(const TraceFn& fn,
            const std::vector<Tensor>& example_inputs) {
  Tracer tr;
  {
    TraceScope scope(&tr);
    std::vector<Tensor> sym;
    for (size_t i = 0; i < example_inputs.size(); ++i)
      sym.push_back(tr.add_input(example_inputs[i], "arg" + std::to_string(i)));
    for (const auto& out : fn(sym)) tr.graph().outputs.push_back(tr.value_of(out));
  }
  // Restore any .grad() a traced backward assigned to captured tensors.
  for (auto& c : tr.captures())
    if (auto* m = c.tensor.impl().autograd.get()) m->grad = c.grad_before;
  tr.graph().verify();
  return tr.graph();
}

}  // namespace ember::jit
