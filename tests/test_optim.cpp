// Optimizers against reference implementations of PyTorch's update rules.
#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {

// A few steps of a deterministic problem: loss = sum(p * c) + sum(p^2)/2 -> grad = c + p.
struct Problem {
  std::vector<double> p0{0.5, -1.0, 2.0, 0.25}, c{0.1, -0.3, 0.7, 1.5};
  std::vector<double> grad(const std::vector<double>& p) const {
    std::vector<double> g(p.size());
    for (size_t i = 0; i < p.size(); ++i) g[i] = c[i] + p[i];
    return g;
  }
  void backward(const Tensor& p) const {
    Tensor ct = tensor(TensorData(c), TensorOptions().dtype(p.dtype()).device(p.device()));
    ((p * ct).sum() + p.pow(2).sum() / 2).backward();
  }
};

std::vector<double> ref_sgd(const Problem& pr, int steps, double lr, double mom, double damp,
                            double wd, bool nesterov) {
  std::vector<double> p = pr.p0, buf(p.size());
  for (int s = 0; s < steps; ++s) {
    auto g = pr.grad(p);
    for (size_t i = 0; i < p.size(); ++i) {
      double d = g[i] + wd * p[i];
      if (mom != 0) {
        buf[i] = s == 0 ? d : mom * buf[i] + (1 - damp) * d;
        d = nesterov ? d + mom * buf[i] : buf[i];
      }
      p[i] -= lr * d;
    }
  }
  return p;
}

std::vector<double> ref_adam(const Problem& pr, int steps, double lr, double b1, double b2,
                             double eps, double wd, bool amsgrad, bool decoupled) {
  std::vector<double> p = pr.p0, m(p.size()), v(p.size()), vmax(p.size());
  for (int s = 1; s <= steps; ++s) {
    auto g = pr.grad(p);
    for (size_t i = 0; i < p.size(); ++i) {
      double gi = g[i];
      if (wd != 0) {
        if (decoupled) p[i] *= 1 - lr * wd;
        else gi += wd * p[i];
      }
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      vmax[i] = std::max(vmax[i], v[i]);
      double vv = amsgrad ? vmax[i] : v[i];
      double denom = std::sqrt(vv) / std::sqrt(1 - std::pow(b2, s)) + eps;
      p[i] -= lr / (1 - std::pow(b1, s)) * m[i] / denom;
    }
  }
  return p;
}

template <class Opt, class Options>
Tensor run(const Problem& pr, int steps, Options o, Device d = Device(kCPU), ScalarType dt = kFloat64) {
  Tensor p = tensor(TensorData(pr.p0), TensorOptions().dtype(dt).device(d).requires_grad(true));
  Opt opt({p}, o);
  for (int s = 0; s < steps; ++s) {
    opt.zero_grad();
    pr.backward(p);
    opt.step();
  }
  return p;
}

Tensor t64(const std::vector<double>& v) { return tensor(TensorData(v), kFloat64); }

}  // namespace

TEST(Optim, SgdVariants) {
  Problem pr;
  using optim::SGD;
  using optim::SGDOptions;
  EXPECT_TRUE(close(run<SGD>(pr, 5, SGDOptions(0.1)), t64(ref_sgd(pr, 5, 0.1, 0, 0, 0, false)), 1e-12));
  EXPECT_TRUE(close(run<SGD>(pr, 5, SGDOptions(0.1).momentum(0.9)), t64(ref_sgd(pr, 5, 0.1, 0.9, 0, 0, false)), 1e-12));
  EXPECT_TRUE(close(run<SGD>(pr, 5, SGDOptions(0.1).momentum(0.9).dampening(0.3).weight_decay(0.01)),
                    t64(ref_sgd(pr, 5, 0.1, 0.9, 0.3, 0.01, false)), 1e-12));
  EXPECT_TRUE(close(run<SGD>(pr, 5, SGDOptions(0.05).momentum(0.8).nesterov(true)),
                    t64(ref_sgd(pr, 5, 0.05, 0.8, 0, 0, true)), 1e-12));
  EXPECT_TRUE(close(run<SGD>(pr, 5, SGDOptions(0.1).momentum(0.9), Device(kCPU), kFloat32),
                    t64(ref_sgd(pr, 5, 0.1, 0.9, 0, 0, false)), 1e-5));
}

TEST(Optim, AdamVariants) {
  Problem pr;
  using optim::Adam;
  using optim::AdamOptions;
  EXPECT_TRUE(close(run<Adam>(pr, 6, AdamOptions(0.1)), t64(ref_adam(pr, 6, 0.1, 0.9, 0.999, 1e-8, 0, false, false)), 1e-12));
  EXPECT_TRUE(close(run<Adam>(pr, 6, AdamOptions(0.05).betas({0.8, 0.99}).eps(1e-6).weight_decay(0.1)),
                    t64(ref_adam(pr, 6, 0.05, 0.8, 0.99, 1e-6, 0.1, false, false)), 1e-12));
  EXPECT_TRUE(close(run<Adam>(pr, 6, AdamOptions(0.1).amsgrad(true)),
                    t64(ref_adam(pr, 6, 0.1, 0.9, 0.999, 1e-8, 0, true, false)), 1e-12));
  EXPECT_TRUE(close(run<optim::AdamW>(pr, 6, optim::AdamWOptions(0.1)),
                    t64(ref_adam(pr, 6, 0.1, 0.9, 0.999, 1e-8, 1e-2, false, true)), 1e-12));
  EXPECT_TRUE(close(run<Adam>(pr, 6, AdamOptions(0.1), Device(kCPU), kFloat32),
                    t64(ref_adam(pr, 6, 0.1, 0.9, 0.999, 1e-8, 0, false, false)), 1e-5));
}

TEST(Optim, OnCuda) {
  EMBER_REQUIRE_CUDA();
  Problem pr;
  EXPECT_TRUE(close(run<optim::SGD>(pr, 5, optim::SGDOptions(0.1).momentum(0.9), Device(kCUDA)),
                    t64(ref_sgd(pr, 5, 0.1, 0.9, 0, 0, false)), 1e-12));
  EXPECT_TRUE(close(run<optim::Adam>(pr, 6, optim::AdamOptions(0.1).amsgrad(true), Device(kCUDA)),
                    t64(ref_adam(pr, 6, 0.1, 0.9, 0.999, 1e-8, 0, true, false)), 1e-12));
}

TEST(Optim, ParametersWithoutGradAreSkippedAndZeroGradResets) {
  Tensor a = ones({2}, TensorOptions().requires_grad(true)), b = ones({2}, TensorOptions().requires_grad(true));
  optim::SGD opt({a, b}, optim::SGDOptions(0.5));
  (a * 2).sum().backward();
  opt.step();
  EXPECT_TRUE(close(a, full({2}, 0.0)));
  EXPECT_TRUE(close(b, full({2}, 1.0)));
  opt.zero_grad();
  EXPECT_FALSE(a.grad().defined());
  (a * 2).sum().backward();
  opt.zero_grad(false);
  EXPECT_TRUE(a.grad().defined());
  EXPECT_EQ(a.grad().abs().sum().item<float>(), 0.0f);
}

TEST(Optim, BadOptions) {
  Tensor a = ones({2}, TensorOptions().requires_grad(true));
  EXPECT_EMBER_ERROR(optim::SGD({a}, optim::SGDOptions(-1)), "learning rate");
  EXPECT_EMBER_ERROR(optim::SGD({a}, optim::SGDOptions(0.1).nesterov(true)), "Nesterov");
  EXPECT_EMBER_ERROR(optim::Adam({a}, optim::AdamOptions(0.1).betas({1.0, 0.9})), "beta");
  EXPECT_EMBER_ERROR(optim::SGD({a * 2}, optim::SGDOptions(0.1)), "non-leaf");
  EXPECT_EMBER_ERROR(optim::SGD(std::vector<Tensor>{}, optim::SGDOptions(0.1)), "empty");
}
