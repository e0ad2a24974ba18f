#include "ember/autograd/gradcheck.h"

#include <cmath>

#include "ember/functional.h"
#include "ember/autograd/engine.h"
#include "ember/grad_mode.h"

namespace ember::autograd {

namespace {
std::vector<double> flat_values(const Tensor& t) {
  Tensor h = t.detach().to(Device(kCPU)).to(kFloat64).contiguous();
  const double* p = h.data_ptr<double>();
  return std::vector<double>(p, p + h.numel());
}
}  // namespace

void gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
               const std::vector<Tensor>& inputs, const GradcheckOptions& o) {
  std::vector<size_t> checked;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].defined() && inputs[i].requires_grad()) {
      EMBER_CHECK(inputs[i].dtype() == kFloat64, "gradcheck: input ", i,
                  " must be float64 for finite differences to be meaningful (got ",
                  dtype_name(inputs[i].dtype()), ")");
      checked.push_back(i);
    }
  EMBER_CHECK(!checked.empty(), "gradcheck: no input requires grad");

  Tensor y = fn(inputs);
  int64_t ny = y.numel();
  // Numerical Jacobian columns, one per input element.
  std::vector<std::vector<std::vector<double>>> numeric(inputs.size());
  for (size_t i : checked) {
    Tensor flat = inputs[i].detach().view({-1});
    for (int64_t k = 0; k < flat.numel(); ++k) {
      NoGradGuard g;
      double orig = flat[k].item<double>();
      flat[k].fill_(orig + o.eps);
      auto plus = flat_values(fn(inputs));
      flat[k].fill_(orig - o.eps);
      auto minus = flat_values(fn(inputs));
      flat[k].fill_(orig);
      std::vector<double> col(ny);
      for (int64_t j = 0; j < ny; ++j) col[j] = (plus[j] - minus[j]) / (2 * o.eps);
      numeric[i].push_back(std::move(col));
    }
  }
  // Analytical Jacobian rows, one backward pass per output element.
  y = fn(inputs);
  EMBER_CHECK(y.requires_grad(), "gradcheck: the output does not require grad");
  std::vector<Tensor> wrt;
  for (size_t i : checked) wrt.push_back(inputs[i]);
  for (int64_t j = 0; j < ny; ++j) {
    Tensor onehot = zeros_like(y).view({-1});
    onehot[j].fill_(1);
    auto grads = grad({y}, wrt, {onehot.view(y.sizes())}, true, false, true);
    for (size_t c = 0; c < checked.size(); ++c) {
      size_t i = checked[c];
      std::vector<double> a = grads[c].defined() ? flat_values(grads[c])
                                                 : std::vector<double>(inputs[i].numel(), 0.0);
      for (int64_t k = 0; k < inputs[i].numel(); ++k) {
        double n = numeric[i][k][j];
        EMBER_CHECK(std::fabs(a[k] - n) <= o.atol + o.rtol * std::fabs(n),
                    "gradcheck: Jacobian mismatch for output element ", j, " with respect to input ",
                    i, " element ", k, ": numerical ", n, ", analytical ", a[k]);
      }
    }
  }
}

}  // namespace ember::autograd
