#include "frontend/compile/compiled_function.h"

#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "compiler/dump.h"
#include "compiler/log.h"
#include "frontend/compile/tracer.h"
#include "kernels/ops/ops_util.h"
#include "kernels/tensor_alloc.h"
#include "runtime/autograd/autograd_meta.h"
#include "ember/autograd/engine.h"
#include "ember/autograd/saved_variable.h"
#include "ember/grad_mode.h"

namespace ember::jit {

// ----- guards

Variant::TensorGuard Variant::TensorGuard::of(const Tensor& t) {
  return {t.sizes(), t.strides(), t.dtype(), t.device(), t.requires_grad()};
}

std::string Variant::TensorGuard::mismatch(const Tensor& t) const {
  std::ostringstream os;
  if (t.dim() != static_cast<int64_t>(sizes.size())) {
    os << "rank: expected " << sizes.size() << ", got " << t.dim();
  } else if (t.sizes() != sizes) {
    for (size_t d = 0; d < sizes.size(); ++d)
      if (t.sizes()[d] != sizes[d]) {
        os << "dim " << d << ": expected " << sizes[d] << ", got " << t.sizes()[d];
        break;
      }
  } else if (t.dtype() != dtype) {
    os << "dtype: expected " << dtype_name(dtype) << ", got " << dtype_name(t.dtype());
  } else if (t.device() != device) {
    os << "device: expected " << device << ", got " << t.device();
  } else if (t.strides() != strides) {
    os << "strides: expected " << shape_str(strides) << ", got " << shape_str(t.strides());
  } else if (t.requires_grad() != requires_grad) {
    os << "requires_grad: expected " << requires_grad << ", got " << t.requires_grad();
  }
  return os.str();
}

std::string Variant::guard_failure(const std::vector<Tensor>& in, const std::string& key) const {
  if (key != static_key) return "static arguments: expected (" + static_key + "), got (" + key + ")";
  if (GradMode::is_enabled() != grad_mode) return std::string("grad mode: expected ") + (grad_mode ? "on" : "off");
  if (in.size() != args.size()) return "number of tensor arguments changed";
  for (size_t i = 0; i < in.size(); ++i) {
    std::string m = args[i].mismatch(in[i]);
    if (!m.empty()) return "argument " + std::to_string(i) + " " + m;
  }
  for (size_t c = 0; c < captures.size(); ++c) {
    std::string m = captures[c].guard.mismatch(captures[c].tensor);
    if (!m.empty()) return "captured tensor " + std::to_string(c) + " " + m;
    if (captures[c].guards_grad && captures[c].tensor.grad().defined() != captures[c].grad_defined)
      return "captured tensor " + std::to_string(c) + " .grad() is " +
             (captures[c].grad_defined ? "undefined" : "defined") + " now";
  }
  return "";
}

// ----- the autograd node of a compiled call

namespace {

class CompiledFunctionBackward final : public ::ember::Node {
 public:
  CompiledFunctionBackward(std::shared_ptr<Variant> v, std::vector<SavedVariable> saved)
      : variant_(std::move(v)), saved_(std::move(saved)) {}
  std::string name() const override { return "CompiledFunctionBackward"; }

  std::vector<Tensor> apply(std::vector<Tensor>&& grads) override {
    const Variant& v = *variant_;
    std::vector<Tensor> in;
    for (const auto& src : v.backward_inputs) {
      switch (src.kind) {
        case Variant::Source::Kind::Saved: in.push_back(saved_[src.index].unpack(name())); break;
        case Variant::Source::Kind::GradOutput: {
          Tensor g = grads[src.index];
          if (!g.defined()) {
            const TensorMeta& m = input_meta(src.index);
            g = empty_tensor(m.sizes, m.dtype, m.device);
            copy_into(g, wrapped_scalar(0));
          }
          in.push_back(g.is_contiguous() ? g : g.contiguous());
          break;
        }
        case Variant::Source::Kind::Capture: in.push_back(v.captures[src.index].tensor); break;
        case Variant::Source::Kind::Arg: EMBER_FAIL("internal: backward graph reads an argument directly");
      }
    }
    std::vector<Tensor> out;
    {
      std::lock_guard<std::mutex> g(variant_->backward_mu);
      out = v.backward->run(in);
    }
    out.resize(v.diff_inputs.size());
    return out;
  }

  void release_variables() override {
    for (auto& s : saved_) s.reset();
  }

 private:
  std::shared_ptr<Variant> variant_;
  std::vector<SavedVariable> saved_;
};

}  // namespace

// ----- CompiledFunction

CompiledFunction::CompiledFunction(CompileOptions options) : options_(std::move(options)) {}
CompiledFunction::~CompiledFunction() = default;

std::vector<Tensor> CompiledFunction::call(const std::vector<Tensor>& args, const std::string& key,
                                           const TraceFn& fn) {
  std::lock_guard<std::recursive_mutex> g(mu_);
  ++stats_.calls;
  std::string why = "first call";
  for (auto& v : variants_) {
    std::string f = v->guard_failure(args, key);
    if (f.empty()) {
      ++stats_.hits;
      last_ = v.get();
      EMBER_LOG("cache", options_.name << ": hit (" << variants_.size() << " variant(s))");
      return execute(v, args);
    }
    why = f;
  }
  ++stats_.misses;
  EMBER_LOG("guards", options_.name << ": retrace because " << why);
  if (static_cast<int>(variants_.size()) >= options_.max_variants) {
    ++stats_.evictions;
    std::cerr << "[ember] warning: compiled function '" << options_.name << "' has more than "
              << options_.max_variants << " variants (last retrace: " << why
              << "); evicting the oldest (raise CompileOptions::max_variants or mark the "
                 "changing argument static)\n";
    variants_.erase(variants_.begin());
  }
  std::shared_ptr<Variant> v = trace(args, key, fn);
  ++stats_.compiles;
  variants_.push_back(v);
  last_ = v.get();
  if (!dump_dir().empty()) dump_programs(v->forward.get(), v->backward.get(), options_.name + "_" + std::to_string(stats_.compiles), dump_dir());
  return execute(v, args);
}

std::unique_ptr<Variant> CompiledFunction::trace(const std::vector<Tensor>& args,
                                                 const std::string& key, const TraceFn& fn) {
  auto v = std::make_unique<Variant>();
  v->static_key = key;
  v->grad_mode = GradMode::is_enabled();
  for (const auto& a : args) v->args.push_back(Variant::TensorGuard::of(a));

  Tracer tr;
  std::vector<Tensor> sym_args, outs;
  uint64_t backward_calls = autograd::backward_call_count();
  {
    TraceScope scope(&tr);
    for (size_t i = 0; i < args.size(); ++i) {
      Tensor s = tr.add_input(args[i], "arg" + std::to_string(i));
      if (v->grad_mode && args[i].requires_grad()) s.requires_grad_(true);
      sym_args.push_back(s);
    }
    outs = fn(sym_args);
  }
  bool inner_backward = autograd::backward_call_count() != backward_calls;
  Graph& g = tr.graph();
  std::vector<int> out_values;
  {
    TraceScope scope(&tr);
    for (const auto& o : outs) {
      EMBER_CHECK(o.defined(), "compile: the function returned an undefined tensor");
      out_values.push_back(tr.value_of(o));
    }
  }
  v->num_user_outputs = static_cast<int>(outs.size());
  int forward_nodes = static_cast<int>(g.nodes.size());

  // The backward, traced through the eager engine's derivative formulas.
  std::vector<int> grad_values;
  std::map<int, int> grad_output_of;  // graph input value -> user output index
  bool differentiable = false;
  for (const auto& o : outs) differentiable = differentiable || (o.requires_grad() && !inner_backward);
  differentiable = differentiable && v->grad_mode;
  if (differentiable) {
    std::vector<Tensor> roots, grad_syms, wrt;
    {
      TraceScope scope(&tr);
      for (size_t k = 0; k < outs.size(); ++k) {
        v->output_requires_grad.push_back(outs[k].requires_grad());
        if (!outs[k].requires_grad()) continue;
        roots.push_back(outs[k]);
        Tensor gs = tr.add_input(outs[k].detach(), "grad_output" + std::to_string(k));
        grad_output_of[tr.value_of(gs)] = static_cast<int>(k);
        grad_syms.push_back(gs);
      }
      for (size_t i = 0; i < sym_args.size(); ++i)
        if (sym_args[i].requires_grad()) {
          wrt.push_back(sym_args[i]);
          v->diff_inputs.push_back({Variant::Source::Kind::Arg, static_cast<int>(i)});
        }
      for (size_t c = 0; c < tr.captures().size(); ++c) {
        const Tensor& t = tr.captures()[c].tensor;
        if (t.requires_grad() && t.is_leaf()) {
          wrt.push_back(t);
          v->diff_inputs.push_back({Variant::Source::Kind::Capture, static_cast<int>(c)});
        }
      }
      auto grads = autograd::run_backward(roots, grad_syms, true, false, wrt, true);
      for (size_t k = 0; k < grads.size(); ++k) {
        Tensor gk = grads[k];
        if (!gk.defined())
          gk = tr.record(OpId::Full, {}, Attrs().set("shape", wrt[k].sizes()).set("value", Scalar(0))
                                                .set("dtype", wrt[k].dtype()).set("device", wrt[k].device()))[0];
        grad_values.push_back(tr.value_of(gk));
      }
    }
  }

  // Captures: guards, write-backs of in-place updates, .grad() assignments.
  std::vector<int> writeback_values, grad_assign_values;
  for (size_t c = 0; c < tr.captures().size(); ++c) {
    auto& cap = tr.captures()[c];
    Variant::Capture vc{cap.tensor, Variant::TensorGuard::of(cap.tensor), cap.grad_before.defined()};
    v->captures.push_back(vc);
    if (cap.current != cap.input) {
      v->writebacks.push_back(static_cast<int>(c));
      writeback_values.push_back(cap.current);
    }
    auto* meta = cap.tensor.impl().autograd.get();
    if (meta && meta->grad.defined() && meta->grad.is_symbolic()) {
      auto* tv = dynamic_cast<TraceValue*>(meta->grad.impl().trace.get());
      EMBER_CHECK(tv && tv->tracer == &tr, "compile: a captured tensor's .grad() holds a tensor of another trace");
      v->grad_assigns.push_back(static_cast<int>(c));
      v->captures.back().guards_grad = !tr.grad_cleared(&cap.tensor.impl());
      grad_assign_values.push_back(tv->value);
      meta->grad = cap.grad_before;
    }
  }

  // Input roles.
  std::map<int, Variant::Source> role;
  for (size_t i = 0; i < sym_args.size(); ++i) role[g.inputs[i]] = {Variant::Source::Kind::Arg, static_cast<int>(i)};
  for (size_t c = 0; c < tr.captures().size(); ++c)
    role[tr.captures()[c].input] = {Variant::Source::Kind::Capture, static_cast<int>(c)};

  std::vector<int> forward_outputs = out_values;
  forward_outputs.insert(forward_outputs.end(), writeback_values.begin(), writeback_values.end());
  forward_outputs.insert(forward_outputs.end(), grad_assign_values.begin(), grad_assign_values.end());

  std::vector<int> fwd_node_ids, bwd_node_ids;
  for (int n = 0; n < static_cast<int>(g.nodes.size()); ++n)
    (n < forward_nodes ? fwd_node_ids : bwd_node_ids).push_back(n);

  std::vector<int> fwd_inputs;
  for (int in : g.inputs)
    if (!grad_output_of.count(in)) fwd_inputs.push_back(in);

  if (differentiable) {
    // Saved: values the backward reads that the forward defines or receives.
    std::set<int> bwd_defined;
    for (int n : bwd_node_ids)
      for (int o : g.nodes[n].outputs) bwd_defined.insert(o);
    std::vector<int> saved;
    auto consider = [&](int val) {
      if (bwd_defined.count(val) || grad_output_of.count(val)) return;
      const Value& vv = g.values[val];
      if (vv.kind == ValueKind::Constant) return;
      if (std::find(saved.begin(), saved.end(), val) == saved.end()) saved.push_back(val);
    };
    for (int n : bwd_node_ids)
      for (int i : g.nodes[n].inputs) consider(i);
    for (int gv : grad_values) consider(gv);

    std::vector<int> bwd_inputs;
    for (size_t s = 0; s < saved.size(); ++s) {
      bwd_inputs.push_back(saved[s]);
      v->backward_inputs.push_back({Variant::Source::Kind::Saved, static_cast<int>(s)});
    }
    for (auto& [val, k] : grad_output_of) {
      bwd_inputs.push_back(val);
      v->backward_inputs.push_back({Variant::Source::Kind::GradOutput, k});
    }
    // Saved values that are graph inputs pass straight through; the rest are forward outputs.
    std::vector<int> saved_from_forward;
    for (int s : saved) {
      if (role.count(s)) {
        v->saved_sources.push_back(role[s]);
      } else {
        v->saved_sources.push_back({Variant::Source::Kind::Saved, static_cast<int>(saved_from_forward.size())});
        saved_from_forward.push_back(s);
      }
    }
    v->num_saved = static_cast<int>(saved_from_forward.size());
    forward_outputs.insert(forward_outputs.end(), saved_from_forward.begin(), saved_from_forward.end());
    v->backward = std::make_unique<Program>(extract_subgraph(g, bwd_node_ids, bwd_inputs, grad_values),
                                            options_, options_.name + "_backward");
  }
  for (int in : fwd_inputs) v->forward_inputs.push_back(role.at(in));
  // Without a backward reading the old values, in-place updates (parameters, optimizer
  // state) may be computed straight into the captured tensors.
  std::vector<std::pair<int, int>> inplace;
  if (!v->backward)
    for (size_t w = 0; w < v->writebacks.size(); ++w)
      for (size_t j = 0; j < v->forward_inputs.size(); ++j)
        if (v->forward_inputs[j].kind == Variant::Source::Kind::Capture &&
            v->forward_inputs[j].index == v->writebacks[w])
          inplace.emplace_back(v->num_user_outputs + static_cast<int>(w), static_cast<int>(j));
  v->forward = std::make_unique<Program>(extract_subgraph(g, fwd_node_ids, fwd_inputs, forward_outputs),
                                         options_, options_.name + "_forward", inplace);
  EMBER_LOG("cache", options_.name << ": compiled a variant (" << v->forward->graph().nodes.size()
                                   << " forward ops" << (v->backward ? ", with backward" : "") << ")");
  return v;
}

std::vector<Tensor> CompiledFunction::execute(const std::shared_ptr<Variant>& vp,
                                              const std::vector<Tensor>& args) {
  const Variant& v = *vp;
  auto source = [&](const Variant::Source& s) -> Tensor {
    return s.kind == Variant::Source::Kind::Arg ? args[s.index] : v.captures[s.index].tensor;
  };
  std::vector<Tensor> in;
  for (const auto& s : v.forward_inputs) in.push_back(source(s));
  // The step sets these .grad()s to None before assigning them (zero_grad inside it): drop
  // the old ones now, as the eager zero_grad would, so their memory serves the new ones.
  for (int c : v.grad_assigns)
    if (!v.captures[c].guards_grad) v.captures[c].tensor.mutable_grad() = Tensor();
  std::vector<Tensor> out = v.forward->run(in);

  size_t k = static_cast<size_t>(v.num_user_outputs);
  {
    NoGradGuard no_grad;
    for (int c : v.writebacks) {
      const Tensor& dst = v.captures[c].tensor;
      if (out[k].is_same(dst)) dst.bump_version();  // computed in place
      else dst.copy_(out[k]);
      ++k;
    }
    for (int c : v.grad_assigns) v.captures[c].tensor.mutable_grad() = out[k++];
  }
  std::vector<Tensor> user(out.begin(), out.begin() + v.num_user_outputs);
  if (!v.backward || !GradMode::is_enabled()) return user;

  std::vector<SavedVariable> saved;
  for (const auto& s : v.saved_sources) {
    if (s.kind == Variant::Source::Kind::Saved) saved.emplace_back(out[k + s.index], false);
    else saved.emplace_back(source(s), false);
  }
  auto node = std::make_shared<CompiledFunctionBackward>(vp, std::move(saved));
  for (const auto& d : v.diff_inputs) node->add_next_edge(gradient_edge(source(d)));
  for (int i = 0; i < v.num_user_outputs; ++i) node->add_input_meta(TensorMeta::of(user[i]));
  for (int i = 0; i < v.num_user_outputs; ++i) {
    if (!v.output_requires_grad[i]) continue;
    // An output that is one of the inputs gets a fresh alias to carry the history.
    bool is_input = false;
    for (const auto& t : in) is_input = is_input || t.is_same(user[i]);
    if (is_input) user[i] = user[i].detach();
    set_history(user[i], node, static_cast<uint32_t>(i));
  }
  return user;
}

}  // namespace ember::jit
