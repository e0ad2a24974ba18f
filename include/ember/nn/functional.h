#pragma once
// nn::functional: the stateless forms of layers and losses, with libtorch's options objects
// (`F::mse_loss(x, y, F::MSELossFuncOptions().reduction(torch::kSum))`) beside the short forms.
#include <string>

#include "ember/enum.h"
#include "ember/nn/arg.h"
#include "ember/tensor.h"

namespace ember {

// libtorch's reduction tokens: `.reduction(torch::kSum)`.
using Reduction = EnumOption<EnumName::None, EnumName::Mean, EnumName::Sum>;

namespace nn {

// softplus's parameters, as libtorch's torch::nn::SoftplusOptions.
struct SoftplusOptions {
  EMBER_ARG(double, beta) = 1.0;
  EMBER_ARG(double, threshold) = 20.0;
};

struct ReLUOptions {
  ReLUOptions(bool inplace = false) : inplace_(inplace) {}
  EMBER_ARG(bool, inplace);
};

// approximate: "none" (erf) or "tanh", as libtorch 2.x.
struct GELUOptions {
  EMBER_ARG(std::string, approximate) = "none";
};

struct SoftmaxOptions {
  SoftmaxOptions(int64_t dim) : dim_(dim) {}
  EMBER_ARG(int64_t, dim);
};
using LogSoftmaxOptions = SoftmaxOptions;

// A loss's reduction, as libtorch's MSELossOptions / L1LossOptions.
struct LossOptions {
  template <EnumArg<Reduction> R = Reduction>
  LossOptions(R reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Reduction, reduction);
};
using MSELossOptions = LossOptions;
using L1LossOptions = LossOptions;

struct NLLLossOptions {
  template <EnumArg<Reduction> R = Reduction>
  NLLLossOptions(R reduction = kMean) : reduction_(reduction) {}
  // Per-class rescaling, a 1-D tensor of size C (undefined: all ones).
  EMBER_ARG(Tensor, weight) = {};
  EMBER_ARG(int64_t, ignore_index) = -100;
  EMBER_ARG(Reduction, reduction);
};

struct CrossEntropyLossOptions {
  template <EnumArg<Reduction> R = Reduction>
  CrossEntropyLossOptions(R reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Tensor, weight) = {};
  EMBER_ARG(int64_t, ignore_index) = -100;
  EMBER_ARG(Reduction, reduction);
  EMBER_ARG(double, label_smoothing) = 0.0;
};

namespace functional {
using SoftplusFuncOptions = SoftplusOptions;
using ReLUFuncOptions = ReLUOptions;
using GELUFuncOptions = GELUOptions;
using MSELossFuncOptions = LossOptions;
using L1LossFuncOptions = LossOptions;
using NLLLossFuncOptions = NLLLossOptions;
using CrossEntropyFuncOptions = CrossEntropyLossOptions;

// softmax's dim and optional result dtype, as libtorch's SoftmaxFuncOptions.
struct SoftmaxFuncOptions {
  SoftmaxFuncOptions(int64_t dim) : dim_(dim) {}
  EMBER_ARG(int64_t, dim);
  EMBER_ARG(std::optional<ScalarType>, dtype) = std::nullopt;
};
using LogSoftmaxFuncOptions = SoftmaxFuncOptions;

struct LinearFuncOptions {};

// x @ weight^T + bias (addmm for 2-D inputs, as libtorch).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());
Tensor relu(const Tensor& x);
Tensor relu(Tensor x, const ReLUFuncOptions& options);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor gelu(const Tensor& x, const GELUFuncOptions& options = {});
Tensor softplus(const Tensor& x, const SoftplusFuncOptions& options = {});
Tensor softmax(const Tensor& x, int64_t dim);
Tensor softmax(const Tensor& x, const SoftmaxFuncOptions& options);
Tensor log_softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, const LogSoftmaxFuncOptions& options);

Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossFuncOptions& options = {});
Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& options = {});
// input: [N, C] log-probabilities (or [C]); target: [N] class indices (int64).
Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& options = {});
Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& options = {});

}  // namespace functional
}  // namespace nn
}  // namespace ember
