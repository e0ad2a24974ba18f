#pragma once
// Layers: Linear, the activations, and Sequential.
#include <functional>

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

struct LinearOptions {
  LinearOptions(int64_t in, int64_t out) : in_features(in), out_features(out) {}
  LinearOptions& bias(bool b) {
    with_bias = b;
    return *this;
  }
  int64_t in_features, out_features;
  bool with_bias = true;
};

// y = x W^T + b, initialised like libtorch (kaiming_uniform_(a = sqrt(5)) weights, uniform
// bias in +-1/sqrt(in_features)).
class LinearImpl : public Module {
 public:
  LinearImpl(int64_t in, int64_t out) : LinearImpl(LinearOptions(in, out)) {}
  explicit LinearImpl(const LinearOptions& o);
  Tensor forward(const Tensor& x) { return functional::linear(x, weight, bias); }
  void reset_parameters();
  std::string describe() const override;

  LinearOptions options;
  Tensor weight, bias;
};
EMBER_MODULE(Linear);

#define EMBER_ACTIVATION(Name, fn)                                \
  class Name##Impl : public Module {                              \
   public:                                                        \
    Name##Impl() : Module(#Name) {}                               \
    Tensor forward(const Tensor& x) { return functional::fn(x); } \
  };                                                              \
  EMBER_MODULE(Name)

EMBER_ACTIVATION(ReLU, relu);
EMBER_ACTIVATION(Sigmoid, sigmoid);
EMBER_ACTIVATION(Tanh, tanh);
EMBER_ACTIVATION(GELU, gelu);
#undef EMBER_ACTIVATION

class SoftplusImpl : public Module {
 public:
  explicit SoftplusImpl(const SoftplusOptions& o = {}) : Module("Softplus"), options(o) {}
  Tensor forward(const Tensor& x) { return functional::softplus(x, options); }

  SoftplusOptions options;
};
EMBER_MODULE(Softplus);

// Runs its modules in order; each must have forward(const Tensor&) -> Tensor.
class SequentialImpl : public Module {
 public:
  template <class... Modules>
  explicit SequentialImpl(Modules&&... ms) : Module("Sequential") {
    (push_back(std::forward<Modules>(ms)), ...);
  }
  template <class Holder>
  void push_back(Holder h) {
    auto impl = h.ptr();
    register_module(std::to_string(steps_.size()), impl);
    steps_.push_back([impl](const Tensor& x) { return impl->forward(x); });
  }
  Tensor forward(const Tensor& x);
  size_t size() const { return steps_.size(); }

 private:
  std::vector<std::function<Tensor(const Tensor&)>> steps_;
};
EMBER_MODULE(Sequential);

}  // namespace ember::nn
