#include "ember/nn/init.h"

#include <cmath>

#include "ember/grad_mode.h"

namespace ember::nn::init {

Tensor uniform_(const Tensor& t, double a, double b) {
  NoGradGuard g;
  return t.uniform_(a, b);
}

Tensor normal_(const Tensor& t, double mean, double std) {
  NoGradGuard g;
  return t.normal_(mean, std);
}

Tensor constant_(const Tensor& t, const Scalar& v) {
  NoGradGuard g;
  return t.fill_(v);
}

Tensor zeros_(const Tensor& t) { return constant_(t, 0); }
Tensor ones_(const Tensor& t) { return constant_(t, 1); }

std::pair<int64_t, int64_t> fan_in_out(const Tensor& t) {
  EMBER_CHECK(t.dim() >= 2, "fan in and fan out can not be computed for a tensor with fewer than 2 "
              "dimensions (shape ", shape_str(t.sizes()), ")");
  int64_t receptive = 1;
  for (int64_t d = 2; d < t.dim(); ++d) receptive *= t.sizes()[d];
  return {t.sizes()[1] * receptive, t.sizes()[0] * receptive};
}

Tensor kaiming_uniform_(const Tensor& t, double a) {
  double gain = std::sqrt(2.0 / (1 + a * a));
  double bound = gain * std::sqrt(3.0 / static_cast<double>(fan_in_out(t).first));
  return uniform_(t, -bound, bound);
}

Tensor xavier_uniform_(const Tensor& t, double gain) {
  auto [fan_in, fan_out] = fan_in_out(t);
  double bound = gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return uniform_(t, -bound, bound);
}

}  // namespace ember::nn::init
