#include "ember/nn/layers.h"

#include <cmath>
#include <iomanip>
#include <ostream>

#include "ember/functional.h"
#include "ember/nn/init.h"
#include "ember/nn/loss.h"

namespace ember::nn {

LinearImpl::LinearImpl(const LinearOptions& o) : options(o) {
  EMBER_CHECK(o.in_features() > 0 && o.out_features() > 0, "Linear: in_features and out_features "
              "must be positive (got ", o.in_features(), ", ", o.out_features(), ")");
  reset();
}

void LinearImpl::reset() {
  weight = register_parameter("weight", empty({options.out_features(), options.in_features()}));
  if (options.bias()) bias = register_parameter("bias", empty({options.out_features()}));
  else bias = register_parameter("bias", Tensor(), /*requires_grad=*/false);
  reset_parameters();
}

void LinearImpl::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    double bound = 1.0 / std::sqrt(static_cast<double>(options.in_features()));
    init::uniform_(bias, -bound, bound);
  }
}

void LinearImpl::pretty_print(std::ostream& os) const {
  os << std::boolalpha << "torch::nn::Linear(in_features=" << options.in_features()
     << ", out_features=" << options.out_features() << ", bias=" << options.bias() << ")";
}

void ReLUImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::ReLU(";
  if (options.inplace()) os << std::boolalpha << "inplace=" << options.inplace();
  os << ")";
}
void SigmoidImpl::pretty_print(std::ostream& os) const { os << "torch::nn::Sigmoid()"; }
void TanhImpl::pretty_print(std::ostream& os) const { os << "torch::nn::Tanh()"; }
void GELUImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::GELU(approximate=" << std::quoted(options.approximate()) << ")";
}
void SoftplusImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::Softplus(beta=" << options.beta() << ", threshold=" << options.threshold() << ")";
}
void SoftmaxImpl::pretty_print(std::ostream& os) const { os << "torch::nn::Softmax(dim=" << options.dim() << ")"; }
void LogSoftmaxImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::LogSoftmax(dim=" << options.dim() << ")";
}

void MSELossImpl::pretty_print(std::ostream& os) const { os << "torch::nn::MSELoss()"; }
void L1LossImpl::pretty_print(std::ostream& os) const { os << "torch::nn::L1Loss()"; }
void NLLLossImpl::pretty_print(std::ostream& os) const { os << "torch::nn::NLLLoss()"; }
void CrossEntropyLossImpl::pretty_print(std::ostream& os) const { os << "torch::nn::CrossEntropyLoss()"; }

}  // namespace ember::nn
