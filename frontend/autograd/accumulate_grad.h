#pragma once
#include "ember/tensor.h"

namespace ember::autograd {

// Adds `g` into t.grad() as AccumulateGrad does (keeping g's history under create_graph).
void accumulate_grad(const Tensor& t, const Tensor& g, bool create_graph);

}  // namespace ember::autograd
