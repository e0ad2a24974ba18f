#include "frontend/compile/zero_grads.h"

#include "frontend/compile/tracer.h"
#include "ember/grad_mode.h"

namespace ember {

void zero_grads(const std::vector<Tensor>& params, bool set_to_none) {
  for (const auto& p : params) {
    Tensor& g = p.mutable_grad();
    if (set_to_none)
      if (auto* tr = jit::active_tracer()) tr->note_grad_cleared(p);
    if (!g.defined()) continue;
    if (set_to_none) {
      g = Tensor();
    } else {
      NoGradGuard guard;
      g = g.detach();
      g.zero_();
    }
  }
}

}  // namespace ember
