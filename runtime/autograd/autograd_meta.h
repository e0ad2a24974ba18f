#pragma once
#include <memory>

#include "ember/autograd/node.h"

namespace ember {

struct AutogradMeta {
  bool requires_grad = false;
  bool retains_grad = false;
  Tensor grad;
  std::shared_ptr<Node> grad_fn;            // null for leaves
  std::weak_ptr<Node> grad_accumulator;     // leaves only, created on demand
  uint32_t output_nr = 0;
  bool is_view = false;                     // a view of a tensor that has autograd history
};

// The edge through which a gradient for `t` enters the backward graph: its grad_fn, or
// (for a leaf that requires grad) its AccumulateGrad node. Invalid when t needs no grad.
Edge gradient_edge(const Tensor& t);

// Makes `fn` (output slot `nr`) the history of `t`.
void set_history(const Tensor& t, const std::shared_ptr<Node>& fn, uint32_t nr);

}  // namespace ember
