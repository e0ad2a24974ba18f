#pragma once
// The notes' programs as functions, so the example binaries and the tests run the same code.
// Each returns its loss per training step.
#include <ember/ember.h>

#include <functional>
#include <string>
#include <vector>

namespace ember::examples {

struct RunOptions {
  Device device = Device(kCPU);
  int steps = 500;
  uint64_t seed = 0;
  // Called every `log_every` steps with (step, loss); 0 disables.
  int log_every = 100;
  std::function<void(int, double)> log;
  void report(int t, double loss) const {
    if (log && log_every > 0 && t % log_every == log_every - 1) log(t, loss);
  }
};

// 0. Hand-written gradients (mm, clamp, t, clone, mask assignment, in-place SGD).
std::vector<double> manual_backprop(const RunOptions& o);
// 1. Autograd: x.mm(w1).clamp(0).mm(w2), backward, NoGradGuard update, zeroed grads.
std::vector<double> autograd_two_layer(const RunOptions& o);
// 2. The same through a custom Module with forward(input, w1, w2).
std::vector<double> custom_module(const RunOptions& o);
// 3. MyReLU as a custom autograd Function.
std::vector<double> custom_function(const RunOptions& o);
// 4. nn::Sequential(Linear, ReLU, Linear) + MSELoss(sum), manual update, lr 1e-4.
std::vector<double> nn_sequential(const RunOptions& o);
// 5. The same with optim::Adam(lr 1e-4).
std::vector<double> optim_adam(const RunOptions& o);
// 6. TwoLayerNet (a user-defined Module) + SGD(lr 1e-4).
std::vector<double> two_layer_net(const RunOptions& o);
// 7. DynamicNet: 0-3 random reuses of a shared middle Linear, SGD momentum 0.9.
std::vector<double> dynamic_net(const RunOptions& o);
// 8. 1-D regression y = x^2 + noise with Net(1, 10, 1), SGD lr 0.2, MSELoss, 1000 steps.
std::vector<double> regression(const RunOptions& o);
// 9. The backward graph of the notes' network loss, printed like the notes inspect grad_fn.
std::string grad_fn_inspection(const RunOptions& o);

// The notes' sizes.
constexpr int64_t kN = 64, kDIn = 1000, kH = 100, kDOut = 10;

}  // namespace ember::examples
