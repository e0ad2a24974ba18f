#pragma once
#include <tuple>

#include "ember/optim/optimizer.h"

namespace ember::optim {

using Betas = std::tuple<double, double>;

class AdamOptions {
 public:
  explicit AdamOptions(double lr = 1e-3) : lr_(lr) {}
  EMBER_OPTION(AdamOptions, double, lr, 1e-3)
  EMBER_OPTION(AdamOptions, Betas, betas, (Betas{0.9, 0.999}))
  EMBER_OPTION(AdamOptions, double, eps, 1e-8)
  EMBER_OPTION(AdamOptions, double, weight_decay, 0.0)
  EMBER_OPTION(AdamOptions, bool, amsgrad, false)
};

class AdamWOptions {
 public:
  explicit AdamWOptions(double lr = 1e-3) : lr_(lr) {}
  EMBER_OPTION(AdamWOptions, double, lr, 1e-3)
  EMBER_OPTION(AdamWOptions, Betas, betas, (Betas{0.9, 0.999}))
  EMBER_OPTION(AdamWOptions, double, eps, 1e-8)
  EMBER_OPTION(AdamWOptions, double, weight_decay, 1e-2)
  EMBER_OPTION(AdamWOptions, bool, amsgrad, false)
};

// Adam (L2 weight decay folded into the gradient) and AdamW (decoupled weight decay), with
// PyTorch's bias corrections and amsgrad; each parameter's update is one fused pass.
class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, AdamOptions options);
  void step() override;
  const AdamOptions& options() const { return options_; }
  int64_t step_count(size_t i) const { return static_cast<int64_t>(steps_[i].item<double>()); }
  const Tensor& exp_avg(size_t i) const { return exp_avg_[i]; }
  const Tensor& exp_avg_sq(size_t i) const { return exp_avg_sq_[i]; }

 protected:
  Adam(std::vector<Tensor> params, AdamOptions options, bool decoupled);

 private:
  // Inside a compiled function: the same update written with ops, so it is traced and fused.
  void step_traced();
  void init_state(size_t i);

  AdamOptions options_;
  bool decoupled_;
  std::vector<Tensor> steps_;  // per parameter: its step count (0-dim float64 on the CPU)
  std::vector<Tensor> exp_avg_, exp_avg_sq_, max_exp_avg_sq_;
};

class AdamW : public Adam {
 public:
  AdamW(std::vector<Tensor> params, AdamWOptions o);
};

}  // namespace ember::optim
