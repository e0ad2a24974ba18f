#pragma once
// The notes' programs as functions, so the examples and the tests run the same code.
#include <ember/ember.h>

#include <functional>
#include <vector>

namespace ember::examples {

struct RunOptions {
  Device device = Device(kCPU);
  int steps = 500;
  uint64_t seed = 0;
  // Called every `log_every` steps with (step, loss); 0 disables.
  int log_every = 100;
  std::function<void(int, double)> log;
};

// Loss per step of each program.
std::vector<double> manual_backprop(const RunOptions& o);

}  // namespace ember::examples
