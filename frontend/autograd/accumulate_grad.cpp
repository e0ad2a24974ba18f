// The autograd nodes that compute: gradient accumulation into leaves (and retained grads),
// and the printer of a graph.
#include "ember/autograd/node.h"

#include <functional>
#include <set>
#include <sstream>

#include "frontend/autograd/accumulate_grad.h"
#include "runtime/autograd/autograd_meta.h"
#include "ember/grad_mode.h"

namespace ember {

void Node::store_retained_grads(const std::vector<Tensor>& grads) {
  for (auto& [slot, weak] : retained_) {
    auto impl = weak.lock();
    if (!impl || slot >= grads.size() || !grads[slot].defined()) continue;
    Tensor t(impl);
    auto& meta = impl->autograd_meta();
    if (!meta.grad.defined()) meta.grad = grads[slot].detach().clone();
    else meta.grad = meta.grad.add(grads[slot].detach());
  }
}

AccumulateGrad::AccumulateGrad(std::shared_ptr<TensorImpl> leaf) : leaf_(std::move(leaf)) {
  add_input_meta(TensorMeta::of(Tensor(leaf_)));
}

std::vector<Tensor> AccumulateGrad::apply(std::vector<Tensor>&& grads) {
  Tensor g = std::move(grads[0]);
  if (!g.defined()) return {};
  auto& meta = leaf_->autograd_meta();
  if (!meta.grad.defined()) {
    if (GradMode::is_enabled()) meta.grad = g;  // create_graph: keep the history
    else if (g.impl_ptr().use_count() == 1 && g.is_contiguous()) meta.grad = g.detach();
    else meta.grad = g.detach().clone();
  } else if (GradMode::is_enabled() || meta.grad.is_symbolic()) {
    // Traced (gradient accumulation inside compile()): out of place, since the first traced
    // gradient may be a view, which a trace cannot update in place; the values are the same.
    meta.grad = meta.grad.add(g);
  } else {
    meta.grad.add_(g);
  }
  return {};
}

void AccumulateGrad::run_pre_hooks(std::vector<Tensor>& grads) {
  Node::run_pre_hooks(grads);
  auto* m = leaf_->autograd.get();
  if (!m || grads.empty()) return;
  for (const auto& h : m->hooks) run_grad_hook(h, grads[0]);
}

namespace autograd {
void accumulate_grad(const Tensor& t, const Tensor& g, bool create_graph) {
  auto& meta = t.impl().autograd_meta();
  if (create_graph) {
    meta.grad = meta.grad.defined() ? meta.grad.add(g) : g;
  } else if (!meta.grad.defined()) {
    meta.grad = g.detach().clone();
  } else if (meta.grad.is_symbolic()) {
    meta.grad = meta.grad.add(g.detach());
  } else {
    NoGradGuard no_grad;
    meta.grad.add_(g.detach());
  }
}
}  // namespace autograd

Edge gradient_edge(const Tensor& t) {
  auto* m = t.impl().autograd.get();
  if (!m) return {};
  refresh_view_if_stale(t);
  if (m->grad_fn) return {m->grad_fn, m->output_nr};
  if (!m->requires_grad) return {};
  auto acc = m->grad_accumulator.lock();
  if (!acc) {
    acc = std::make_shared<AccumulateGrad>(t.impl_ptr());
    m->grad_accumulator = acc;
  }
  return {acc, 0};
}

std::string format_graph(const std::shared_ptr<Node>& root) {
  std::ostringstream os;
  std::set<const Node*> seen;
  std::function<void(const std::shared_ptr<Node>&, int)> visit =
      [&](const std::shared_ptr<Node>& n, int depth) {
        os << std::string(static_cast<size_t>(depth) * 2, ' ') << n->name();
        if (auto* acc = dynamic_cast<AccumulateGrad*>(n.get())) {
          auto v = acc->variable();
          os << " " << shape_str(v.sizes());
        }
        if (!seen.insert(n.get()).second) {
          os << " (shown above)\n";
          return;
        }
        os << '\n';
        for (const auto& e : n->next_edges())
          if (e.valid()) visit(e.function, depth + 1);
      };
  if (root) visit(root, 0);
  return os.str();
}

}  // namespace ember
