#pragma once
// Options of the losses beyond MSE/L1/NLL/CrossEntropy (those are in nn/functional.h), as
// libtorch's torch/nn/options/loss.h; the functional forms' `...FuncOptions` are the same
// structs.
#include "ember/nn/arg.h"
#include "ember/nn/functional.h"

namespace ember {

namespace nn {

// KLDivLoss's reduction: kNone, kBatchMean (the sum divided by input.size(0)), kSum or kMean.
using KLDivReduction = EnumOption<EnumName::None, EnumName::BatchMean, EnumName::Sum, EnumName::Mean>;

struct BCELossOptions {
  template <EnumArg<Reduction> R = Reduction>
  BCELossOptions(R reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Tensor, weight) = {};  // rescales each element, broadcast to the input
  EMBER_ARG(Reduction, reduction);
};
struct BCEWithLogitsLossOptions {
  template <EnumArg<Reduction> R = Reduction>
  BCEWithLogitsLossOptions(R reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Tensor, weight) = {};
  EMBER_ARG(Reduction, reduction);
  EMBER_ARG(Tensor, pos_weight) = {};  // the positive examples' weight, broadcast over the classes
};
struct SmoothL1LossOptions {
  template <EnumArg<Reduction> R = Reduction>
  SmoothL1LossOptions(R reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Reduction, reduction);
  EMBER_ARG(double, beta) = 1.0;
};
struct HuberLossOptions {
  template <EnumArg<Reduction> R = Reduction>
  HuberLossOptions(R reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Reduction, reduction);
  EMBER_ARG(double, delta) = 1.0;
};
struct KLDivLossOptions {
  template <EnumArg<KLDivReduction> R = KLDivReduction>
  KLDivLossOptions(R reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(KLDivReduction, reduction);
  EMBER_ARG(bool, log_target) = false;
};
struct MarginRankingLossOptions {
  EMBER_ARG(double, margin) = 0;
  EMBER_ARG(Reduction, reduction) = kMean;
};
struct HingeEmbeddingLossOptions {
  EMBER_ARG(double, margin) = 1.0;
  EMBER_ARG(Reduction, reduction) = kMean;
};
struct SoftMarginLossOptions {
  template <EnumArg<Reduction> R = Reduction>
  SoftMarginLossOptions(R reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Reduction, reduction);
};
struct MultiLabelSoftMarginLossOptions {
  template <EnumArg<Reduction> R = Reduction>
  MultiLabelSoftMarginLossOptions(R reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Tensor, weight) = {};  // per class, size C
  EMBER_ARG(Reduction, reduction);
};
struct MultiLabelMarginLossOptions {
  template <EnumArg<Reduction> R = Reduction>
  MultiLabelMarginLossOptions(R reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Reduction, reduction);
};
struct CosineEmbeddingLossOptions {
  EMBER_ARG(double, margin) = 0.0;
  EMBER_ARG(Reduction, reduction) = kMean;
};
struct TripletMarginLossOptions {
  EMBER_ARG(double, margin) = 1.0;
  EMBER_ARG(double, p) = 2.0;
  EMBER_ARG(double, eps) = 1e-6;
  EMBER_ARG(bool, swap) = false;
  EMBER_ARG(Reduction, reduction) = kMean;
};
struct PoissonNLLLossOptions {
  EMBER_ARG(bool, log_input) = true;
  EMBER_ARG(bool, full) = false;
  EMBER_ARG(double, eps) = 1e-8;
  EMBER_ARG(Reduction, reduction) = kMean;
};

namespace functional {
using BinaryCrossEntropyFuncOptions = BCELossOptions;
using BinaryCrossEntropyWithLogitsFuncOptions = BCEWithLogitsLossOptions;
using SmoothL1LossFuncOptions = SmoothL1LossOptions;
using HuberLossFuncOptions = HuberLossOptions;
using KLDivFuncOptions = KLDivLossOptions;
using MarginRankingLossFuncOptions = MarginRankingLossOptions;
using HingeEmbeddingLossFuncOptions = HingeEmbeddingLossOptions;
using SoftMarginLossFuncOptions = SoftMarginLossOptions;
using MultilabelSoftMarginLossFuncOptions = MultiLabelSoftMarginLossOptions;
using MultilabelMarginLossFuncOptions = MultiLabelMarginLossOptions;
using CosineEmbeddingLossFuncOptions = CosineEmbeddingLossOptions;
using TripletMarginLossFuncOptions = TripletMarginLossOptions;
using PoissonNLLLossFuncOptions = PoissonNLLLossOptions;
}  // namespace functional

}  // namespace nn
}  // namespace ember
