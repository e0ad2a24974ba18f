#include "ember/nn/utils.h"

#include <cmath>

#include "ember/functional.h"
#include "ember/grad_mode.h"

namespace ember::nn::utils {

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  NoGradGuard guard;
  std::vector<Tensor> grads;
  for (const auto& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return 0.0;
  double total = 0;
  if (std::isinf(norm_type)) {
    for (const auto& g : grads) total = std::max(total, g.abs().max().to(kFloat64).item<double>());
  } else {
    for (const auto& g : grads) total += g.to(kFloat64).abs().pow(norm_type).sum().item<double>();
    total = std::pow(total, 1.0 / norm_type);
  }
  EMBER_CHECK(!error_if_nonfinite || std::isfinite(total), "The total norm of order ", norm_type,
              " for gradients from `parameters` is non-finite, so it cannot be clipped. To disable "
              "this error and scale the gradients by the non-finite norm anyway, set "
              "`error_if_nonfinite=false`");
  double coef = std::min(max_norm / (total + 1e-6), 1.0);
  for (const auto& p : parameters)
    if (p.grad().defined()) p.mutable_grad().mul_(coef);
  return total;
}

double clip_grad_norm_(std::initializer_list<Tensor> parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  return clip_grad_norm_(std::vector<Tensor>(parameters), max_norm, norm_type, error_if_nonfinite);
}

double clip_grad_norm_(Tensor parameter, double max_norm, double norm_type, bool error_if_nonfinite) {
  return clip_grad_norm_(std::vector<Tensor>{std::move(parameter)}, max_norm, norm_type, error_if_nonfinite);
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  NoGradGuard guard;
  for (const auto& p : parameters) {
    if (!p.grad().defined()) continue;
    Tensor& g = p.mutable_grad();
    g.copy_(g.clamp(-clip_value, clip_value));
  }
}

void clip_grad_value_(std::initializer_list<Tensor> parameters, double clip_value) {
  clip_grad_value_(std::vector<Tensor>(parameters), clip_value);
}

void clip_grad_value_(Tensor parameter, double clip_value) {
  clip_grad_value_(std::vector<Tensor>{std::move(parameter)}, clip_value);
}

Tensor parameters_to_vector(const std::vector<Tensor>& parameters) {
  std::vector<Tensor> flat;
  std::optional<Device> device;
  for (const auto& p : parameters) {
    EMBER_CHECK(!device || p.device() == *device, "Found two parameters on different devices, this is "
                "currently not supported.");
    device = p.device();
    flat.push_back(p.reshape({-1}));
  }
  return cat(flat);
}

void vector_to_parameters(const Tensor& vec, const std::vector<Tensor>& parameters) {
  int64_t total = 0;
  for (const auto& p : parameters) total += p.numel();
  EMBER_CHECK(vec.dim() == 1 && vec.numel() == total, "vector_to_parameters: expected a 1-D tensor of ",
              total, " elements, got shape ", shape_str(vec.sizes()));
  int64_t offset = 0;
  for (const auto& p : parameters) {
    int64_t n = p.numel();
    p.set_data(vec.narrow(0, offset, n).view_as(p).detach());
    offset += n;
  }
}

}  // namespace ember::nn::utils
