#pragma once
// Anomaly mode in a compiled program (ember/autograd/anomaly_mode.h): after each step, a NaN
// in what it wrote is an error naming the kernel and the source ops inside it, or the value
// from outside the program that already held NaN.
#include <vector>

#include "compiler/program.h"

namespace ember::jit {

void check_step_anomaly(const Program& program, const Step& step, const std::vector<Tensor>& values);

}  // namespace ember::jit
