// pretty_print of the modules of ember/nn/losses.h, in libtorch's words.
#include "ember/nn/losses.h"

#include <ostream>

namespace ember::nn {

// The buffers share the options' tensors, so module.to() (set_data) moves both.
void BCELossImpl::reset() { register_buffer("weight", options.weight()); }
void BCEWithLogitsLossImpl::reset() {
  register_buffer("weight", options.weight());
  register_buffer("pos_weight", options.pos_weight());
}
void MultiLabelSoftMarginLossImpl::reset() { register_buffer("weight", options.weight()); }

void BCELossImpl::pretty_print(std::ostream& os) const { os << "torch::nn::BCELoss()"; }
void BCEWithLogitsLossImpl::pretty_print(std::ostream& os) const { os << "torch::nn::BCEWithLogitsLoss()"; }
void SmoothL1LossImpl::pretty_print(std::ostream& os) const { os << "torch::nn::SmoothL1Loss"; }
void HuberLossImpl::pretty_print(std::ostream& os) const { os << "torch::nn::HuberLoss()"; }
void KLDivLossImpl::pretty_print(std::ostream& os) const { os << "torch::nn::KLDivLoss()"; }
void HingeEmbeddingLossImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::HingeEmbeddingLoss(margin=" << options.margin() << ")";
}
void SoftMarginLossImpl::pretty_print(std::ostream& os) const { os << "torch::nn::SoftMarginLoss()"; }
void MultiLabelSoftMarginLossImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::MultiLabelSoftMarginLoss()";
}
void MultiLabelMarginLossImpl::pretty_print(std::ostream& os) const { os << "torch::nn::MultiLabelMarginLoss()"; }
void PoissonNLLLossImpl::pretty_print(std::ostream& os) const { os << "torch::nn::PoissonNLLLoss()"; }
void MarginRankingLossImpl::pretty_print(std::ostream& os) const { os << "torch::nn::MarginRankingLoss()"; }
void CosineEmbeddingLossImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::CosineEmbeddingLoss(margin=" << options.margin() << ")";
}
void TripletMarginLossImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::TripletMarginLoss(margin=" << options.margin() << ", p=" << options.p()
     << ", eps=" << options.eps() << std::boolalpha << ", swap=" << options.swap() << ")";
}
void CosineSimilarityImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::CosineSimilarity(dim=" << options.dim() << ", eps=" << options.eps() << ")";
}
void PairwiseDistanceImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::PairwiseDistance(p=" << options.p() << ", eps=" << options.eps() << std::boolalpha
     << ", keepdim=" << options.keepdim() << ")";
}

}  // namespace ember::nn
