#pragma once
#include <tuple>

#include "ember/optim/optimizer.h"

namespace ember::optim {

using Betas = std::tuple<double, double>;

class AdamOptions : public OptimizerCloneableOptions<AdamOptions> {
 public:
  AdamOptions(double lr = 1e-3) : lr_(lr) {}
  EMBER_OPTION(AdamOptions, double, lr, 1e-3)
  EMBER_OPTION(AdamOptions, Betas, betas, (Betas{0.9, 0.999}))
  EMBER_OPTION(AdamOptions, double, eps, 1e-8)
  EMBER_OPTION(AdamOptions, double, weight_decay, 0.0)
  EMBER_OPTION(AdamOptions, bool, amsgrad, false)
 public:
  double get_lr() const override { return lr(); }
  void set_lr(double v) override { lr(v); }
};

class AdamWOptions : public OptimizerCloneableOptions<AdamWOptions> {
 public:
  AdamWOptions(double lr = 1e-3) : lr_(lr) {}
  EMBER_OPTION(AdamWOptions, double, lr, 1e-3)
  EMBER_OPTION(AdamWOptions, Betas, betas, (Betas{0.9, 0.999}))
  EMBER_OPTION(AdamWOptions, double, eps, 1e-8)
  EMBER_OPTION(AdamWOptions, double, weight_decay, 1e-2)
  EMBER_OPTION(AdamWOptions, bool, amsgrad, false)
 public:
  double get_lr() const override { return lr(); }
  void set_lr(double v) override { lr(v); }
};

// Adam's (and AdamW's) per-parameter state, as libtorch's AdamParamState. The step count lives
// in a 0-dim float64 tensor so that compiled steps advance it too.
class AdamParamState : public OptimizerCloneableParamState<AdamParamState> {
 public:
  int64_t step() const { return static_cast<int64_t>(step_count.item<double>()); }
  const Tensor& exp_avg() const { return exp_avg_; }
  const Tensor& exp_avg_sq() const { return exp_avg_sq_; }
  const Tensor& max_exp_avg_sq() const { return max_exp_avg_sq_; }

  Tensor step_count, exp_avg_, exp_avg_sq_, max_exp_avg_sq_;
};

// Adam (L2 weight decay folded into the gradient) and AdamW (decoupled weight decay), with
// PyTorch's bias corrections and amsgrad; each parameter's update is one fused pass.
class Adam : public Optimizer {
 public:
  Adam(const std::vector<OptimizerParamGroup>& param_groups, AdamOptions defaults = {});
  Adam(std::vector<Tensor> params, AdamOptions defaults = {})
      : Adam(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}
  Tensor step(LossClosure closure = nullptr) override;
  // The first group's options (those of a group: param_groups()[i].options()).
  const AdamOptions& options() const { return static_cast<const AdamOptions&>(param_groups_[0].options()); }
  // State of parameter i of the first group (before its first step: 0 and undefined tensors).
  int64_t step_count(size_t i) const;
  const Tensor& exp_avg(size_t i) const;
  const Tensor& exp_avg_sq(size_t i) const;

 protected:
  Adam(std::vector<OptimizerParamGroup> param_groups, std::unique_ptr<OptimizerOptions> defaults, bool decoupled);

 private:
  struct Hyper {
    double lr, b1, b2, eps, weight_decay;
    bool amsgrad;
  };
  Hyper hyper(const OptimizerOptions& o) const;
  const AdamParamState* find_state(size_t i) const;
  AdamParamState& state_for(const Tensor& p, bool amsgrad);
  // Inside a compiled function: the same update written with ops, so it is traced and fused.
  void step_traced(const std::vector<Tensor>& params, const Hyper& h, const Tensor& lr);

  bool decoupled_;
};

class AdamW : public Adam {
 public:
  AdamW(const std::vector<OptimizerParamGroup>& param_groups, AdamWOptions defaults = {});
  AdamW(std::vector<Tensor> params, AdamWOptions defaults = {})
      : AdamW(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}
  const AdamWOptions& options() const { return static_cast<const AdamWOptions&>(param_groups_[0].options()); }
};

}  // namespace ember::optim
