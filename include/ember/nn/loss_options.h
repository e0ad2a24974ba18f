#pragma once
// Options of the losses beyond MSE/L1/NLL/CrossEntropy (those are in nn/functional.h), as
// libtorch's torch/nn/options/loss.h; the functional forms' `...FuncOptions` are the same
// structs.
#include "ember/nn/arg.h"
#include "ember/nn/functional.h"

namespace ember {

// KLDivLoss's extra reduction: the sum divided by the batch size (input.size(0)).
struct BatchMeanTag {};
constexpr BatchMeanTag kBatchMean{};

namespace nn {

// KLDivLoss's reduction: None, BatchMean, Sum or Mean (libtorch's variant of four tags).
struct KLDivReduction {
  KLDivReduction(Reduction r) : batchmean(false), reduction(r) {}
  KLDivReduction(BatchMeanTag) : batchmean(true), reduction(Reduction::Sum) {}
  bool batchmean;
  Reduction reduction;
};

struct BCELossOptions {
  BCELossOptions(Reduction reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Tensor, weight) = {};  // rescales each element, broadcast to the input
  EMBER_ARG(Reduction, reduction);
};
struct BCEWithLogitsLossOptions {
  BCEWithLogitsLossOptions(Reduction reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Tensor, weight) = {};
  EMBER_ARG(Reduction, reduction);
  EMBER_ARG(Tensor, pos_weight) = {};  // the positive examples' weight, broadcast over the classes
};
struct SmoothL1LossOptions {
  SmoothL1LossOptions(Reduction reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Reduction, reduction);
  EMBER_ARG(double, beta) = 1.0;
};
struct HuberLossOptions {
  HuberLossOptions(Reduction reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Reduction, reduction);
  EMBER_ARG(double, delta) = 1.0;
};
struct KLDivLossOptions {
  KLDivLossOptions(KLDivReduction reduction = kMean) : reduction_(reduction) {}
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
  SoftMarginLossOptions(Reduction reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Reduction, reduction);
};
struct MultiLabelSoftMarginLossOptions {
  MultiLabelSoftMarginLossOptions(Reduction reduction = kMean) : reduction_(reduction) {}
  EMBER_ARG(Tensor, weight) = {};  // per class, size C
  EMBER_ARG(Reduction, reduction);
};
struct MultiLabelMarginLossOptions {
  MultiLabelMarginLossOptions(Reduction reduction = kMean) : reduction_(reduction) {}
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
