#pragma once
// Loss modules over nn::functional's losses.
#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

struct LossOptions {
  LossOptions(Reduction r = kMean) : reduction_(r) {}
  LossOptions& reduction(Reduction r) {
    reduction_ = r;
    return *this;
  }
  Reduction reduction_;
};
using MSELossOptions = LossOptions;
using L1LossOptions = LossOptions;
using CrossEntropyLossOptions = LossOptions;

#define EMBER_LOSS(Name, fn)                                                     \
  class Name##Impl : public Module {                                             \
   public:                                                                       \
    explicit Name##Impl(LossOptions o = {}) : Module(#Name), options(o) {}       \
    Tensor forward(const Tensor& input, const Tensor& target) {                  \
      return functional::fn(input, target, options.reduction_);                  \
    }                                                                            \
    LossOptions options;                                                         \
  };                                                                             \
  EMBER_MODULE(Name)

EMBER_LOSS(MSELoss, mse_loss);
EMBER_LOSS(L1Loss, l1_loss);
EMBER_LOSS(CrossEntropyLoss, cross_entropy);
#undef EMBER_LOSS

}  // namespace ember::nn
