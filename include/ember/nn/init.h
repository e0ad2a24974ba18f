#pragma once
// torch::nn::init: in-place initialisers, without autograd history, with libtorch's signatures
// and defaults (`kaiming_normal_(w, 0, torch::kFanOut, torch::kReLU)`).
#include <tuple>
#include <utility>

#include "ember/enum.h"
#include "ember/tensor.h"

namespace ember::nn::init {

using NonlinearityType = EnumOption<EnumName::Linear, EnumName::Conv1D, EnumName::Conv2D, EnumName::Conv3D,
                                    EnumName::ConvTranspose1D, EnumName::ConvTranspose2D,
                                    EnumName::ConvTranspose3D, EnumName::Sigmoid, EnumName::Tanh, EnumName::ReLU,
                                    EnumName::LeakyReLU>;
using FanModeType = EnumOption<EnumName::FanIn, EnumName::FanOut>;

// The recommended gain for a nonlinearity: 1 (linear, conv, sigmoid), 5/3 (tanh), sqrt(2) (relu),
// sqrt(2 / (1 + param^2)) (leaky_relu, param = its negative slope).
double calculate_gain(NonlinearityType nonlinearity, double param = 0.01);

Tensor uniform_(const Tensor& t, double low = 0, double high = 1);
Tensor normal_(const Tensor& t, double mean = 0, double std = 1);
Tensor constant_(const Tensor& t, const Scalar& value);
Tensor zeros_(const Tensor& t);
Tensor ones_(const Tensor& t);
// The identity matrix (2-D tensors).
Tensor eye_(const Tensor& matrix);
// The identity convolution (3-5-D tensors): the centre tap of channel d of output d is 1, in
// each of `groups` groups.
Tensor dirac_(const Tensor& t, int64_t groups = 1);
// A (semi-)orthogonal matrix from the QR decomposition of a normal matrix, scaled by gain;
// tensors of more than 2 dims are flattened to [size(0), rest].
Tensor orthogonal_(const Tensor& t, double gain = 1);
// N(0, std) with a fraction `sparsity` of each column set to zero (2-D tensors).
Tensor sparse_(const Tensor& t, double sparsity, double std = 0.01);
Tensor xavier_uniform_(const Tensor& t, double gain = 1);
Tensor xavier_normal_(const Tensor& t, double gain = 1);
// libtorch's default for Linear and Conv weights is kaiming_uniform_(a = sqrt(5)).
Tensor kaiming_uniform_(const Tensor& t, double a = 0, FanModeType mode = kFanIn,
                        NonlinearityType nonlinearity = kLeakyReLU);
Tensor kaiming_normal_(const Tensor& t, double a = 0, FanModeType mode = kFanIn,
                       NonlinearityType nonlinearity = kLeakyReLU);

// (fan_in, fan_out) of a weight tensor: size(1) and size(0) times the receptive field.
std::pair<int64_t, int64_t> fan_in_out(const Tensor& t);
std::tuple<int64_t, int64_t> _calculate_fan_in_and_fan_out(const Tensor& t);

}  // namespace ember::nn::init
