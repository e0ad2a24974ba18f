#pragma once
// How the op path (frontend/dispatch.cpp) reaches the tracer without knowing its internals.
#include <vector>

#include "kernels/attrs.h"
#include "kernels/op_list.h"
#include "ember/tensor.h"

namespace ember::jit {

// True while a trace is being recorded on this thread and `in` involves traced values.
bool tracing_active(const std::vector<Tensor>& in);
// Records the call in the active graph and returns traced outputs.
std::vector<Tensor> trace_call(OpId op, const std::vector<Tensor>& in, const Attrs& attrs);
// Records a call whose result is written into `out`: `out` becomes the traced result.
void trace_into(OpId op, const Tensor& out, const std::vector<Tensor>& in, const Attrs& attrs);

}  // namespace ember::jit
