#pragma once
// nn::utils, as libtorch's torch::nn::utils: gradient clipping and flattening parameters.
#include <initializer_list>
#include <limits>
#include <vector>

#include "ember/tensor.h"

namespace ember::nn::utils {

// The joint norm of `tensors` (the norm of their norms) as a 0-dim tensor on their device,
// as PyTorch's torch.nn.utils.get_total_norm; norm_type may be infinity (the largest |x|).
// error_if_nonfinite reads the norm on the host, so it cannot be used inside compile().
Tensor get_total_norm(const std::vector<Tensor>& tensors, double norm_type = 2.0, bool error_if_nonfinite = false);
// Every gradient times min(1, max_norm / (total_norm + 1e-6)), on the device (no host read),
// as PyTorch's torch.nn.utils.clip_grads_with_norm_.
void clip_grads_with_norm_(const std::vector<Tensor>& parameters, double max_norm, const Tensor& total_norm);

// Scales the gradients so that their joint norm is at most max_norm; returns the norm before
// clipping (get_total_norm + clip_grads_with_norm_, then one host read). norm_type may be
// std::numeric_limits<double>::infinity() (the largest |g|). Inside compile() the gradients
// are clipped all the same but the norm cannot reach the host: it returns NaN there (and says
// so once); return get_total_norm(...) from the compiled function to see it.
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
