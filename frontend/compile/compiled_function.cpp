#include "frontend/compile/compiled_function.h"

#include <iostream>
#include <sstream>

#include "compiler/dump.h"
#include "compiler/log.h"
#include "frontend/compile/repro_bundle.h"
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

bool Variant::TensorGuard::matches(const Tensor& t) const {
  return t.sizes() == sizes && t.dtype() == dtype && t.device() == device && t.strides() == strides &&
         t.requires_grad() == requires_grad;
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

bool Variant::accepts(const std::vector<Tensor>& in, const std::string& key) const {
  if (key != static_key || GradMode::is_enabled() != grad_mode || in.size() != args.size()) return false;
  for (size_t i = 0; i < in.size(); ++i)
    if (!args[i].matches(in[i])) return false;
  for (const auto& c : captures) {
    if (!c.guard.matches(c.tensor)) return false;
    if (c.guards_grad && c.tensor.grad().defined() != c.grad_defined) return false;
  }
  for (const auto& g : value_guards)
    if (!g.holds()) return false;
  return true;
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
  for (const auto& g : value_guards)
    if (!g.holds()) return g.what + " changed";
  return "";
}

Tensor Variant::source(const Source& s, const std::vector<Tensor>& call_args) const {
  return s.kind == Source::Kind::Arg ? call_args[s.index] : captures[s.index].tensor;
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
      bundle_first_run(*v.backward, in, v.backward->options());
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
  for (auto& v : variants_) {
    if (v->accepts(args, key)) {
      ++stats_.hits;
      last_ = v.get();
      EMBER_LOG("cache", options_.name << ": hit (" << variants_.size() << " variant(s))");
      return execute(v, args);
    }
  }
  // Only a miss spells out why (a hit builds no strings).
  std::string why = variants_.empty() ? "first call" : variants_.back()->guard_failure(args, key);
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

std::vector<Tensor> run_forward(const Variant& v, const std::vector<Tensor>& args, const CompileOptions& options,
                                std::vector<Tensor>& in) {
  for (const auto& b : v.host_bindings) *b.tensor.data_ptr<double>() = b.read();
  for (const auto& s : v.forward_inputs) in.push_back(v.source(s, args));
  // The step sets these .grad()s to None before assigning them (zero_grad inside it): drop
  // the old ones now, as the eager zero_grad would, so their memory serves the new ones.
  for (int c : v.grad_assigns)
    if (!v.captures[c].guards_grad) v.captures[c].tensor.mutable_grad() = Tensor();
  bundle_first_run(*v.forward, in, options);
  std::vector<Tensor> out = v.forward->run(in);

  size_t k = static_cast<size_t>(v.num_user_outputs);
  NoGradGuard no_grad;
  for (int c : v.writebacks) {
    const Tensor& dst = v.captures[c].tensor;
    if (out[k].is_same(dst)) dst.bump_version();  // computed in place
    else dst.copy_(out[k]);
    ++k;
  }
  for (int c : v.grad_assigns) v.captures[c].tensor.mutable_grad() = out[k++];
  return out;
}

std::vector<Tensor> CompiledFunction::execute(const std::shared_ptr<Variant>& vp,
                                              const std::vector<Tensor>& args) {
  const Variant& v = *vp;
  std::vector<Tensor> in;
  std::vector<Tensor> out = run_forward(v, args, options_, in);
  size_t k = static_cast<size_t>(v.num_user_outputs) + v.writebacks.size() + v.grad_assigns.size();
  std::vector<Tensor> user(out.begin(), out.begin() + v.num_user_outputs);
  if (!v.backward || !GradMode::is_enabled()) return user;

  // Values the forward computed are saved without history: one may be a user output (a
  // sigmoid's result), whose history is this node, and a saved reference to that would keep
  // the node, its variant and every saved tensor alive after the output is dropped.
  std::vector<SavedVariable> saved;
  for (const auto& s : v.saved_sources) {
    if (s.kind == Variant::Source::Kind::Saved) saved.emplace_back(out[k + s.index], true);
    else saved.emplace_back(v.source(s, args), false);
  }
  auto node = std::make_shared<CompiledFunctionBackward>(vp, std::move(saved));
  for (const auto& d : v.diff_inputs) node->add_next_edge(gradient_edge(v.source(d, args)));
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
