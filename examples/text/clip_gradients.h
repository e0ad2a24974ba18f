#pragma once
// Gradient clipping for training steps that may run under ember::compile: the norm stays on
// the device (clip_grad_norm_ reads it on the host, which a compiled step cannot do).
#include <ember/ember.h>

#include <vector>

namespace ember::examples {

// Scales the gradients of `params` to a joint 2-norm of at most max_norm (none when
// max_norm <= 0); returns the norm before clipping, a 0-dim tensor on the device.
inline Tensor clip_gradients(const std::vector<Tensor>& params, double max_norm) {
  std::vector<Tensor> grads;
  for (const Tensor& p : params) grads.push_back(p.grad());
  Tensor norm = nn::utils::get_total_norm(grads);
  if (max_norm > 0) nn::utils::clip_grads_with_norm_(params, max_norm, norm);
  return norm;
}

}  // namespace ember::examples
