#pragma once
// Loss modules over nn::functional's losses, as libtorch's.
#include "ember/nn/cloneable.h"
#include "ember/nn/functional.h"

namespace ember::nn {

#define EMBER_LOSS(Name, Options, fn)                                              \
  class Name##Impl : public Cloneable<Name##Impl> {                                \
   public:                                                                         \
    explicit Name##Impl(Options options = {}) : options(std::move(options)) {}     \
    void reset() override {}                                                       \
    void pretty_print(std::ostream& stream) const override;                        \
    Tensor forward(const Tensor& input, const Tensor& target) {                    \
      return functional::fn(input, target, options);                               \
    }                                                                              \
    Options options;                                                               \
  };                                                                               \
  EMBER_MODULE(Name)

EMBER_LOSS(MSELoss, MSELossOptions, mse_loss);
EMBER_LOSS(L1Loss, L1LossOptions, l1_loss);
EMBER_LOSS(NLLLoss, NLLLossOptions, nll_loss);
EMBER_LOSS(CrossEntropyLoss, CrossEntropyLossOptions, cross_entropy);
#undef EMBER_LOSS

}  // namespace ember::nn
