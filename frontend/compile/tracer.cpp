#include "frontend/compile/tracer.h"

#include "frontend/compile/tracing_hook.h"
#include "frontend/nn/module_path.h"
#include "kernels/op_registry.h"
#include "kernels/tensor_alloc.h"
#include "ember/functional.h"
#include "runtime/autograd/autograd_meta.h"
#include "runtime/call_site.h"
#include "runtime/fast_tls.h"

namespace ember::jit {

namespace {
EMBER_FAST_TLS Tracer* t_active = nullptr;

bool is_view_op(OpId op) { return op_def(op).kind == OpKind::View; }

// A captured real tensor may only be overwritten as a whole.
bool whole(const Tensor& t) {
  return t.storage_offset() == 0 && t.is_contiguous() && t.impl().storage &&
         t.impl().storage->nbytes() == t.nbytes();
}
}  // namespace

Tracer* active_tracer() { return t_active; }

TraceScope::TraceScope(Tracer* t) : prev_(t_active) { t_active = t; }
TraceScope::~TraceScope() { t_active = prev_; }

Tensor Tracer::add_input(const Tensor& example, const std::string& name) {
  int v = graph_.add_input(example, name);
  return symbolic(v);
}

int Tracer::add_origin(NodeOrigin o) {
  graph_.origins.push_back(std::move(o));
  return static_cast<int>(graph_.origins.size()) - 1;
}

int Tracer::origin_now() {
  if (backward_origin_ >= 0) return backward_origin_;
  return add_origin({nn::detail::current_module_path(), caller_frames(3), "", false});
}

void Tracer::note_grad_fn(const void* node) {
  if (!graph_.nodes.empty()) grad_fn_origin_[node] = graph_.nodes.back().origin;
}

int Tracer::enter_backward_of(const void* node) {
  int prev = backward_origin_;
  auto it = grad_fn_origin_.find(node);
  if (it == grad_fn_origin_.end() || it->second < 0) {
    backward_origin_ = -1;
  } else {
    NodeOrigin o = graph_.origins[it->second];
    o.backward = true;
    backward_origin_ = add_origin(std::move(o));
  }
  return prev;
}

Tensor Tracer::bind_host_value(std::function<double()> read) {
  Tensor t;
  {
    TraceScope outside(nullptr);
    t = full({}, read(), TensorOptions().dtype(kFloat64));
  }
  host_bindings_.push_back({t, std::move(read)});
  return t;
}

Tensor Tracer::symbolic(int value) {
  const Value& v = graph_.values[value];
  Tensor t = symbolic_tensor(v.sizes, v.dtype, v.device, std::make_shared<TraceValue>(this, value));
  t.impl().strides = v.strides;
  t.impl().offset = v.offset;
  return t;
}

const Tracer::Capture* Tracer::find_capture(const TensorImpl* impl) const {
  auto it = capture_index_.find(impl);
  return it == capture_index_.end() ? nullptr : &captures_[it->second];
}

int Tracer::value_of(const Tensor& t) {
  EMBER_CHECK(t.defined(), "trace: an undefined tensor reached an op");
  const auto& impl = t.impl();
  if (impl.is_symbolic()) {
    auto* tv = dynamic_cast<TraceValue*>(impl.trace.get());
    EMBER_CHECK(tv && tv->tracer == this, "trace: a traced tensor from another trace (or a graph's "
                "metadata tensor) was used; tensors of one trace cannot leak into another");
    return tv->value;
  }
  if (impl.wrapped_number) return graph_.add_constant(t);
  auto it = capture_index_.find(&impl);
  if (it != capture_index_.end()) return captures_[it->second].current;
  // A real tensor from outside the function: a parameter, a buffer, optimizer state...
  int v = graph_.add_input(t, "capture" + std::to_string(captures_.size()));
  Capture c{t, v, v, impl.autograd ? impl.autograd->grad : Tensor()};
  capture_index_[&impl] = captures_.size();
  captures_.push_back(std::move(c));
  return v;
}

std::vector<Tensor> Tracer::record(OpId op, const std::vector<Tensor>& in, const Attrs& attrs) {
  const OpDef& d = op_def(op);
  EMBER_CHECK(!d.data_dependent_shape, op_name(op), " cannot be traced: its output shape depends "
              "on the values of its input (run it outside the compiled function)");
  std::vector<int> ids;
  std::vector<Tensor> stand_ins;
  for (const auto& t : in) {
    int v = value_of(t);
    ids.push_back(v);
    stand_ins.push_back(graph_.values[v].kind == ValueKind::Constant ? t : symbolic(v));
  }
  std::vector<Tensor> outs;
  if (d.alias) {
    outs = d.alias(stand_ins, attrs);
  } else {
    for (const auto& s : d.meta(stand_ins, attrs))
      outs.push_back(symbolic_tensor(s.sizes, s.dtype, s.device, nullptr));
  }
  int node = graph_.add_node(op, ids, attrs, outs);
  graph_.nodes[node].origin = origin_now();
  for (size_t k = 0; k < outs.size(); ++k) {
    // A view of a constant aliases the constant's memory; as a graph value it has none.
    outs[k].impl().storage = nullptr;
    outs[k].impl().trace = std::make_shared<TraceValue>(this, graph_.nodes[node].outputs[k]);
  }
  return outs;
}

void Tracer::rebind(const Tensor& out, int value) {
  auto& impl = out.impl();
  if (impl.is_symbolic()) {
    auto* tv = dynamic_cast<TraceValue*>(impl.trace.get());
    EMBER_CHECK(tv && tv->tracer == this, "trace: in-place write into a tensor of another trace");
    const Value& old = graph_.values[tv->value];
    EMBER_CHECK(old.kind != ValueKind::Node || !is_view_op(graph_.nodes[old.node].op),
                "trace: in-place update of a view (", value_type_str(old),
                ") is not supported in a compiled function; write the result out of place");
    impl.trace = std::make_shared<TraceValue>(this, value);
    impl.strides = graph_.values[value].strides;
    impl.offset = 0;
    return;
  }
  EMBER_CHECK(whole(out), "trace: in-place update of a view of a tensor from outside the compiled "
              "function is not supported (only whole, contiguous tensors can be updated)");
  value_of(out);
  captures_[capture_index_.at(&impl)].current = value;
}

}  // namespace ember::jit

// ----- the op path's hooks (compiler/tracing_hook.h)

namespace ember::jit {

bool tracing_active(const std::vector<Tensor>& in) {
  if (t_active) return true;
  for (const auto& t : in)
    EMBER_CHECK(!t.defined() || !t.is_symbolic(), "a traced tensor was used outside of its trace "
                "(did a traced value escape the compiled function?)");
  return false;
}

std::vector<Tensor> trace_call(OpId op, const std::vector<Tensor>& in, const Attrs& attrs) {
  return t_active->record(op, in, attrs);
}

void note_grad_fn(const void* node) {
  if (t_active) t_active->note_grad_fn(node);
}

BackwardOriginScope::BackwardOriginScope(const void* node) : tracer_(t_active) {
  if (tracer_) prev_ = tracer_->enter_backward_of(node);
}

BackwardOriginScope::~BackwardOriginScope() {
  if (tracer_) tracer_->leave_backward(prev_);
}

void trace_into(OpId op, const Tensor& out, const std::vector<Tensor>& in, const Attrs& attrs) {
  Tracer& tr = *t_active;
  Tensor r = tr.record(op, in, attrs)[0];
  if (r.dtype() != out.dtype()) r = tr.record(OpId::Cast, {r}, Attrs().set("dtype", out.dtype()))[0];
  tr.rebind(out, tr.value_of(r));
}

}  // namespace ember::jit
