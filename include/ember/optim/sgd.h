#pragma once
#include "ember/optim/optimizer.h"

namespace ember::optim {

class SGDOptions {
 public:
  explicit SGDOptions(double lr) : lr_(lr) {}
  EMBER_OPTION(SGDOptions, double, lr, 0.0)
  EMBER_OPTION(SGDOptions, double, momentum, 0.0)
  EMBER_OPTION(SGDOptions, double, dampening, 0.0)
  EMBER_OPTION(SGDOptions, double, weight_decay, 0.0)
  EMBER_OPTION(SGDOptions, bool, nesterov, false)
};

// Stochastic gradient descent with momentum, dampening, weight decay and Nesterov, with
// PyTorch's update rule; each parameter's update is one fused pass.
class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, SGDOptions options);
  void step() override;
  const SGDOptions& options() const { return options_; }
  // The momentum buffer of parameter i (undefined before its first step or without momentum).
  const Tensor& momentum_buffer(size_t i) const { return buffers_[i]; }

 private:
  // Inside a compiled function: the same update written with ops, so it is traced and fused.
  void step_traced();

  SGDOptions options_;
  std::vector<Tensor> buffers_;
  std::vector<Tensor> started_;  // per parameter: has its momentum buffer started (0-dim bool)
};

}  // namespace ember::optim
