#pragma once
// Loss modules over nn/loss_functional.h (beyond MSE/L1/NLL/CrossEntropy in nn/loss.h), and
// the distance modules CosineSimilarity and PairwiseDistance, as libtorch's.
#include "ember/nn/cloneable.h"
#include "ember/nn/loss.h"
#include "ember/nn/loss_functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

#define EMBER_LOSS3(Name, Options, fn, a, b, c)                                   \
  class Name##Impl : public Cloneable<Name##Impl> {                               \
   public:                                                                        \
    explicit Name##Impl(Options options = {}) : options(std::move(options)) {}    \
    void reset() override {}                                                      \
    void pretty_print(std::ostream& stream) const override;                       \
    Tensor forward(const Tensor& a, const Tensor& b, const Tensor& c) {           \
      return functional::fn(a, b, c, options);                                    \
    }                                                                             \
    Options options;                                                              \
  };                                                                              \
  EMBER_MODULE(Name)

EMBER_LOSS_MODULE_BUFFERS(BCELoss, BCELossOptions, binary_cross_entropy);
EMBER_LOSS_MODULE_BUFFERS(BCEWithLogitsLoss, BCEWithLogitsLossOptions, binary_cross_entropy_with_logits);
EMBER_LOSS_MODULE_BUFFERS(MultiLabelSoftMarginLoss, MultiLabelSoftMarginLossOptions, multilabel_soft_margin_loss);
EMBER_LOSS_MODULE(SmoothL1Loss, SmoothL1LossOptions, smooth_l1_loss);
EMBER_LOSS_MODULE(HuberLoss, HuberLossOptions, huber_loss);
EMBER_LOSS_MODULE(KLDivLoss, KLDivLossOptions, kl_div);
EMBER_LOSS_MODULE(HingeEmbeddingLoss, HingeEmbeddingLossOptions, hinge_embedding_loss);
EMBER_LOSS_MODULE(SoftMarginLoss, SoftMarginLossOptions, soft_margin_loss);
EMBER_LOSS_MODULE(MultiLabelMarginLoss, MultiLabelMarginLossOptions, multilabel_margin_loss);
EMBER_LOSS_MODULE(PoissonNLLLoss, PoissonNLLLossOptions, poisson_nll_loss);
EMBER_LOSS3(MarginRankingLoss, MarginRankingLossOptions, margin_ranking_loss, input1, input2, target);
EMBER_LOSS3(CosineEmbeddingLoss, CosineEmbeddingLossOptions, cosine_embedding_loss, input1, input2, target);
EMBER_LOSS3(TripletMarginLoss, TripletMarginLossOptions, triplet_margin_loss, anchor, positive, negative);
#undef EMBER_LOSS3

class CosineSimilarityImpl : public Cloneable<CosineSimilarityImpl> {
 public:
  explicit CosineSimilarityImpl(const CosineSimilarityOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& x1, const Tensor& x2) { return functional::cosine_similarity(x1, x2, options); }
  CosineSimilarityOptions options;
};
EMBER_MODULE(CosineSimilarity);

class PairwiseDistanceImpl : public Cloneable<PairwiseDistanceImpl> {
 public:
  explicit PairwiseDistanceImpl(const PairwiseDistanceOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& x1, const Tensor& x2) { return functional::pairwise_distance(x1, x2, options); }
  PairwiseDistanceOptions options;
};
EMBER_MODULE(PairwiseDistance);

}  // namespace ember::nn
