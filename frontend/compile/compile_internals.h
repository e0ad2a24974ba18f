#pragma once
// ember's own tools and tests look inside a compiled function (not installed).
#include "compiler/dump.h"
#include "compiler/fused_kernel.h"
#include "compiler/program.h"
#include "ember/compile.h"
#include "frontend/compile/compiled_function.h"

namespace ember::jit {

// The programs of the variant that ran last (an Error before the first call).
const Program& forward_program(const CompiledFunctionBase& f);
const Program* backward_program(const CompiledFunctionBase& f);  // null without backward
const Variant* last_variant(const CompiledFunctionBase& f);

// The graph of fn on inputs shaped like `example_inputs` (traced, before any pass).
Graph trace(const TraceFn& fn, const std::vector<Tensor>& example_inputs);

}  // namespace ember::jit
