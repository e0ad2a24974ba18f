// Tracing one variant of a compiled function, in named stages: trace the user's function on
// symbolic stand-ins; trace its backward through the eager engine's derivative formulas
// into the same graph; record what the trace did to captured tensors (write-backs, .grad()
// assignments); partition the joint graph into a forward and a backward Program.
#include <algorithm>
#include <map>
#include <set>

#include "compiler/log.h"
#include "ember/autograd/engine.h"
#include "ember/grad_mode.h"
#include "frontend/compile/compiled_function.h"
#include "frontend/compile/repro_bundle.h"
#include "frontend/compile/tracer.h"
#include "runtime/autograd/autograd_meta.h"

namespace ember::jit {

namespace {

class VariantTracer {
 public:
  VariantTracer(Variant& v, const CompileOptions& options) : v_(v), options_(options) {}

  void trace_forward(const std::vector<Tensor>& args, const TraceFn& fn) {
    real_args_ = args;
    uint64_t backward_calls = autograd::backward_call_count();
    {
      TraceScope scope(&tr_);
      for (size_t i = 0; i < args.size(); ++i) {
        Tensor s = tr_.add_input(args[i], "arg" + std::to_string(i));
        if (v_.grad_mode && args[i].requires_grad()) s.requires_grad_(true);
        sym_args_.push_back(s);
      }
      outs_ = fn(sym_args_);
    }
    inner_backward_ = autograd::backward_call_count() != backward_calls;
    TraceScope scope(&tr_);
    for (const auto& o : outs_) {
      EMBER_CHECK(o.defined(), "compile: the function returned an undefined tensor");
      out_values_.push_back(tr_.value_of(o));
    }
    v_.num_user_outputs = static_cast<int>(outs_.size());
    forward_nodes_ = static_cast<int>(tr_.graph().nodes.size());
  }

  // Whether the variant gets a backward: an output requires grad, grad mode is on and fn did
  // not run backward itself.
  bool differentiable() const {
    bool any = false;
    for (const auto& o : outs_) any = any || (o.requires_grad() && !inner_backward_);
    return any && v_.grad_mode;
  }

  void trace_backward() {
    has_backward_ = true;
    std::vector<Tensor> roots, grad_syms, wrt;
    TraceScope scope(&tr_);
    for (size_t k = 0; k < outs_.size(); ++k) {
      v_.output_requires_grad.push_back(outs_[k].requires_grad());
      if (!outs_[k].requires_grad()) continue;
      roots.push_back(outs_[k]);
      Tensor gs = tr_.add_input(outs_[k].detach(), "grad_output" + std::to_string(k));
      grad_output_of_[tr_.value_of(gs)] = static_cast<int>(k);
      grad_syms.push_back(gs);
    }
    for (size_t i = 0; i < sym_args_.size(); ++i)
      if (sym_args_[i].requires_grad()) {
        wrt.push_back(sym_args_[i]);
        v_.diff_inputs.push_back({Variant::Source::Kind::Arg, static_cast<int>(i)});
      }
    for (size_t c = 0; c < tr_.captures().size(); ++c) {
      const Tensor& t = tr_.captures()[c].tensor;
      if (t.requires_grad() && t.is_leaf()) {
        wrt.push_back(t);
        v_.diff_inputs.push_back({Variant::Source::Kind::Capture, static_cast<int>(c)});
      }
    }
    auto grads = autograd::run_backward(roots, grad_syms, true, false, wrt, true);
    for (size_t k = 0; k < grads.size(); ++k) {
      Tensor gk = grads[k];
      if (!gk.defined())
        gk = tr_.record(OpId::Full, {}, Attrs().set("shape", wrt[k].sizes()).set("value", Scalar(0))
                                            .set("dtype", wrt[k].dtype()).set("device", wrt[k].device()))[0];
      grad_values_.push_back(tr_.value_of(gk));
    }
  }

  // Captures: guards, write-backs of in-place updates, .grad() assignments (the captured
  // tensor's real .grad() is restored: the trace only recorded the assignment).
  void record_captures() {
    v_.value_guards = std::move(tr_.value_guards());
    v_.host_bindings = std::move(tr_.host_bindings());
    for (size_t c = 0; c < tr_.captures().size(); ++c) {
      auto& cap = tr_.captures()[c];
      v_.captures.push_back({cap.tensor, Variant::TensorGuard::of(cap.tensor), cap.grad_before.defined()});
      if (cap.current != cap.input) {
        v_.writebacks.push_back(static_cast<int>(c));
        writeback_values_.push_back(cap.current);
      }
      auto* meta = cap.tensor.impl().autograd.get();
      if (meta && meta->grad.defined() && meta->grad.is_symbolic()) {
        auto* tv = dynamic_cast<TraceValue*>(meta->grad.impl().trace.get());
        EMBER_CHECK(tv && tv->tracer == &tr_, "compile: a captured tensor's .grad() holds a tensor of another trace");
        v_.grad_assigns.push_back(static_cast<int>(c));
        v_.captures.back().guards_grad = !tr_.grad_cleared(&cap.tensor.impl());
        grad_assign_values_.push_back(tv->value);
        meta->grad = cap.grad_before;
      }
    }
  }

  // Splits the joint graph: nodes recorded before the backward form the forward; the values
  // the backward reads but does not define are saved (graph inputs pass straight through,
  // the rest become extra forward outputs).
  void build_programs() {
    const Graph& g = tr_.graph();
    std::map<int, Variant::Source> role = input_roles();
    std::vector<int> forward_outputs = out_values_;
    forward_outputs.insert(forward_outputs.end(), writeback_values_.begin(), writeback_values_.end());
    forward_outputs.insert(forward_outputs.end(), grad_assign_values_.begin(), grad_assign_values_.end());
    std::vector<int> fwd_nodes, bwd_nodes;
    for (int n = 0; n < static_cast<int>(g.nodes.size()); ++n)
      (n < forward_nodes_ ? fwd_nodes : bwd_nodes).push_back(n);
    std::vector<int> fwd_inputs;
    for (int in : g.inputs)
      if (!grad_output_of_.count(in)) fwd_inputs.push_back(in);

    if (has_backward_) {
      std::vector<int> saved = saved_values(bwd_nodes);
      std::vector<int> bwd_inputs;
      for (size_t s = 0; s < saved.size(); ++s) {
        bwd_inputs.push_back(saved[s]);
        v_.backward_inputs.push_back({Variant::Source::Kind::Saved, static_cast<int>(s)});
      }
      for (auto& [val, k] : grad_output_of_) {
        bwd_inputs.push_back(val);
        v_.backward_inputs.push_back({Variant::Source::Kind::GradOutput, k});
      }
      std::vector<int> saved_from_forward;
      for (int s : saved) {
        if (role.count(s)) {
          v_.saved_sources.push_back(role[s]);
        } else {
          v_.saved_sources.push_back({Variant::Source::Kind::Saved, static_cast<int>(saved_from_forward.size())});
          saved_from_forward.push_back(s);
        }
      }
      v_.num_saved = static_cast<int>(saved_from_forward.size());
      forward_outputs.insert(forward_outputs.end(), saved_from_forward.begin(), saved_from_forward.end());
      v_.backward = compile_program(extract_subgraph(g, bwd_nodes, bwd_inputs, grad_values_), nullptr,
                                    options_.name + "_backward", {});
    }
    std::vector<Tensor> forward_values;  // what the forward program reads on this call
    for (int in : fwd_inputs) {
      v_.forward_inputs.push_back(role.at(in));
      const Variant::Source& src = v_.forward_inputs.back();
      forward_values.push_back(src.kind == Variant::Source::Kind::Arg ? real_args_[src.index]
                                                                        : v_.captures[src.index].tensor);
    }
    v_.forward = compile_program(extract_subgraph(g, fwd_nodes, fwd_inputs, forward_outputs), &forward_values,
                                 options_.name + "_forward", inplace_offers());
  }

 private:
  // A Program, or on failure an error that says where its repro bundle went.
  std::unique_ptr<Program> compile_program(Graph graph, const std::vector<Tensor>* inputs, const std::string& name,
                                           const std::vector<std::pair<int, int>>& inplace) {
    Graph copy = graph;
    try {
      return std::make_unique<Program>(std::move(graph), options_, name, inplace);
    } catch (const Error& e) {
      throw Error(bundle_failure(copy, inputs, options_, name, e.what()));
    }
  }

  std::map<int, Variant::Source> input_roles() const {
    std::map<int, Variant::Source> role;
    const Graph& g = tr_.graph();
    for (size_t i = 0; i < sym_args_.size(); ++i) role[g.inputs[i]] = {Variant::Source::Kind::Arg, static_cast<int>(i)};
    for (size_t c = 0; c < tr_.captures().size(); ++c)
      role[tr_.captures()[c].input] = {Variant::Source::Kind::Capture, static_cast<int>(c)};
    return role;
  }

  // Values the backward reads that the forward defines or receives (not constants).
  std::vector<int> saved_values(const std::vector<int>& bwd_nodes) const {
    const Graph& g = tr_.graph();
    std::set<int> bwd_defined;
    for (int n : bwd_nodes)
      for (int o : g.nodes[n].outputs) bwd_defined.insert(o);
    std::vector<int> saved;
    auto consider = [&](int val) {
      if (bwd_defined.count(val) || grad_output_of_.count(val)) return;
      if (g.values[val].kind == ValueKind::Constant) return;
      if (std::find(saved.begin(), saved.end(), val) == saved.end()) saved.push_back(val);
    };
    for (int n : bwd_nodes)
      for (int i : g.nodes[n].inputs) consider(i);
    for (int gv : grad_values_) consider(gv);
    return saved;
  }

  // Without a backward reading the old values, in-place updates (parameters, optimizer
  // state) may be computed straight into the captured tensors: (output, input) pairs.
  std::vector<std::pair<int, int>> inplace_offers() const {
    std::vector<std::pair<int, int>> inplace;
    if (v_.backward) return inplace;
    for (size_t w = 0; w < v_.writebacks.size(); ++w)
      for (size_t j = 0; j < v_.forward_inputs.size(); ++j)
        if (v_.forward_inputs[j].kind == Variant::Source::Kind::Capture &&
            v_.forward_inputs[j].index == v_.writebacks[w])
          inplace.emplace_back(v_.num_user_outputs + static_cast<int>(w), static_cast<int>(j));
    return inplace;
  }

  Variant& v_;
  const CompileOptions& options_;
  Tracer tr_;
  std::vector<Tensor> sym_args_, outs_;
  bool inner_backward_ = false, has_backward_ = false;
  std::vector<int> out_values_, grad_values_, writeback_values_, grad_assign_values_;
  std::map<int, int> grad_output_of_;  // graph input value -> user output index
  int forward_nodes_ = 0;
  std::vector<Tensor> real_args_;
};

}  // namespace

std::unique_ptr<Variant> CompiledFunction::trace(const std::vector<Tensor>& args,
                                                 const std::string& key, const TraceFn& fn) {
  auto v = std::make_unique<Variant>();
  v->static_key = key;
  v->grad_mode = GradMode::is_enabled();
  for (const auto& a : args) v->args.push_back(Variant::TensorGuard::of(a));
  VariantTracer t(*v, options_);
  t.trace_forward(args, fn);
  if (t.differentiable()) t.trace_backward();
  t.record_captures();
  t.build_programs();
  EMBER_LOG("cache", options_.name << ": compiled a variant (" << v->forward->graph().nodes.size()
                                   << " forward ops" << (v->backward ? ", with backward" : "") << ")");
  return v;
}

}  // namespace ember::jit
