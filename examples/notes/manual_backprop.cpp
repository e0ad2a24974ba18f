// The notes' two-layer network with hand-written gradients: mm, clamp(min=0), t(), clone,
// mask assignment, pow(2).sum() and an in-place SGD update.
#include "programs.h"

namespace ember::examples {

std::vector<double> manual_backprop(const RunOptions& o) {
  const int64_t N = 64, D_in = 1000, H = 100, D_out = 10;
  const double learning_rate = 1e-6;
  manual_seed(o.seed);
  auto opts = TensorOptions().dtype(kFloat32).device(o.device);
  Tensor x = randn({N, D_in}, opts), y = randn({N, D_out}, opts);
  Tensor w1 = randn({D_in, H}, opts), w2 = randn({H, D_out}, opts);

  std::vector<double> losses;
  for (int t = 0; t < o.steps; ++t) {
    Tensor h = x.mm(w1);
    Tensor h_relu = h.clamp(0);
    Tensor y_pred = h_relu.mm(w2);
    double loss = (y_pred - y).pow(2).sum().item<double>();
    losses.push_back(loss);
    if (o.log && o.log_every > 0 && t % o.log_every == o.log_every - 1) o.log(t, loss);

    Tensor grad_y_pred = 2.0 * (y_pred - y);
    Tensor grad_w2 = h_relu.t().mm(grad_y_pred);
    Tensor grad_h_relu = grad_y_pred.mm(w2.t());
    Tensor grad_h = grad_h_relu.clone();
    grad_h.index_put_({h < 0}, 0);
    Tensor grad_w1 = x.t().mm(grad_h);

    w1 -= learning_rate * grad_w1;
    w2 -= learning_rate * grad_w2;
  }
  return losses;
}

}  // namespace ember::examples
