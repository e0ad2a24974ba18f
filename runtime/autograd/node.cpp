// The autograd graph's data: node identity (sequence numbers) and retained-grad slots. What
// computes gradients lives above the ops it calls (frontend/autograd/).
#include "ember/autograd/node.h"

#include <atomic>

namespace ember {

namespace {
std::atomic<uint64_t> g_next_sequence_nr{0};
}

Node::Node() : sequence_nr_(g_next_sequence_nr.fetch_add(1)) {}

unsigned next_hook_id() {
  static std::atomic<unsigned> next{0};
  return next.fetch_add(1);
}

bool Node::remove_pre_hook(unsigned id) {
  for (auto it = pre_hooks_.begin(); it != pre_hooks_.end(); ++it)
    if (it->second.id == id) {
      pre_hooks_.erase(it);
      return true;
    }
  return false;
}

void run_grad_hook(const GradHook& h, Tensor& grad) {
  if (!grad.defined()) return;
  EMBER_CHECK(!grad.is_symbolic(), "register_hook: a tensor hook cannot run inside compile() "
              "(the gradient is a traced value); register the hook outside the compiled "
              "function, or run it eagerly with EMBER_COMPILE=0");
  Tensor r = h.fn(grad);
  if (r.defined()) grad = std::move(r);
}

void Node::run_pre_hooks(std::vector<Tensor>& grads) {
  for (auto& [slot, h] : pre_hooks_)
    if (slot < grads.size()) run_grad_hook(h, grads[slot]);
}

void Node::add_retained_grad(uint32_t slot, std::weak_ptr<TensorImpl> t) {
  retained_.emplace_back(slot, std::move(t));
}

}  // namespace ember
