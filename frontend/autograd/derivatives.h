#pragma once
#include <vector>

#include "kernels/attrs.h"
#include "kernels/op_list.h"
#include "ember/autograd/node.h"

namespace ember::autograd {

// What a derivative formula sees: the saved inputs/outputs (undefined where not saved),
// the op's attributes, the inputs' metadata, and which input gradients are wanted.
struct GradContext {
  const std::vector<Tensor>& in;
  const std::vector<Tensor>& out;
  const Attrs& attrs;
  const std::vector<TensorMeta>& in_meta;
  const std::vector<bool>& needs;
  bool need(size_t i) const { return i < needs.size() && needs[i]; }
};

using GradFormula = std::vector<Tensor> (*)(const GradContext& c, const std::vector<Tensor>& grads);

// The derivative of one op, written with ember ops (so the compiler can trace it).
struct Derivative {
  GradFormula formula = nullptr;
  uint32_t saves_inputs = 0;  // bit i: input i is saved
  bool saves_outputs = false;
};
constexpr uint32_t kIn0 = 1, kIn1 = 2, kIn2 = 4;  // saves_inputs bits

// Null when the op is not differentiable (comparisons, argmax, factories, ...).
const Derivative* derivative_for(OpId op);
void register_derivative(OpId op, Derivative d);
void register_pointwise_derivatives();   // derivatives_pointwise.cpp
void register_math_derivatives();        // derivatives_math.cpp
void register_activation_derivatives();  // derivatives_activation.cpp
void register_structured_derivatives();  // derivatives_structured.cpp
void register_conv_derivatives();        // derivatives_conv.cpp

// Grad-formula helpers.
Tensor zeros_of(const TensorMeta& m);
// Re-inserts reduced dims of size 1 so `g` broadcasts against the reduction's input.
Tensor unsqueeze_reduced(const Tensor& g, const TensorMeta& input, const Attrs& attrs);

}  // namespace ember::autograd
