#pragma once
#include <vector>

#include "kernels/attrs.h"
#include "kernels/op_list.h"
#include "ember/tensor.h"

namespace ember::autograd {

// libtorch's name for the backward node of one call of `op` (grad_fn()->name()): the op's
// name + "Backward0", or the overload libtorch's derivatives.yaml numbers for these inputs
// (MulBackward1 for a scalar operand, SumBackward1 for the dim form, ...).
const char* backward_name(OpId op, const Attrs& attrs, const std::vector<Tensor>& inputs);

// For API functions that libtorch implements as an op of their own while ember composes them
// (t(), transpose, squeeze, softmax, mse_loss, ...): names the node that made `t`, which must
// be fresh (made by the last op call), as libtorch would. Returns `t`.
Tensor name_grad_fn(const Tensor& t, const char* name);

}  // namespace ember::autograd
