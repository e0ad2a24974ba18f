#pragma once
// Dropout layers as libtorch's: Dropout, Dropout1d/2d/3d (whole channels), AlphaDropout and
// FeatureAlphaDropout. Masks come from ember's counter-based generator, so one seed gives the
// same mask on CPU and CUDA, eager and compiled.
#include "ember/nn/arg.h"
#include "ember/nn/cloneable.h"
#include "ember/nn/module.h"

namespace ember {

// ATen's forms (torch::dropout, torch::feature_dropout, torch::alpha_dropout,
// torch::feature_alpha_dropout).
Tensor dropout(const Tensor& input, double p, bool train);
Tensor feature_dropout(const Tensor& input, double p, bool train);
Tensor alpha_dropout(const Tensor& input, double p, bool train);
Tensor feature_alpha_dropout(const Tensor& input, double p, bool train);

namespace nn {

struct DropoutOptions {
  DropoutOptions(double p = 0.5) : p_(p) {}
  EMBER_ARG(double, p);
  EMBER_ARG(bool, inplace) = false;
};
using Dropout1dOptions = DropoutOptions;
using Dropout2dOptions = DropoutOptions;
using Dropout3dOptions = DropoutOptions;
using AlphaDropoutOptions = DropoutOptions;
using FeatureAlphaDropoutOptions = DropoutOptions;

namespace functional {

struct DropoutFuncOptions {
  EMBER_ARG(double, p) = 0.5;
  EMBER_ARG(bool, training) = true;
  EMBER_ARG(bool, inplace) = false;
};
using Dropout1dFuncOptions = DropoutFuncOptions;
using Dropout2dFuncOptions = DropoutFuncOptions;
using Dropout3dFuncOptions = DropoutFuncOptions;

struct AlphaDropoutFuncOptions {
  EMBER_ARG(double, p) = 0.5;
  EMBER_ARG(bool, training) = false;
  EMBER_ARG(bool, inplace) = false;
};
using FeatureAlphaDropoutFuncOptions = AlphaDropoutFuncOptions;

Tensor dropout(Tensor input, const DropoutFuncOptions& options = {});
Tensor dropout1d(Tensor input, const Dropout1dFuncOptions& options = {});
Tensor dropout2d(Tensor input, const Dropout2dFuncOptions& options = {});
Tensor dropout3d(Tensor input, const Dropout3dFuncOptions& options = {});
Tensor alpha_dropout(Tensor input, const AlphaDropoutFuncOptions& options = {});
Tensor feature_alpha_dropout(Tensor input, const FeatureAlphaDropoutFuncOptions& options = {});

}  // namespace functional

#define EMBER_DROPOUT_MODULE(Name)                                                       \
  class Name##Impl : public Cloneable<Name##Impl> {                                      \
   public:                                                                               \
    explicit Name##Impl(double p) : Name##Impl(DropoutOptions(p)) {}                     \
    explicit Name##Impl(const DropoutOptions& options = {});                             \
    void reset() override;                                                               \
    void pretty_print(std::ostream& stream) const override;                              \
    Tensor forward(Tensor input);                                                        \
    DropoutOptions options;                                                              \
  };                                                                                     \
  EMBER_MODULE(Name)

EMBER_DROPOUT_MODULE(Dropout);
EMBER_DROPOUT_MODULE(Dropout1d);
EMBER_DROPOUT_MODULE(Dropout2d);
EMBER_DROPOUT_MODULE(Dropout3d);
EMBER_DROPOUT_MODULE(AlphaDropout);
EMBER_DROPOUT_MODULE(FeatureAlphaDropout);
#undef EMBER_DROPOUT_MODULE

}  // namespace nn
}  // namespace ember
