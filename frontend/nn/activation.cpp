// The activation modules of ember/nn/activation.h: construction checks and pretty_print in
// libtorch's words.
#include "ember/nn/activation.h"

#include <ostream>

#include "ember/functional.h"
#include "ember/nn/init.h"

namespace ember::nn {

namespace {
void print_inplace(std::ostream& os, bool inplace, bool first) {
  if (inplace) os << (first ? "" : ", ") << std::boolalpha << "inplace=" << true;
}
}  // namespace

void ELUImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::ELU(alpha=" << options.alpha();
  print_inplace(os, options.inplace(), false);
  os << ")";
}
void SELUImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::SELU(";
  print_inplace(os, options.inplace(), true);
  os << ")";
}
void CELUImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::CELU(alpha=" << options.alpha();
  print_inplace(os, options.inplace(), false);
  os << ")";
}
void LeakyReLUImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::LeakyReLU(negative_slope=" << options.negative_slope();
  print_inplace(os, options.inplace(), false);
  os << ")";
}
void ReLU6Impl::pretty_print(std::ostream& os) const {
  os << "torch::nn::ReLU6(";
  print_inplace(os, options.inplace(), true);
  os << ")";
}
void HardshrinkImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::Hardshrink(" << options.lambda() << ")";
}
void SoftshrinkImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::Softshrink(" << options.lambda() << ")";
}
void GLUImpl::pretty_print(std::ostream& os) const { os << "torch::nn::GLU(dim=" << options.dim() << ")"; }
void SiLUImpl::pretty_print(std::ostream& os) const { os << "torch::nn::SiLU()"; }
void MishImpl::pretty_print(std::ostream& os) const { os << "torch::nn::Mish()"; }
void HardsigmoidImpl::pretty_print(std::ostream& os) const { os << "torch::nn::Hardsigmoid()"; }
void HardswishImpl::pretty_print(std::ostream& os) const { os << "torch::nn::Hardswish()"; }
void SoftsignImpl::pretty_print(std::ostream& os) const { os << "torch::nn::Softsign()"; }
void TanhshrinkImpl::pretty_print(std::ostream& os) const { os << "torch::nn::Tanhshrink()"; }
void LogSigmoidImpl::pretty_print(std::ostream& os) const { os << "torch::nn::LogSigmoid()"; }

HardtanhImpl::HardtanhImpl(const HardtanhOptions& o) : options(o) { reset(); }
void HardtanhImpl::reset() {
  EMBER_CHECK(options.max_val() > options.min_val(), "max_val must be greater than min_val");
}
void HardtanhImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::Hardtanh(min_val=" << options.min_val() << ", max_val=" << options.max_val();
  print_inplace(os, options.inplace(), false);
  os << ")";
}

void ThresholdImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::Threshold(threshold=" << options.threshold() << ", value=" << options.value();
  print_inplace(os, options.inplace(), false);
  os << ")";
}

PReLUImpl::PReLUImpl(const PReLUOptions& o) : options(o) { reset(); }
void PReLUImpl::reset() {
  EMBER_CHECK(options.num_parameters() > 0, "PReLU: num_parameters must be positive, got ",
              options.num_parameters());
  weight = register_parameter("weight", full({options.num_parameters()}, options.init()));
}
void PReLUImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::PReLU(num_parameters=" << options.num_parameters() << ")";
}

RReLUImpl::RReLUImpl(const RReLUOptions& o) : options(o) { reset(); }
void RReLUImpl::reset() {
  EMBER_CHECK(options.lower() <= options.upper(), "Lower bound should be less than or equal to the upper bound");
}
Tensor RReLUImpl::forward(Tensor input) {
  return functional::rrelu(std::move(input), functional::RReLUFuncOptions()
                                                 .lower(options.lower())
                                                 .upper(options.upper())
                                                 .training(is_training())
                                                 .inplace(options.inplace()));
}
void RReLUImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::RReLU(lower=" << options.lower() << ", upper=" << options.upper();
  print_inplace(os, options.inplace(), false);
  os << ")";
}

void SoftminImpl::pretty_print(std::ostream& os) const { os << "torch::nn::Softmin(dim=" << options.dim() << ")"; }

Tensor Softmax2dImpl::forward(const Tensor& input) {
  EMBER_CHECK(input.dim() == 3 || input.dim() == 4, "Softmax2d: expected input to be 3D or 4D, got ",
              input.dim(), "D instead");
  return ember::softmax(input, -3);
}
void Softmax2dImpl::pretty_print(std::ostream& os) const { os << "torch::nn::Softmax2d()"; }

}  // namespace ember::nn
