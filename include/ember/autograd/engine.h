#pragma once
#include <optional>
#include <vector>

#include "ember/tensor.h"

namespace ember::autograd {

using variable_list = std::vector<Tensor>;
using tensor_list = std::vector<Tensor>;

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

// libtorch's torch::autograd::backward: with `inputs`, gradients accumulate only into them.
void backward(const std::vector<Tensor>& tensors, const std::vector<Tensor>& grad_tensors = {},
              std::optional<bool> retain_graph = std::nullopt, bool create_graph = false,
              std::optional<std::vector<Tensor>> inputs = std::nullopt);

// libtorch's torch::autograd::grad: the gradients of `outputs` with respect to `inputs`,
// returned without touching .grad(). An input the outputs do not depend on is an error, or
// an undefined tensor with allow_unused.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {},
                         std::optional<bool> retain_graph = std::nullopt,
                         bool create_graph = false, bool allow_unused = false);

}  // namespace ember::autograd
