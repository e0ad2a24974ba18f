// The inspection side of ember::compile (include/ember/compile.h): everything a compiled
// function says about the variant that ran last, as text, JSON, DOT and plain structs.
#include "ember/compile.h"

#include <sstream>

#include "compiler/dump.h"
#include "compiler/fused_kernel.h"
#include "compiler/log.h"
#include "compiler/serialize_graph.h"
#include "frontend/compile/compile_internals.h"
#include "kernels/op_registry.h"

namespace ember {

namespace {

const jit::Program& program_of(const jit::CompiledFunction& f, CompiledPart part) {
  const jit::Variant* v = f.last();
  EMBER_CHECK(v, "compiled function '", f.options().name, "' has not been called yet");
  if (part == CompiledPart::Forward) return *v->forward;
  EMBER_CHECK(v->backward, "compiled function '", f.options().name,
              "' has no backward program (no input requires grad)");
  return *v->backward;
}

std::vector<jit::FusionGroup> groups_of(const jit::Program& p) {
  std::vector<jit::FusionGroup> groups;
  for (const auto& k : p.kernels()) groups.push_back(k->group());
  return groups;
}


}  // namespace

namespace detail {

bool compilation_enabled() { return jit::compilation_enabled(); }

std::vector<Tensor> call_compiled(jit::CompiledFunction& f, const std::vector<Tensor>& tensors,
                                  const std::string& static_key, const TraceFn& trace) {
  return f.call(tensors, static_key, trace);
}

}  // namespace detail

CompiledFunctionBase::CompiledFunctionBase(CompileOptions options)
    : impl_(std::make_shared<jit::CompiledFunction>(std::move(options))) {}

CompileStats CompiledFunctionBase::stats() const { return impl_->stats(); }
size_t CompiledFunctionBase::num_variants() const { return impl_->num_variants(); }

bool CompiledFunctionBase::has_backward() const {
  const jit::Variant* v = impl_->last();
  return v && v->backward;
}

std::string CompiledFunctionBase::dump(bool passes, bool kernels) const {
  std::string s = jit::describe(program_of(*impl_, CompiledPart::Forward), passes, kernels);
  if (has_backward()) s += "\n" + jit::describe(program_of(*impl_, CompiledPart::Backward), passes, kernels);
  return s;
}

std::string CompiledFunctionBase::graph_text(CompiledPart part) const {
  return jit::to_text(program_of(*impl_, part).graph());
}

std::string CompiledFunctionBase::graph_json(CompiledPart part) const {
  return jit::to_json(program_of(*impl_, part).graph());
}

std::string CompiledFunctionBase::graph_dot(CompiledPart part) const {
  const jit::Program& p = program_of(*impl_, part);
  return jit::to_dot(p.graph(), groups_of(p));
}

std::string CompiledFunctionBase::summary_json(CompiledPart part) const {
  return jit::summary_json(program_of(*impl_, part));
}

std::vector<CompiledKernelInfo> CompiledFunctionBase::kernels(CompiledPart part) const {
  const jit::Program& p = program_of(*impl_, part);
  std::vector<CompiledKernelInfo> out;
  for (const auto& k : p.kernels()) {
    CompiledKernelInfo info{k->name(), k->group().device.str(), {}, k->source(), {}};
    for (int n : k->group().nodes) {
      info.ops.push_back(op_name(p.graph().nodes[n].op));
      info.origins.push_back(jit::origin_text(p.graph(), n));
    }
    out.push_back(std::move(info));
  }
  return out;
}

CompiledSummary CompiledFunctionBase::summary(CompiledPart part) const {
  const jit::ProgramSummary& s = program_of(*impl_, part).summary();
  return {s.ops, s.kernels, s.launches_per_call, s.bytes_read, s.bytes_written,
          s.planned_bytes, s.eager_peak_bytes, s.compile_ms};
}

}  // namespace ember

namespace ember::jit {

const Variant* last_variant(const CompiledFunctionBase& f) { return f.impl().last(); }

const Program& forward_program(const CompiledFunctionBase& f) {
  return program_of(f.impl(), CompiledPart::Forward);
}

const Program* backward_program(const CompiledFunctionBase& f) {
  const Variant* v = f.impl().last();
  return v ? v->backward.get() : nullptr;
}

}  // namespace ember::jit
