#pragma once
// Activation modules beyond ReLU/Sigmoid/Tanh/GELU/Softplus/Softmax/LogSoftmax (nn/layers.h),
// as libtorch's torch/nn/modules/activation.h: options, forward, pretty_print, clone.
#include "ember/nn/activation_functional.h"
#include "ember/nn/cloneable.h"
#include "ember/nn/module.h"

namespace ember::nn {

// A module whose forward is `fn(input, options)` and which has nothing to reset.
#define EMBER_ACTIVATION_WITH_OPTIONS(Name, Options, fn)                          \
  class Name##Impl : public Cloneable<Name##Impl> {                              \
   public:                                                                       \
    explicit Name##Impl(const Options& options = {}) : options(options) {}       \
    void reset() override {}                                                     \
    void pretty_print(std::ostream& stream) const override;                      \
    Tensor forward(Tensor input) { return functional::fn(std::move(input), options); } \
    Options options;                                                             \
  };                                                                             \
  EMBER_MODULE(Name)

// A module without options.
#define EMBER_ACTIVATION_PLAIN(Name, fn)                                         \
  class Name##Impl : public Cloneable<Name##Impl> {                              \
   public:                                                                       \
    void reset() override {}                                                     \
    void pretty_print(std::ostream& stream) const override;                      \
    Tensor forward(const Tensor& input) { return functional::fn(input); }        \
  };                                                                             \
  EMBER_MODULE(Name)

EMBER_ACTIVATION_WITH_OPTIONS(ELU, ELUOptions, elu);
EMBER_ACTIVATION_WITH_OPTIONS(SELU, SELUOptions, selu);
EMBER_ACTIVATION_WITH_OPTIONS(CELU, CELUOptions, celu);
EMBER_ACTIVATION_WITH_OPTIONS(LeakyReLU, LeakyReLUOptions, leaky_relu);
EMBER_ACTIVATION_WITH_OPTIONS(ReLU6, ReLU6Options, relu6);
EMBER_ACTIVATION_WITH_OPTIONS(Hardshrink, HardshrinkOptions, hardshrink);
EMBER_ACTIVATION_WITH_OPTIONS(Softshrink, SoftshrinkOptions, softshrink);
EMBER_ACTIVATION_WITH_OPTIONS(GLU, GLUOptions, glu);
EMBER_ACTIVATION_PLAIN(SiLU, silu);
EMBER_ACTIVATION_PLAIN(Mish, mish);
EMBER_ACTIVATION_PLAIN(Hardsigmoid, hardsigmoid);
EMBER_ACTIVATION_PLAIN(Hardswish, hardswish);
EMBER_ACTIVATION_PLAIN(Softsign, softsign);
EMBER_ACTIVATION_PLAIN(Tanhshrink, tanhshrink);
EMBER_ACTIVATION_PLAIN(LogSigmoid, logsigmoid);
#undef EMBER_ACTIVATION_WITH_OPTIONS
#undef EMBER_ACTIVATION_PLAIN

// min_val < max_val is checked at construction, as libtorch.
class HardtanhImpl : public Cloneable<HardtanhImpl> {
 public:
  explicit HardtanhImpl(const HardtanhOptions& options = {});
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(Tensor input) { return functional::hardtanh(std::move(input), options); }
  HardtanhOptions options;
};
EMBER_MODULE(Hardtanh);

class ThresholdImpl : public Cloneable<ThresholdImpl> {
 public:
  ThresholdImpl(double threshold, double value) : ThresholdImpl(ThresholdOptions(threshold, value)) {}
  explicit ThresholdImpl(const ThresholdOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(Tensor input) { return functional::threshold(std::move(input), options); }
  ThresholdOptions options;
};
EMBER_MODULE(Threshold);

// A learnable slope per channel (num_parameters of them, or one shared), initialised to init.
class PReLUImpl : public Cloneable<PReLUImpl> {
 public:
  explicit PReLUImpl(const PReLUOptions& options = {});
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input) { return functional::prelu(input, weight); }
  PReLUOptions options;
  Tensor weight;
};
EMBER_MODULE(PReLU);

// Random slopes while training (is_training()), the mean slope in eval mode.
class RReLUImpl : public Cloneable<RReLUImpl> {
 public:
  explicit RReLUImpl(const RReLUOptions& options = {});
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(Tensor input);
  RReLUOptions options;
};
EMBER_MODULE(RReLU);

class SoftminImpl : public Cloneable<SoftminImpl> {
 public:
  explicit SoftminImpl(int64_t dim) : SoftminImpl(SoftminOptions(dim)) {}
  explicit SoftminImpl(const SoftminOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input) { return functional::softmin(input, options.dim()); }
  SoftminOptions options;
};
EMBER_MODULE(Softmin);

// Softmax over the channels of a [N, C, H, W] or [C, H, W] input (dim -3).
class Softmax2dImpl : public Cloneable<Softmax2dImpl> {
 public:
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
};
EMBER_MODULE(Softmax2d);

}  // namespace ember::nn
