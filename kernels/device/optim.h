#pragma once
// Per-element optimizer updates (libtorch's single-tensor formulas), shared by the CPU
// loop and the CUDA multi-tensor kernel. T is the compute type (float for half params).
#include "math.h"

namespace ember {
namespace dev {

struct SgdHyper {
  double lr, momentum, dampening, weight_decay;
  bool nesterov;
  bool first_step;  // the momentum buffer starts as a copy of the first gradient
};

template <class T>
EMBER_HD void sgd_update(T& p, T g, T& buf, const SgdHyper& h) {
  T d = g;
  if (h.weight_decay != 0) d = d + T(h.weight_decay) * p;
  if (h.momentum != 0) {
    buf = h.first_step ? d : T(h.momentum) * buf + T(1 - h.dampening) * d;
    d = h.nesterov ? d + T(h.momentum) * buf : buf;
  }
  p = p - T(h.lr) * d;
}

struct AdamHyper {
  double lr, beta1, beta2, eps, weight_decay;
  bool amsgrad;
  bool decoupled;  // AdamW
  double step_size;         // lr / (1 - beta1^step)
  double bias_corr2_sqrt;   // sqrt(1 - beta2^step)
};

template <class T>
EMBER_HD void adam_update(T& p, T g, T& m, T& v, T& vmax, const AdamHyper& h) {
  if (h.weight_decay != 0) {
    if (h.decoupled) p = p * T(1 - h.lr * h.weight_decay);
    else g = g + T(h.weight_decay) * p;
  }
  m = m + (g - m) * T(1 - h.beta1);
  v = v * T(h.beta2) + g * g * T(1 - h.beta2);
  T vv = v;
  if (h.amsgrad) {
    vmax = vmax > v ? vmax : v;
    vv = vmax;
  }
  T denom = math::sqrt(vv) / T(h.bias_corr2_sqrt) + T(h.eps);
  p = p - T(h.step_size) * (m / denom);
}

}  // namespace dev
}  // namespace ember
