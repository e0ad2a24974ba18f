#pragma once
// The engine behind ember::compile(fn): guards and a cache of traced variants; tracing of
// fn (and, when inputs require grad, of its backward through the same derivative formulas
// the eager engine uses); a forward and a backward Program per variant; one autograd node
// (CompiledFunctionBackward) per call so eager autograd sees compiled calls as one op.
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ember/compile.h"
#include "compiler/program.h"
#include "frontend/compile/tracer.h"

namespace ember::jit {

struct Variant;

class CompiledFunction {
 public:
  explicit CompiledFunction(CompileOptions options);
  ~CompiledFunction();

  // Runs fn on `args` (tensor arguments; `static_key` encodes the non-tensor ones). Safe to
  // call from several threads: calls of one compiled function take turns (the variant cache
  // and the programs' buffers are shared), first calls trace once.
  std::vector<Tensor> call(const std::vector<Tensor>& args, const std::string& static_key,
                           const TraceFn& fn);

  CompileStats stats() const {
    std::lock_guard<std::recursive_mutex> g(mu_);
    return stats_;
  }
  const CompileOptions& options() const { return options_; }
  // The variant that ran last (null before the first call).
  const Variant* last() const {
    std::lock_guard<std::recursive_mutex> g(mu_);
    return last_;
  }
  // Every cached variant, oldest first (what save() exports).
  std::vector<std::shared_ptr<Variant>> variants() const {
    std::lock_guard<std::recursive_mutex> g(mu_);
    return variants_;
  }
  size_t num_variants() const {
    std::lock_guard<std::recursive_mutex> g(mu_);
    return variants_.size();
  }

 private:
  std::unique_ptr<Variant> trace(const std::vector<Tensor>& args, const std::string& static_key,
                                 const TraceFn& fn);
  std::vector<Tensor> execute(const std::shared_ptr<Variant>& v, const std::vector<Tensor>& args);

  mutable std::recursive_mutex mu_;  // recursive: fn may call the function it is traced for
  CompileOptions options_;
  CompileStats stats_;
  std::vector<std::shared_ptr<Variant>> variants_;
  const Variant* last_ = nullptr;
};

// What a cached variant knows; exposed for graph dumps and tests.
struct Variant {
  struct TensorGuard {
    Shape sizes, strides;
    ScalarType dtype;
    Device device;
    bool requires_grad;
    static TensorGuard of(const Tensor& t);
    bool matches(const Tensor& t) const;
    // Empty when `t` matches, else "dim 1: expected 64, got 32" and the like.
    std::string mismatch(const Tensor& t) const;
  };
  struct Capture {
    Tensor tensor;
    TensorGuard guard;
    bool grad_defined = false;   // its .grad() was defined when traced
    bool guards_grad = false;    // the trace assigned its .grad(), assuming grad_defined
  };
  // Where each forward/backward input comes from.
  struct Source {
    enum class Kind : uint8_t { Arg, Capture, Saved, GradOutput } kind;
    int index;
  };

  std::string static_key;
  bool grad_mode = true;
  std::vector<TensorGuard> args;
  std::vector<Capture> captures;
  std::vector<Tracer::ValueGuard> value_guards;
  std::vector<Tracer::HostBinding> host_bindings;  // refreshed before every run

  std::unique_ptr<Program> forward, backward;
  std::mutex backward_mu;  // backward runs of this variant take turns (its buffers are shared)
  std::vector<Source> forward_inputs, backward_inputs;
  int num_user_outputs = 0;
  std::vector<int> writebacks;      // forward outputs after the user's: captures to copy into
  std::vector<int> grad_assigns;    // then: captures whose .grad() is set to the output
  int num_saved = 0;                // then: values saved for backward
  std::vector<Source> saved_sources;  // Saved entries may also be args/captures passed through
  std::vector<Source> diff_inputs;  // the inputs (args/captures) the backward computes grads for
  std::vector<bool> output_requires_grad;

  // An argument or a capture (Arg and Capture sources only).
  Tensor source(const Source& s, const std::vector<Tensor>& call_args) const;
  // Whether `args` pass every guard (checked on every call: builds no strings).
  bool accepts(const std::vector<Tensor>& args, const std::string& static_key) const;
  // Empty when `args` pass every guard, else the first failure in one line.
  std::string guard_failure(const std::vector<Tensor>& args, const std::string& static_key) const;
};

// Runs v's forward program on `args` (filling `inputs` with what it read), then copies its
// write-backs into the captures and assigns their .grad()s; returns every forward output,
// the user's first. What a compiled call and a loaded exported step share.
std::vector<Tensor> run_forward(const Variant& v, const std::vector<Tensor>& args, const CompileOptions& options,
                                std::vector<Tensor>& inputs);

}  // namespace ember::jit
