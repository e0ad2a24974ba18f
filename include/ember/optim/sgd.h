#pragma once
#include "ember/optim/optimizer.h"

namespace ember::optim {

class SGDOptions : public OptimizerCloneableOptions<SGDOptions> {
 public:
  SGDOptions(double lr) : lr_(lr) {}
  EMBER_OPTION(SGDOptions, double, lr, 0.0)
  EMBER_OPTION(SGDOptions, double, momentum, 0.0)
  EMBER_OPTION(SGDOptions, double, dampening, 0.0)
  EMBER_OPTION(SGDOptions, double, weight_decay, 0.0)
  EMBER_OPTION(SGDOptions, bool, nesterov, false)
 public:
  double get_lr() const override { return lr(); }
  void set_lr(double v) override { lr(v); }
};

class SGDParamState : public OptimizerCloneableParamState<SGDParamState> {
 public:
  const Tensor& momentum_buffer() const { return momentum_buffer_; }
  SGDParamState& momentum_buffer(Tensor t) {
    momentum_buffer_ = std::move(t);
    return *this;
  }
  Tensor momentum_buffer_;
  Tensor started;  // inside compiled steps: has the momentum buffer started (0-dim bool)
};

// Stochastic gradient descent with momentum, dampening, weight decay and Nesterov, with
// PyTorch's update rule; each parameter's update is one fused pass.
class SGD : public Optimizer {
 public:
  SGD(const std::vector<OptimizerParamGroup>& param_groups, SGDOptions defaults);
  SGD(std::vector<Tensor> params, SGDOptions defaults)
      : SGD(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}
  Tensor step(LossClosure closure = nullptr) override;
  // The first group's options (those of a group: param_groups()[i].options()).
  const SGDOptions& options() const { return static_cast<const SGDOptions&>(param_groups_[0].options()); }
  // The momentum buffer of parameter i of the first group (undefined before its first step).
  const Tensor& momentum_buffer(size_t i) const;

 private:
  // Inside a compiled function: the same update written with ops, so it is traced and fused.
  void step_traced(const std::vector<Tensor>& params, const SGDOptions& o, const Tensor& lr);
};

}  // namespace ember::optim
