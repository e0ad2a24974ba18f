// The autograd graph's data: node identity (sequence numbers) and retained-grad slots. What
// computes gradients lives above the ops it calls (frontend/autograd/).
#include "ember/autograd/node.h"

#include <atomic>

namespace ember {

namespace {
std::atomic<uint64_t> g_next_sequence_nr{0};
}

Node::Node() : sequence_nr_(g_next_sequence_nr.fetch_add(1)) {}

void Node::add_retained_grad(uint32_t slot, std::weak_ptr<TensorImpl> t) {
  retained_.emplace_back(slot, std::move(t));
}

}  // namespace ember
