#pragma once
// nn::init: in-place initialisers, without autograd history (as libtorch's).
#include "ember/tensor.h"

namespace ember::nn::init {

Tensor uniform_(const Tensor& t, double a = 0, double b = 1);
Tensor normal_(const Tensor& t, double mean = 0, double std = 1);
Tensor constant_(const Tensor& t, const Scalar& v);
Tensor zeros_(const Tensor& t);
Tensor ones_(const Tensor& t);
// libtorch's default for Linear weights: kaiming_uniform_(a = sqrt(5)), fan_in mode.
Tensor kaiming_uniform_(const Tensor& t, double a = 0);
Tensor xavier_uniform_(const Tensor& t, double gain = 1);
// (fan_in, fan_out) of a weight tensor.
std::pair<int64_t, int64_t> fan_in_out(const Tensor& t);

}  // namespace ember::nn::init
