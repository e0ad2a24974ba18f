#pragma once
#include "ember/optim/optimizer.h"

namespace ember::optim {

class AdagradOptions : public OptimizerCloneableOptions<AdagradOptions> {
 public:
  AdagradOptions(double lr = 1e-2) : lr_(lr) {}
  EMBER_OPTION(AdagradOptions, double, lr, 1e-2)
  EMBER_OPTION(AdagradOptions, double, lr_decay, 0.0)
  EMBER_OPTION(AdagradOptions, double, weight_decay, 0.0)
  EMBER_OPTION(AdagradOptions, double, initial_accumulator_value, 0.0)
  EMBER_OPTION(AdagradOptions, double, eps, 1e-10)
 public:
  double get_lr() const override { return lr(); }
  void set_lr(double v) override { lr(v); }
};

// As libtorch's AdagradParamState; the step count is a 0-dim float64 tensor so that compiled
// steps advance it too.
class AdagradParamState : public OptimizerCloneableParamState<AdagradParamState> {
 public:
  int64_t step() const { return static_cast<int64_t>(step_count.item<double>()); }
  const Tensor& sum() const { return sum_; }

  Tensor step_count, sum_;
};

// Adagrad with libtorch's rule: sum += g^2; p -= lr / (1 + (step - 1) lr_decay) * g / (sqrt(sum) + eps).
// The accumulators start at initial_accumulator_value when the optimizer is built, as libtorch's.
class Adagrad : public Optimizer {
 public:
  Adagrad(const std::vector<OptimizerParamGroup>& param_groups, AdagradOptions defaults = {});
  Adagrad(std::vector<Tensor> params, AdagradOptions defaults = {})
      : Adagrad(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}
  Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace ember::optim
