#pragma once
// optim::Optimizer: parameters, zero_grad (set_to_none by default, as libtorch 2.x), step.
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

class Optimizer {
 public:
  explicit Optimizer(std::vector<Tensor> params);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  virtual void step() = 0;
  void zero_grad(bool set_to_none = true);
  const std::vector<Tensor>& parameters() const { return params_; }

 protected:
  // Parameters that received a gradient, grouped by device, with the gradient made dense.
  struct Group {
    Device device;
    std::vector<size_t> index;  // into params_
    std::vector<Tensor> grads;
  };
  std::vector<Group> groups_with_grads() const;

  std::vector<Tensor> params_;
};

}  // namespace ember::optim
