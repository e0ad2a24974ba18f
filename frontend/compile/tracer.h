#pragma once
// Records op calls into a Graph while a function runs on traced (symbolic) tensors.
// Real tensors the function reaches (parameters, optimizer state) become graph inputs
// ("captures"); in-place writes to them become outputs written back after each run.
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "compiler/graph.h"

namespace ember::jit {

class Tracer;

struct TraceValue : TraceInfo {
  TraceValue(Tracer* t, int v) : tracer(t), value(v) {}
  Tracer* tracer;
  int value;
};

class Tracer {
 public:
  struct Capture {
    Tensor tensor;          // the real tensor (kept alive)
    int input = -1;         // its graph input value
    int current = -1;       // value holding its latest (traced) contents
    Tensor grad_before;     // its .grad() when first seen, restored after tracing
  };

  // A graph input with the metadata of `example`; returns the traced stand-in.
  Tensor add_input(const Tensor& example, const std::string& name);
  // The value a tensor stands for in this trace (capturing real tensors as inputs).
  int value_of(const Tensor& t);
  // A traced tensor for an existing value.
  Tensor symbolic(int value);
  // Records `op` and returns traced outputs (views keep their strides).
  std::vector<Tensor> record(OpId op, const std::vector<Tensor>& in, const Attrs& attrs);
  // `out` now holds `value` (in-place writes): rebinding a traced tensor, or marking a
  // captured real tensor for write-back.
  void rebind(const Tensor& out, int value);

  // zero_grad(set_to_none) ran on `t` during the trace: what its .grad() held before the
  // call cannot matter, so no guard on it is needed.
  void note_grad_cleared(const Tensor& t) { grad_cleared_.insert(t.impl_ptr().get()); }
  bool grad_cleared(const TensorImpl* impl) const { return grad_cleared_.count(impl) > 0; }

  // A host value the trace baked in as a constant (an optimizer's learning rate, say):
  // `holds` says whether it is still what was traced; a compiled call retraces when not.
  struct ValueGuard {
    std::function<bool()> holds;
    std::string what;
  };
  void guard_value(std::function<bool()> holds, std::string what) {
    value_guards_.push_back({std::move(holds), std::move(what)});
  }
  std::vector<ValueGuard>& value_guards() { return value_guards_; }

  // A host number the program reads at run time instead of baking it in (a scheduler's lr):
  // a real 0-dim float64 CPU tensor, captured when used, that every compiled call refreshes
  // from `read` before running, so a new value needs no retrace.
  struct HostBinding {
    Tensor tensor;
    std::function<double()> read;
  };
  Tensor bind_host_value(std::function<double()> read);
  std::vector<HostBinding>& host_bindings() { return host_bindings_; }

  // Provenance: the origin each recorded node gets (the module running and the call site;
  // inside backward, the origin of the forward op whose autograd node is being applied).
  void note_grad_fn(const void* node);   // the node the last recorded op created
  int enter_backward_of(const void* node);  // returns what to pass to leave_backward
  void leave_backward(int previous) { backward_origin_ = previous; }

  Graph& graph() { return graph_; }
  const Graph& graph() const { return graph_; }
  std::vector<Capture>& captures() { return captures_; }
  const std::vector<Capture>& captures() const { return captures_; }
  const Capture* find_capture(const TensorImpl* impl) const;

 private:
  Graph graph_;
  std::vector<Capture> captures_;
  std::unordered_map<const TensorImpl*, size_t> capture_index_;
  std::unordered_set<const TensorImpl*> grad_cleared_;
  std::vector<ValueGuard> value_guards_;
  std::vector<HostBinding> host_bindings_;
  std::unordered_map<const void*, int> grad_fn_origin_;
  int backward_origin_ = -1;

  int origin_now();
  int add_origin(NodeOrigin o);  // one per recorded op, or per autograd node applied in backward
};

// The tracer recording on this thread, or null.
Tracer* active_tracer();

class TraceScope {
 public:
  explicit TraceScope(Tracer* t);
  ~TraceScope();
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

 private:
  Tracer* prev_;
};

}  // namespace ember::jit
