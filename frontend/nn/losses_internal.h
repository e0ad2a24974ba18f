#pragma once
// Between the loss files of frontend/nn (functional.cpp, loss_functional.cpp): the reduction,
// the same-shape check, and cross_entropy's class probability targets (target of the input's
// shape), which loss_functional.cpp computes.
#include "ember/nn/functional.h"

namespace ember::nn::functional {

Tensor apply_reduction(const Tensor& t, Reduction r);
void check_same_shape(const char* op, const Tensor& input, const Tensor& target);

Tensor cross_entropy_probabilities(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& options);

}  // namespace ember::nn::functional
