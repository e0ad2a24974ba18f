#pragma once
#include <vector>

#include "ember/tensor.h"

namespace ember::autograd {

// Runs the backward graph from `roots` (with gradients `grad_roots`, undefined meaning
// ones for a scalar root). Leaves accumulate into .grad(); with `inputs` given, their
// gradients are returned instead (autograd::grad) and nothing is accumulated.
std::vector<Tensor> run_backward(const std::vector<Tensor>& roots,
                                 const std::vector<Tensor>& grad_roots, bool retain_graph,
                                 bool create_graph, const std::vector<Tensor>& inputs = {},
                                 bool allow_unused = false);

// How many backward passes this thread has started (the compiler uses it to see whether a
// traced function ran backward itself).
uint64_t backward_call_count();

void backward(const std::vector<Tensor>& tensors, const std::vector<Tensor>& grad_tensors = {},
              std::optional<bool> retain_graph = std::nullopt, bool create_graph = false);

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {},
                         std::optional<bool> retain_graph = std::nullopt,
                         bool create_graph = false, bool allow_unused = false);

}  // namespace ember::autograd
