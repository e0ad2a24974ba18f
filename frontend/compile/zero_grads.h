#pragma once
#include <vector>

#include "ember/tensor.h"

namespace ember {

// Resets the gradients of `params`: to undefined (libtorch 2.x's default) or to zeros in
// place. Inside a compiled function, clearing them tells the tracer that what they held
// before the call does not matter.
void zero_grads(const std::vector<Tensor>& params, bool set_to_none);

}  // namespace ember
