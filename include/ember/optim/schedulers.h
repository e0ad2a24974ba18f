#pragma once
// Learning-rate schedulers, as libtorch 2.x's torch::optim::LRScheduler, StepLR and
// ReduceLROnPlateauScheduler. CosineAnnealingLR and LambdaLR have no libtorch C++ counterpart:
// their names and formulas follow Python's torch.optim.lr_scheduler (closed form).
#include <functional>
#include <limits>
#include <vector>

#include "ember/optim/optimizer.h"

namespace ember::optim {

class LRScheduler {
 public:
  explicit LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {}
  virtual ~LRScheduler() = default;
  // Sets every group's learning rate to get_lrs(), then counts the step (as libtorch).
  void step();

 protected:
  virtual std::vector<double> get_lrs() = 0;
  std::vector<double> get_current_lrs() const;
  void set_optimizer_lrs(const std::vector<double>& learning_rates);
  unsigned step_count_ = 0;

 private:
  Optimizer& optimizer_;
};

// Multiplies the learning rates by gamma on every step_size-th call of step() (libtorch's
// counting: the first decay happens on call step_size + 1).
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, unsigned step_size, double gamma = 0.1);

 private:
  std::vector<double> get_lrs() override;
  unsigned step_size_;
  double gamma_;
};

// After k calls of step(): eta_min + (base_lr - eta_min) * (1 + cos(pi * k / T_max)) / 2.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, unsigned T_max, double eta_min = 0.0);

 private:
  std::vector<double> get_lrs() override;
  unsigned t_max_;
  double eta_min_;
  std::vector<double> base_lrs_;
};

// After k calls of step(): base_lr * lr_lambda(k); lr_lambda(0) applies at construction, as
// Python's LambdaLR. Warm-up then cosine decay is one lambda (examples/gpt).
class LambdaLR : public LRScheduler {
 public:
  LambdaLR(Optimizer& optimizer, std::function<double(unsigned)> lr_lambda);

 private:
  std::vector<double> get_lrs() override;
  std::function<double(unsigned)> lr_lambda_;
  std::vector<double> base_lrs_;
};

class ReduceLROnPlateauScheduler {
 public:
  enum SchedulerMode { min, max };
  enum ThresholdMode { rel, abs };
  ReduceLROnPlateauScheduler(Optimizer& optimizer, SchedulerMode mode = min, float factor = 0.1, int patience = 10,
                             double threshold = 1e-4, ThresholdMode threshold_mode = rel, int cooldown = 0,
                             const std::vector<float>& min_lr = std::vector<float>(), double eps = 1e-8,
                             bool verbose = false);
  virtual ~ReduceLROnPlateauScheduler() = default;
  void step(float metric);

 private:
  void reset();
  void reduce_lr(int epoch);
  bool in_cooldown() const { return cooldown_counter_ > 0; }
  bool is_better(float a) const;

  Optimizer& optimizer_;
  SchedulerMode mode_;
  float mode_worse_;
  float factor_;
  int patience_;
  double threshold_;
  ThresholdMode threshold_mode_;
  int cooldown_;
  int cooldown_counter_ = 0;
  std::vector<float> min_lrs_;
  double eps_;
  float best_ = 0;
  bool verbose_;
  int last_epoch_ = 0;
  int num_bad_epochs_ = 0;
};

}  // namespace ember::optim
