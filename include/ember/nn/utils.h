#pragma once
// nn::utils, as libtorch's torch::nn::utils: gradient clipping and flattening parameters.
#include <initializer_list>
#include <limits>
#include <vector>

#include "ember/tensor.h"

namespace ember::nn::utils {

// Scales the gradients so that their joint norm is at most max_norm; returns the norm before
// clipping. norm_type may be std::numeric_limits<double>::infinity() (the largest |g|).
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);
double clip_grad_norm_(std::initializer_list<Tensor> parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);
double clip_grad_norm_(Tensor parameter, double max_norm, double norm_type = 2.0, bool error_if_nonfinite = false);

// Clamps every gradient to [-clip_value, clip_value] in place.
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);
void clip_grad_value_(std::initializer_list<Tensor> parameters, double clip_value);
void clip_grad_value_(Tensor parameter, double clip_value);

// The parameters flattened and concatenated into one 1-D tensor, and back.
Tensor parameters_to_vector(const std::vector<Tensor>& parameters);
void vector_to_parameters(const Tensor& vec, const std::vector<Tensor>& parameters);

}  // namespace ember::nn::utils
