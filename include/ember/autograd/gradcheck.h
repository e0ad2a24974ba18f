#pragma once
// gradcheck: analytical gradients against central finite differences (use float64 inputs).
#include <functional>
#include <vector>

#include "ember/tensor.h"

namespace ember::autograd {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
};

// Checks d fn(inputs) / d inputs[i] for every input that requires grad. Throws ember::Error
// naming the input, the element and both values at the first mismatch.
void gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
               const std::vector<Tensor>& inputs, const GradcheckOptions& o = {});

}  // namespace ember::autograd
