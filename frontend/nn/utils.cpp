#include "ember/nn/utils.h"

#include <cmath>
#include <iostream>
#include <mutex>

#include "ember/functional.h"
#include "ember/grad_mode.h"
#include "frontend/compile/tracer.h"

namespace ember::nn::utils {

namespace {

std::vector<Tensor> defined_grads(const std::vector<Tensor>& parameters) {
  std::vector<Tensor> grads;
  for (const auto& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  return grads;
}

}  // namespace

Tensor get_total_norm(const std::vector<Tensor>& tensors, double norm_type, bool error_if_nonfinite) {
  NoGradGuard guard;
  bool inf = std::isinf(norm_type);
  std::vector<Tensor> norms;
  for (const auto& t : tensors)
    if (t.defined()) norms.push_back(inf ? t.abs().max() : t.norm(norm_type));
  if (norms.empty()) return zeros({});
  Tensor total = norms.size() == 1 ? norms[0] : inf ? stack(norms).max() : stack(norms).norm(norm_type);
  if (error_if_nonfinite) {
    EMBER_CHECK(!jit::active_tracer(), "clip_grad_norm_: error_if_nonfinite=true reads the norm on the host, "
                "which a compiled function cannot do; check the returned get_total_norm() after the call instead");
    EMBER_CHECK(total.isfinite().item<bool>(), "The total norm of order ", norm_type,
                " for gradients from `parameters` is non-finite, so it cannot be clipped. To disable "
                "this error and scale the gradients by the non-finite norm anyway, set "
                "`error_if_nonfinite=false`");
  }
  return total;
}

void clip_grads_with_norm_(const std::vector<Tensor>& parameters, double max_norm, const Tensor& total_norm) {
  NoGradGuard guard;
  Tensor coef;
  bool traced = jit::active_tracer() != nullptr;
  for (const auto& p : parameters) {
    if (!p.grad().defined()) continue;
    if (!coef.defined()) coef = (max_norm / (total_norm + 1e-6)).clamp_max(1.0);
    // A traced gradient may be a view of another value, which a trace cannot update in
    // place: there the scaled gradient replaces it (the same numbers).
    if (traced) p.mutable_grad() = p.grad() * coef;
    else p.mutable_grad().mul_(coef);
  }
}

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  std::vector<Tensor> grads = defined_grads(parameters);
  if (grads.empty()) return 0.0;
  Tensor total = get_total_norm(grads, norm_type, error_if_nonfinite);
  clip_grads_with_norm_(parameters, max_norm, total);
  if (jit::active_tracer()) {
    static std::once_flag said;
    std::call_once(said, [] {
      std::cerr << "[ember] clip_grad_norm_ inside compile(): the gradients are clipped, but the norm "
                   "cannot be read on the host and is returned as NaN (return nn::utils::get_total_norm() "
                   "from the compiled function to see it)\n";
    });
    return std::numeric_limits<double>::quiet_NaN();
  }
  return total.item<double>();
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
