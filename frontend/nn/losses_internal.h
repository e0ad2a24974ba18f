#pragma once
// Between the loss files of frontend/nn: cross_entropy (functional.cpp) hands class
// probability targets (target of the input's shape) to loss_functional.cpp.
#include "ember/nn/functional.h"

namespace ember::nn::functional {

Tensor cross_entropy_probabilities(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& options);

}  // namespace ember::nn::functional
