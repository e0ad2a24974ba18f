#pragma once
// optim::Optimizer, as libtorch's: parameter groups with per-group options, per-parameter state
// keyed by the parameter's TensorImpl, zero_grad (set_to_none by default, as libtorch 2.x), step.
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "ember/tensor.h"

namespace ember::optim {

// Declares a chainable option: `opts.lr(0.1)` sets, `opts.lr()` reads.
#define EMBER_OPTION(Owner, T, name, init)      \
 public:                                        \
  Owner& name(T v) {                            \
    name##_ = v;                                \
    return *this;                               \
  }                                             \
  T name() const { return name##_; }            \
                                                \
 private:                                       \
  T name##_ = init;

class OptimizerOptions {
 public:
  virtual ~OptimizerOptions() = default;
  virtual std::unique_ptr<OptimizerOptions> clone() const;
  virtual double get_lr() const;
  virtual void set_lr(double lr);
};

template <class Derived>
class OptimizerCloneableOptions : public OptimizerOptions {
 public:
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

class OptimizerParamState {
 public:
  virtual ~OptimizerParamState() = default;
  virtual std::unique_ptr<OptimizerParamState> clone() const;
};

template <class Derived>
class OptimizerCloneableParamState : public OptimizerParamState {
 public:
  std::unique_ptr<OptimizerParamState> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

// Parameters that share options; without options a group takes the optimizer's defaults.
class OptimizerParamGroup {
 public:
  OptimizerParamGroup(const OptimizerParamGroup& other);
  OptimizerParamGroup(OptimizerParamGroup&&) = default;
  OptimizerParamGroup& operator=(const OptimizerParamGroup& other);
  OptimizerParamGroup& operator=(OptimizerParamGroup&&) = default;
  OptimizerParamGroup(std::vector<Tensor> params) : params_(std::move(params)) {}
  OptimizerParamGroup(std::vector<Tensor> params, std::unique_ptr<OptimizerOptions> options)
      : params_(std::move(params)), options_(std::move(options)) {}

  bool has_options() const { return options_ != nullptr; }
  OptimizerOptions& options();
  const OptimizerOptions& options() const;
  void set_options(std::unique_ptr<OptimizerOptions> options) { options_ = std::move(options); }
  std::vector<Tensor>& params() { return params_; }
  const std::vector<Tensor>& params() const { return params_; }

 private:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
};

class Optimizer {
 public:
  using LossClosure = std::function<Tensor()>;

  Optimizer(std::vector<OptimizerParamGroup> param_groups, std::unique_ptr<OptimizerOptions> defaults);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // Runs closure (if any) with grad enabled, then updates; returns the closure's loss.
  virtual Tensor step(LossClosure closure = nullptr) = 0;
  void add_param_group(const OptimizerParamGroup& param_group);
  void zero_grad(bool set_to_none = true);

  // The first group's parameters, as libtorch's.
  const std::vector<Tensor>& parameters() const noexcept { return param_groups_.at(0).params(); }
  std::vector<Tensor>& parameters() noexcept { return param_groups_.at(0).params(); }
  // The number of parameters over all groups.
  size_t size() const noexcept;
  OptimizerOptions& defaults() noexcept { return *defaults_; }
  const OptimizerOptions& defaults() const noexcept { return *defaults_; }
  std::vector<OptimizerParamGroup>& param_groups() noexcept { return param_groups_; }
  const std::vector<OptimizerParamGroup>& param_groups() const noexcept { return param_groups_; }
  std::unordered_map<void*, std::unique_ptr<OptimizerParamState>>& state() noexcept { return state_; }
  const std::unordered_map<void*, std::unique_ptr<OptimizerParamState>>& state() const noexcept { return state_; }

 protected:
  // One group's parameters that received a gradient, by device, with the gradient made dense.
  struct DeviceBatch {
    Device device;
    std::vector<Tensor> params, grads;
  };
  static std::vector<DeviceBatch> batches_with_grads(const std::vector<Tensor>& params);
  // The state of p, created by make() on first use (outside any trace: state is real).
  template <class State, class Make>
  State& state_of(const Tensor& p, Make make) {
    auto& slot = state_[p.unsafeGetTensorImpl()];
    if (!slot) slot = make_state(make);
    return static_cast<State&>(*slot);
  }
  // Every step() starts here: runs the closure, then checks every group's gradients (shape,
  // device, contiguity), so that a bad one fails the step before any parameter or state changes.
  Tensor begin_step(const LossClosure& closure);

  std::vector<OptimizerParamGroup> param_groups_;
  std::unordered_map<void*, std::unique_ptr<OptimizerParamState>> state_;
  std::unique_ptr<OptimizerOptions> defaults_;

 private:
  template <class Make>
  static std::unique_ptr<OptimizerParamState> make_state(Make& make);
  static void leave_trace(const std::function<void()>& fn);
};

template <class Make>
std::unique_ptr<OptimizerParamState> Optimizer::make_state(Make& make) {
  std::unique_ptr<OptimizerParamState> out;
  leave_trace([&] { out = make(); });
  return out;
}

}  // namespace ember::optim
