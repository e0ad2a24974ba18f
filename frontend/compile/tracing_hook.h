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

// Provenance (compiler/graph.h NodeOrigin): the autograd node the op just traced created, so
// that its backward ops record that op's origin; and, while the engine applies `node` during
// a trace, the scope that makes them do so. Both do nothing outside a trace.
class Tracer;
void note_grad_fn(const void* node);
class BackwardOriginScope {
 public:
  explicit BackwardOriginScope(const void* node);
  ~BackwardOriginScope();
  BackwardOriginScope(const BackwardOriginScope&) = delete;
  BackwardOriginScope& operator=(const BackwardOriginScope&) = delete;

 private:
  Tracer* tracer_;
  int prev_ = -1;
};

}  // namespace ember::jit
