#include "ember/autograd/engine.h"

#include <map>
#include <queue>
#include <optional>
#include <unordered_map>

#include "frontend/autograd/accumulate_grad.h"
#include "frontend/autograd/anomaly_check.h"
#include "frontend/compile/tracing_hook.h"
#include "runtime/autograd/autograd_meta.h"
#include "ember/autograd/anomaly_mode.h"
#include "ember/grad_mode.h"

namespace ember::autograd {

namespace {

struct ReadyOrder {
  bool operator()(const Node* a, const Node* b) const {
    return a->sequence_nr() < b->sequence_nr();  // latest-created first
  }
};

// Brings a gradient produced for input slot `slot` of `fn` to the shape and dtype recorded
// for that slot, or explains why it cannot.
Tensor validate(const Tensor& g, const Node& producer, const Node& fn, uint32_t slot) {
  if (!g.defined()) return g;
  const TensorMeta& m = fn.input_meta(slot);
  Tensor out = g;
  if (out.sizes() != m.sizes) {
    bool ok = out.dim() >= static_cast<int64_t>(m.sizes.size());
    for (size_t i = 0; ok && i < m.sizes.size(); ++i) {
      int64_t gs = out.sizes()[out.dim() - m.sizes.size() + i];
      ok = gs == m.sizes[i] || m.sizes[i] == 1;
    }
    EMBER_CHECK(ok, "Function ", producer.name(), " returned an invalid gradient: got shape ",
                shape_str(out.sizes()), " but expected shape compatible with ",
                shape_str(m.sizes));
    out = out.sum_to_size(m.sizes);
  }
  // A 0-dim CPU input of a CUDA op (a scalar operand) takes its reduced gradient back to the CPU.
  if (out.device() != m.device && out.dim() == 0 && m.sizes.empty()) out = out.to(m.device);
  EMBER_CHECK(out.device() == m.device, "Function ", producer.name(),
              " returned a gradient on ", out.device(), " but expected device ", m.device);
  if (out.dtype() != m.dtype) out = out.to(m.dtype);
  return out;
}

thread_local uint64_t t_backward_calls = 0;

// Every node reachable from the roots that has a path to one of the captured inputs.
std::unordered_map<Node*, bool> nodes_leading_to(
    const std::vector<std::pair<Edge, Tensor>>& starts,
    const std::map<std::pair<const Node*, uint32_t>, std::vector<size_t>>& captures) {
  std::unordered_map<const Node*, bool> is_target;
  for (const auto& [key, _] : captures) is_target[key.first] = true;
  std::unordered_map<Node*, bool> needed;
  std::unordered_map<Node*, int> state;  // 1: on the stack, 2: done
  std::vector<std::pair<Node*, size_t>> stack;
  for (const auto& [e, g] : starts) {
    if (state[e.function.get()]) continue;
    stack.emplace_back(e.function.get(), 0);
    state[e.function.get()] = 1;
    while (!stack.empty()) {
      auto& [n, next] = stack.back();
      if (next < n->num_outputs()) {
        const Edge& c = n->next_edge(next++);
        if (c.valid() && !state[c.function.get()]) {
          state[c.function.get()] = 1;
          stack.emplace_back(c.function.get(), 0);
        }
        continue;
      }
      bool need = is_target.count(n) > 0;
      for (const Edge& c : n->next_edges()) need = need || (c.valid() && needed[c.function.get()]);
      needed[n] = need;
      state[n] = 2;
      stack.pop_back();
    }
  }
  return needed;
}

}  // namespace

uint64_t backward_call_count() { return t_backward_calls; }

std::vector<Tensor> run_backward(const std::vector<Tensor>& roots,
                                 const std::vector<Tensor>& grad_roots, bool retain_graph,
                                 bool create_graph, const std::vector<Tensor>& inputs,
                                 bool allow_unused) {
  ++t_backward_calls;
  EMBER_CHECK(grad_roots.empty() || grad_roots.size() == roots.size(), "backward: got ",
              grad_roots.size(), " gradients for ", roots.size(), " tensors");
  // The graph root: one pseudo-edge per root tensor.
  std::vector<std::pair<Edge, Tensor>> starts;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& r = roots[i];
    EMBER_CHECK(r.defined() && r.requires_grad(), "element ", i,
                " of tensors does not require grad and does not have a grad_fn");
    Tensor g = grad_roots.empty() ? Tensor() : grad_roots[i];
    if (!g.defined()) {
      EMBER_CHECK(r.numel() == 1, "grad can be implicitly created only for scalar outputs (got a "
                  "tensor of shape ", shape_str(r.sizes()), ")");
      g = r.new_ones(r.sizes());
    } else {
      EMBER_CHECK(g.sizes() == r.sizes(), "backward: gradient of shape ", shape_str(g.sizes()),
                  " does not match the tensor's shape ", shape_str(r.sizes()));
    }
    starts.emplace_back(gradient_edge(r), g);
  }

  // Gradients requested for specific inputs are captured instead of accumulated.
  std::map<std::pair<const Node*, uint32_t>, std::vector<size_t>> captures;
  std::vector<Tensor> captured(inputs.size());
  std::vector<Edge> input_edges;  // keeps fresh AccumulateGrad nodes alive while keyed by address
  for (size_t i = 0; i < inputs.size(); ++i) {
    EMBER_CHECK(inputs[i].defined() && inputs[i].requires_grad(),
                "One of the differentiated Tensors does not require grad");
    input_edges.push_back(gradient_edge(inputs[i]));
    captures[{input_edges.back().function.get(), input_edges.back().input_nr}].push_back(i);
  }
  bool accumulate = inputs.empty();

  // Dependency counts over everything reachable from the roots.
  std::unordered_map<Node*, int> deps;
  std::vector<Node*> stack;
  std::unordered_map<Node*, bool> visited;
  for (auto& [e, g] : starts) {
    if (!visited[e.function.get()]) {
      visited[e.function.get()] = true;
      stack.push_back(e.function.get());
    }
  }
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (const Edge& e : n->next_edges()) {
      if (!e.valid()) continue;
      deps[e.function.get()]++;
      if (!visited[e.function.get()]) {
        visited[e.function.get()] = true;
        stack.push_back(e.function.get());
      }
    }
  }

  // With inputs given, only the nodes on a path to one of them run.
  std::unordered_map<Node*, bool> needed;
  if (!accumulate) needed = nodes_leading_to(starts, captures);

  AutoGradMode mode(create_graph);
  std::unordered_map<Node*, std::vector<Tensor>> buffers;
  std::unordered_map<Node*, std::shared_ptr<Node>> keep_alive;
  auto add_to_buffer = [&](const std::shared_ptr<Node>& fn, uint32_t slot, Tensor g) {
    auto& buf = buffers[fn.get()];
    if (buf.empty()) buf.resize(fn->num_inputs());
    keep_alive[fn.get()] = fn;
    if (!g.defined()) return;
    if (!buf[slot].defined()) buf[slot] = std::move(g);
    else buf[slot] = buf[slot].add(g);
  };

  std::priority_queue<Node*, std::vector<Node*>, ReadyOrder> ready;
  for (auto& [e, g] : starts) {
    add_to_buffer(e.function, e.input_nr, validate(g, *e.function, *e.function, e.input_nr));
  }
  for (auto& [e, g] : starts)
    if (deps[e.function.get()] == 0 && buffers.count(e.function.get())) {
      ready.push(e.function.get());
      deps[e.function.get()] = -1;  // queued
    }

  while (!ready.empty()) {
    Node* n = ready.top();
    ready.pop();
    std::vector<Tensor> grads = std::move(buffers[n]);
    buffers.erase(n);
    if (grads.empty()) grads.resize(n->num_inputs());
    bool run = accumulate || needed[n];
    if (run) {
      n->run_pre_hooks(grads);
      n->store_retained_grads(grads);
    }
    for (uint32_t s = 0; s < grads.size(); ++s) {
      auto it = captures.find({n, s});
      if (it == captures.end() || !grads[s].defined()) continue;
      for (size_t i : it->second) captured[i] = create_graph ? grads[s] : grads[s].detach();
    }
    std::vector<Tensor> outs;
    bool is_accumulator = dynamic_cast<AccumulateGrad*>(n) != nullptr;
    bool any_grad = false;
    for (const auto& g : grads) any_grad = any_grad || g.defined();
    if (!any_grad || !run) outs.resize(n->num_outputs());  // nothing flows through this node
    else if (!is_accumulator || accumulate) {
      bool check = !is_accumulator && AnomalyMode::is_enabled() && AnomalyMode::should_check_nan();
      std::vector<Tensor> incoming = check ? grads : std::vector<Tensor>{};
      {
        std::optional<BackwardFunctionScope> scope;
        if (check) scope.emplace();
        jit::BackwardOriginScope origin(n);
        outs = n->apply(std::move(grads));
      }
      if (check) check_backward_anomaly(*n, incoming, outs);
    }
    if (!retain_graph) n->release_variables();
    if (!is_accumulator)
      EMBER_CHECK(outs.size() == n->num_outputs(), "Function ", n->name(), " returned ",
                  outs.size(), " gradients but expected ", n->num_outputs());
    for (size_t j = 0; j < n->num_outputs() && j < outs.size(); ++j) {
      const Edge& e = n->next_edge(j);
      if (!e.valid()) continue;
      add_to_buffer(e.function, e.input_nr, validate(outs[j], *n, *e.function, e.input_nr));
    }
    for (const Edge& e : n->next_edges()) {
      if (!e.valid()) continue;
      if (--deps[e.function.get()] == 0) {
        ready.push(e.function.get());
        deps[e.function.get()] = -1;
      }
    }
    keep_alive.erase(n);
  }

  if (!accumulate) {
    for (size_t i = 0; i < inputs.size(); ++i)
      EMBER_CHECK(captured[i].defined() || allow_unused, "One of the differentiated Tensors "
                  "appears to not have been used in the graph. Set allow_unused=True if this is "
                  "the desired behavior.");
  }
  return captured;
}

void backward(const std::vector<Tensor>& tensors, const std::vector<Tensor>& grad_tensors,
              std::optional<bool> retain_graph, bool create_graph,
              std::optional<std::vector<Tensor>> inputs) {
  bool retain = retain_graph.value_or(create_graph);
  if (!inputs) {
    run_backward(tensors, grad_tensors, retain, create_graph);
    return;
  }
  EMBER_CHECK(!inputs->empty(), "'inputs' argument to backward() cannot be empty.");
  std::vector<Tensor> grads = run_backward(tensors, grad_tensors, retain, create_graph, *inputs,
                                           /*allow_unused=*/true);
  for (size_t i = 0; i < inputs->size(); ++i)
    if (grads[i].defined()) accumulate_grad((*inputs)[i], grads[i], create_graph);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs,
                         std::optional<bool> retain_graph, bool create_graph,
                         bool allow_unused) {
  EMBER_CHECK(!inputs.empty(), "autograd::grad: no inputs given");
  return run_backward(outputs, grad_outputs, retain_graph.value_or(create_graph), create_graph,
                      inputs, allow_unused);
}

}  // namespace ember::autograd

namespace ember {

void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph,
                      bool create_graph) const {
  autograd::backward({*this}, {gradient}, retain_graph, create_graph);
}

void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph,
                      const std::vector<Tensor>& inputs) const {
  autograd::backward({*this}, {gradient}, retain_graph, create_graph, inputs);
}

}  // namespace ember
