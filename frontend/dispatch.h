#pragma once
#include <vector>

#include "kernels/attrs.h"
#include "kernels/op_list.h"
#include "ember/tensor.h"

namespace ember {

// The one path every op call takes: record it when tracing, run it (or build the view),
// and attach autograd history when grad mode is on and an input requires grad.
std::vector<Tensor> call(OpId op, const std::vector<Tensor>& inputs, const Attrs& attrs = {});
inline Tensor call1(OpId op, const std::vector<Tensor>& inputs, const Attrs& attrs = {}) {
  return call(op, inputs, attrs)[0];
}

// Writes the op's result into `out` (same shape; dtype castable): the in-place forms
// (`x.add_(y)` is call_into(Add, x, {x, y})) and copy_/fill_ (call_into(Cast, x, {src})).
// The version of `out` is bumped and its autograd history becomes the op's node.
const Tensor& call_into(OpId op, const Tensor& out, const std::vector<Tensor>& inputs,
                        const Attrs& attrs = {});

// Wraps a number as an operand (a 0-dim CPU tensor that promotes by category only).
Tensor scalar_operand(const Scalar& s);
// The same, short, for op definitions: x * S(0.5).
inline Tensor S(const Scalar& s) { return scalar_operand(s); }

}  // namespace ember
