#pragma once
#include "ember/optim/optimizer.h"

namespace ember::optim {

class RMSpropOptions : public OptimizerCloneableOptions<RMSpropOptions> {
 public:
  RMSpropOptions(double lr = 1e-2) : lr_(lr) {}
  EMBER_OPTION(RMSpropOptions, double, lr, 1e-2)
  EMBER_OPTION(RMSpropOptions, double, alpha, 0.99)
  EMBER_OPTION(RMSpropOptions, double, eps, 1e-8)
  EMBER_OPTION(RMSpropOptions, double, weight_decay, 0.0)
  EMBER_OPTION(RMSpropOptions, double, momentum, 0.0)
  EMBER_OPTION(RMSpropOptions, bool, centered, false)
 public:
  double get_lr() const override { return lr(); }
  void set_lr(double v) override { lr(v); }
};

class RMSpropParamState : public OptimizerCloneableParamState<RMSpropParamState> {
 public:
  int64_t step() const { return static_cast<int64_t>(step_count.item<double>()); }
  const Tensor& square_avg() const { return square_avg_; }
  const Tensor& momentum_buffer() const { return momentum_buffer_; }
  const Tensor& grad_avg() const { return grad_avg_; }

  Tensor step_count, square_avg_, momentum_buffer_, grad_avg_;
};

// RMSprop with libtorch's rule (alpha-smoothed squared gradients, optional centering and momentum).
class RMSprop : public Optimizer {
 public:
  RMSprop(const std::vector<OptimizerParamGroup>& param_groups, RMSpropOptions defaults = {});
  RMSprop(std::vector<Tensor> params, RMSpropOptions defaults = {})
      : RMSprop(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}
  Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace ember::optim
