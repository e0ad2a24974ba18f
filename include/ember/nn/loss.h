#pragma once
// Loss modules over nn::functional's losses, as libtorch's.
#include "ember/nn/cloneable.h"
#include "ember/nn/functional.h"

namespace ember::nn {

// A loss module over functional::fn(input, target, options). The _BUFFERS form registers the
// options' weight tensors as buffers in reset() (they follow module.to(device), as libtorch's).
#define EMBER_LOSS_MODULE_IMPL(Name, Options, fn, ctor_body, reset_decl)          \
  class Name##Impl : public Cloneable<Name##Impl> {                               \
   public:                                                                        \
    explicit Name##Impl(Options options = {}) : options(std::move(options)) ctor_body \
    reset_decl                                                                    \
    void pretty_print(std::ostream& stream) const override;                       \
    Tensor forward(const Tensor& input, const Tensor& target) {                   \
      return functional::fn(input, target, options);                              \
    }                                                                             \
    Options options;                                                              \
  };                                                                              \
  EMBER_MODULE(Name)
#define EMBER_LOSS_MODULE(Name, Options, fn) \
  EMBER_LOSS_MODULE_IMPL(Name, Options, fn, {}, void reset() override {})
#define EMBER_LOSS_MODULE_BUFFERS(Name, Options, fn) \
  EMBER_LOSS_MODULE_IMPL(Name, Options, fn, { reset(); }, void reset() override;)

EMBER_LOSS_MODULE(MSELoss, MSELossOptions, mse_loss);
EMBER_LOSS_MODULE(L1Loss, L1LossOptions, l1_loss);
EMBER_LOSS_MODULE(NLLLoss, NLLLossOptions, nll_loss);
EMBER_LOSS_MODULE(CrossEntropyLoss, CrossEntropyLossOptions, cross_entropy);

}  // namespace ember::nn
