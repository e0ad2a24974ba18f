#include "ember/optim/schedulers.h"

#include <algorithm>
#include <cmath>
#include <iostream>

namespace ember::optim {

void LRScheduler::step() {
  set_optimizer_lrs(get_lrs());
  ++step_count_;
}

std::vector<double> LRScheduler::get_current_lrs() const {
  std::vector<double> lrs;
  for (const auto& g : optimizer_.param_groups()) lrs.push_back(g.options().get_lr());
  return lrs;
}

void LRScheduler::set_optimizer_lrs(const std::vector<double>& learning_rates) {
  auto& groups = optimizer_.param_groups();
  EMBER_CHECK(learning_rates.size() == groups.size(), "Number of learning rates not equal to the number "
              "of param groups\nNumber of learning rates given: ", learning_rates.size(),
              "\nNumber of param groups: ", groups.size());
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(learning_rates[i]);
}

StepLR::StepLR(Optimizer& optimizer, unsigned step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  EMBER_CHECK(step_size > 0, "StepLR: step_size must be positive");
}

std::vector<double> StepLR::get_lrs() {
  std::vector<double> lrs = get_current_lrs();
  if (step_count_ == 0 || step_count_ % step_size_ != 0) return lrs;
  for (double& lr : lrs) lr *= gamma_;
  return lrs;
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, unsigned T_max, double eta_min)
    : LRScheduler(optimizer), t_max_(T_max), eta_min_(eta_min), base_lrs_(get_current_lrs()) {
  EMBER_CHECK(T_max > 0, "CosineAnnealingLR: T_max must be positive");
}

std::vector<double> CosineAnnealingLR::get_lrs() {
  double k = static_cast<double>(step_count_ + 1);
  std::vector<double> lrs;
  for (double base : base_lrs_)
    lrs.push_back(eta_min_ + (base - eta_min_) * (1 + std::cos(M_PI * k / t_max_)) / 2);
  return lrs;
}

LambdaLR::LambdaLR(Optimizer& optimizer, std::function<double(unsigned)> lr_lambda)
    : LRScheduler(optimizer), lr_lambda_(std::move(lr_lambda)), base_lrs_(get_current_lrs()) {
  EMBER_CHECK(static_cast<bool>(lr_lambda_), "LambdaLR: lr_lambda must be callable");
  double factor = lr_lambda_(0);
  std::vector<double> lrs;
  for (double base : base_lrs_) lrs.push_back(base * factor);
  set_optimizer_lrs(lrs);
}

std::vector<double> LambdaLR::get_lrs() {
  double factor = lr_lambda_(step_count_ + 1);
  std::vector<double> lrs;
  for (double base : base_lrs_) lrs.push_back(base * factor);
  return lrs;
}

ReduceLROnPlateauScheduler::ReduceLROnPlateauScheduler(Optimizer& optimizer, SchedulerMode mode, float factor,
                                                       int patience, double threshold, ThresholdMode threshold_mode,
                                                       int cooldown, const std::vector<float>& min_lr, double eps,
                                                       bool verbose)
    : optimizer_(optimizer),
      mode_(mode),
      factor_(factor),
      patience_(patience),
      threshold_(threshold),
      threshold_mode_(threshold_mode),
      cooldown_(cooldown),
      eps_(eps),
      verbose_(verbose) {
  EMBER_CHECK(factor < 1.0, "Factor should be < 1.0.");
  size_t groups = optimizer.param_groups().size();
  if (min_lr.empty()) {
    min_lrs_ = std::vector<float>(groups, 0.0f);
  } else {
    EMBER_CHECK(min_lr.size() == groups, "Number of learning rates not equal to the number of param groups\n",
                "Number of learning rates given: ", min_lr.size(), "\nNumber of param groups: ", groups);
    min_lrs_ = min_lr;
  }
  mode_worse_ = mode == min ? std::numeric_limits<float>::max() : std::numeric_limits<float>::min();
  reset();
}

void ReduceLROnPlateauScheduler::step(float metric) {
  ++last_epoch_;
  if (is_better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (in_cooldown()) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;
  }
  if (num_bad_epochs_ > patience_) {
    reduce_lr(last_epoch_);
    cooldown_counter_ = cooldown_;
    num_bad_epochs_ = 0;
  }
}

void ReduceLROnPlateauScheduler::reduce_lr(int epoch) {
  auto& groups = optimizer_.param_groups();
  for (size_t i = 0; i < groups.size(); ++i) {
    double old_lr = groups[i].options().get_lr();
    double new_lr = std::max(old_lr * factor_, static_cast<double>(min_lrs_[i]));
    if (old_lr - new_lr > eps_) {
      groups[i].options().set_lr(new_lr);
      if (verbose_) std::cout << "Epoch " << epoch << ": reducing learning rate of group " << i << " to " << new_lr << std::endl;
    }
  }
}

void ReduceLROnPlateauScheduler::reset() {
  best_ = mode_worse_;
  cooldown_counter_ = 0;
  num_bad_epochs_ = 0;
}

bool ReduceLROnPlateauScheduler::is_better(float a) const {
  if (mode_ == min && threshold_mode_ == rel) return a < best_ * (1.0 - threshold_);
  if (mode_ == min && threshold_mode_ == abs) return a < best_ - threshold_;
  if (mode_ == max && threshold_mode_ == rel) return a > best_ * (threshold_ + 1.0);
  return a > best_ + threshold_;
}

}  // namespace ember::optim
