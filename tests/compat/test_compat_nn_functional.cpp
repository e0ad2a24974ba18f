// libtorch-style functional options objects and module options through <ember/torch.h> only.
#include <ember/torch.h>
#include <gtest/gtest.h>

#include "compat_util.h"

#include <cmath>
#include <string>

namespace F = torch::nn::functional;

using compat::error_of;

namespace {
torch::Tensor scores() {
  return torch::tensor({0.2, -1.0, 0.5, 1.5, 0.3, -0.7, 0.0, 2.0, -0.4}, torch::kFloat64).view({3, 3});
}
torch::Tensor labels() { return torch::tensor({2, 0, 1}, torch::kInt64); }

// -log softmax(row)[c], computed by hand.
double nll_of(const torch::Tensor& s, int64_t row, int64_t c) {
  double m = 0;
  for (int64_t j = 0; j < s.size(1); ++j) m += std::exp(s[row][j].item<double>());
  return -(s[row][c].item<double>() - std::log(m));
}
}  // namespace

TEST(CompatFunctional, ReductionTagsOnLossOptions) {
  auto x = torch::tensor({1.0, 2.0, 4.0}), y = torch::tensor({0.0, 2.0, 1.0});
  EXPECT_FLOAT_EQ(F::mse_loss(x, y, F::MSELossFuncOptions().reduction(torch::kSum)).item<float>(), 10.0f);
  EXPECT_FLOAT_EQ(F::mse_loss(x, y).item<float>(), 10.0f / 3);
  EXPECT_EQ(F::mse_loss(x, y, F::MSELossFuncOptions().reduction(torch::kNone)).sizes()[0], 3);
  EXPECT_FLOAT_EQ(F::l1_loss(x, y, F::L1LossFuncOptions().reduction(torch::kSum)).item<float>(), 4.0f);
  EXPECT_FLOAT_EQ(F::l1_loss(x, y, F::L1LossFuncOptions(torch::kMean)).item<float>(), 4.0f / 3);
  torch::nn::MSELoss mse(torch::nn::MSELossOptions().reduction(torch::kSum));
  EXPECT_FLOAT_EQ(mse(x, y).item<float>(), 10.0f);
  EXPECT_EQ(mse->options.reduction(), torch::kSum);
}

TEST(CompatFunctional, NllLossWeightIgnoreIndexReduction) {
  auto logp = F::log_softmax(scores(), F::LogSoftmaxFuncOptions(1));
  auto w = torch::tensor({1.0, 2.0, 0.5}, torch::kFloat64);
  auto t = labels();  // classes 2, 0, 1
  double l0 = nll_of(scores(), 0, 2), l1 = nll_of(scores(), 1, 0), l2 = nll_of(scores(), 2, 1);
  EXPECT_NEAR(F::nll_loss(logp, t).item<double>(), (l0 + l1 + l2) / 3, 1e-12);
  double wsum = 0.5 * l0 + 1.0 * l1 + 2.0 * l2;
  EXPECT_NEAR(F::nll_loss(logp, t, F::NLLLossFuncOptions().weight(w)).item<double>(), wsum / 3.5, 1e-12);
  EXPECT_NEAR(F::nll_loss(logp, t, F::NLLLossFuncOptions().weight(w).reduction(torch::kSum)).item<double>(), wsum,
              1e-12);
  auto none = F::nll_loss(logp, t, F::NLLLossFuncOptions().weight(w).reduction(torch::kNone));
  EXPECT_NEAR(none[2].item<double>(), 2.0 * l2, 1e-12);
  auto ign = torch::tensor({2, -100, 1}, torch::kInt64);
  EXPECT_NEAR(F::nll_loss(logp, ign).item<double>(), (l0 + l2) / 2, 1e-12);
  auto ign1 = torch::tensor({2, 1, 1}, torch::kInt64);
  EXPECT_NEAR(F::nll_loss(logp, ign1, F::NLLLossFuncOptions().ignore_index(1)).item<double>(), l0, 1e-12);
  EXPECT_NE(error_of([&] { F::nll_loss(logp, torch::tensor({1, 2}, torch::kInt64)); }).find("to match target batch_size"),
            std::string::npos);
  torch::nn::NLLLoss mod(torch::nn::NLLLossOptions().ignore_index(-100).reduction(torch::kSum));
  EXPECT_NEAR(mod(logp, t).item<double>(), l0 + l1 + l2, 1e-12);
}

TEST(CompatFunctional, CrossEntropyOptionsAndLabelSmoothing) {
  auto s = scores();
  auto t = labels();
  double l0 = nll_of(s, 0, 2), l1 = nll_of(s, 1, 0), l2 = nll_of(s, 2, 1);
  EXPECT_NEAR(F::cross_entropy(s, t).item<double>(), (l0 + l1 + l2) / 3, 1e-12);
  // label smoothing eps over C classes: (1 - eps) * nll + eps / C * sum_c -log p_c (PyTorch).
  double eps = 0.1, smooth = 0;
  for (int64_t r = 0; r < 3; ++r)
    for (int64_t c = 0; c < 3; ++c) smooth += nll_of(s, r, c);
  double expected = (1 - eps) * (l0 + l1 + l2) / 3 + eps / 3 * smooth / 3;
  EXPECT_NEAR(F::cross_entropy(s, t, F::CrossEntropyFuncOptions().label_smoothing(eps)).item<double>(), expected, 1e-12);
  // weights + smoothing + sum
  auto w = torch::tensor({1.0, 2.0, 0.5}, torch::kFloat64);
  double wnll = 0.5 * l0 + 1.0 * l1 + 2.0 * l2, wsmooth = 0;
  double wc[3] = {1.0, 2.0, 0.5};
  for (int64_t r = 0; r < 3; ++r)
    for (int64_t c = 0; c < 3; ++c) wsmooth += wc[c] * nll_of(s, r, c);
  auto opts = F::CrossEntropyFuncOptions().weight(w).label_smoothing(eps).reduction(torch::kSum);
  EXPECT_NEAR(F::cross_entropy(s, t, opts).item<double>(), (1 - eps) * wnll + eps / 3 * wsmooth, 1e-12);
  opts.reduction(torch::kMean);
  EXPECT_NEAR(F::cross_entropy(s, t, opts).item<double>(), ((1 - eps) * wnll + eps / 3 * wsmooth) / 3.5, 1e-12);
  EXPECT_NE(error_of([&] { F::cross_entropy(s, t, F::CrossEntropyFuncOptions().label_smoothing(1.5)); })
                .find("label_smoothing must be between 0.0 and 1.0"),
            std::string::npos);
  torch::nn::CrossEntropyLoss ce(torch::nn::CrossEntropyLossOptions().label_smoothing(eps));
  EXPECT_NEAR(ce(s, t).item<double>(), expected, 1e-12);
}

TEST(CompatFunctional, WeightedLossesGradcheck) {
  auto x = scores().requires_grad_(true);
  auto w = torch::tensor({1.0, 2.0, 0.5}, torch::kFloat64);
  auto t = torch::tensor({2, -100, 1}, torch::kInt64);
  torch::autograd::gradcheck(
      [&](const std::vector<torch::Tensor>& in) {
        return F::cross_entropy(in[0], t, F::CrossEntropyFuncOptions().weight(w).label_smoothing(0.2));
      },
      {x});
  torch::autograd::gradcheck(
      [&](const std::vector<torch::Tensor>& in) {
        return F::nll_loss(F::log_softmax(in[0], 1), t, F::NLLLossFuncOptions().weight(w).reduction(torch::kSum));
      },
      {x});
  auto y = torch::randn({3, 3}, torch::kFloat64);
  torch::autograd::gradcheck(
      [&](const std::vector<torch::Tensor>& in) { return F::gelu(in[0], F::GELUFuncOptions().approximate("tanh")).sum(); },
      {y.clone().requires_grad_(true)});
}

TEST(CompatFunctional, SoftmaxReluGeluLinearOptions) {
  auto x = torch::tensor({{1.0, 2.0}, {3.0, -1.0}});
  EXPECT_TRUE(torch::allclose(F::softmax(x, F::SoftmaxFuncOptions(1)), torch::softmax(x, 1)));
  EXPECT_EQ(F::softmax(x, F::SoftmaxFuncOptions(0).dtype(torch::kFloat64)).scalar_type(), torch::kFloat64);
  EXPECT_TRUE(torch::allclose(F::log_softmax(x, 0), torch::log_softmax(x, 0)));
  auto y = x.clone();
  auto r = F::relu(y, F::ReLUFuncOptions().inplace(true));
  EXPECT_TRUE(r.is_same(y));
  EXPECT_EQ(y.min().item<float>(), 0.0f);
  EXPECT_FALSE(F::relu(x, F::ReLUFuncOptions(false)).is_same(x));
  // tanh-approximate GELU against its formula
  double v = 0.7, k = std::sqrt(2.0 / M_PI);
  double expect = 0.5 * v * (1 + std::tanh(k * (v + 0.044715 * v * v * v)));
  EXPECT_NEAR(F::gelu(torch::tensor({v}, torch::kFloat64), F::GELUFuncOptions().approximate("tanh")).item<double>(),
              expect, 1e-12);
  EXPECT_EQ(error_of([&] { F::gelu(x, F::GELUFuncOptions().approximate("x")); }),
            "approximate argument must be either none or tanh.");
  auto w = torch::randn({4, 2}), b = torch::randn({4});
  EXPECT_TRUE(torch::allclose(F::linear(x, w, b), x.matmul(w.t()) + b, 1e-5, 1e-6));
  torch::nn::Softmax sm(torch::nn::SoftmaxOptions(1));
  EXPECT_EQ(sm->options.dim(), 1);
  EXPECT_TRUE(torch::allclose(sm(x), torch::softmax(x, 1)));
}

TEST(CompatFunctional, ModuleOptionsBuilders) {
  auto o = torch::nn::LinearOptions(3, 4).bias(false);
  EXPECT_EQ(o.in_features(), 3);
  EXPECT_EQ(o.out_features(), 4);
  EXPECT_FALSE(o.bias());
  torch::nn::Linear fc(o);
  EXPECT_EQ(fc->options.out_features(), 4);
  EXPECT_FALSE(fc->options.bias());
  EXPECT_EQ(torch::nn::Linear(5, 6)->options.in_features(), 5);
  torch::nn::Softplus sp(torch::nn::SoftplusOptions().beta(2.0));
  EXPECT_EQ(sp->options.beta(), 2.0);
  EXPECT_EQ(sp->options.threshold(), 20.0);
  torch::nn::GELU g(torch::nn::GELUOptions().approximate("tanh"));
  EXPECT_EQ(g->options.approximate(), "tanh");
}

TEST(CompatFunctional, CompiledLossWithOptionsMatchesEager) {
  auto w = torch::tensor({1.0, 2.0, 0.5}, torch::kFloat64);
  auto fn = [&](const torch::Tensor& s, const torch::Tensor& t) {
    return F::cross_entropy(s, t, F::CrossEntropyFuncOptions().weight(w).label_smoothing(0.1));
  };
  auto compiled = torch::compile(fn);
  auto s = scores(), t = labels();
  EXPECT_NEAR(compiled(s, t).item<double>(), fn(s, t).item<double>(), 1e-12);
}

TEST(CompatFunctional, CudaLossesMatchCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  auto w = torch::tensor({1.0, 2.0, 0.5}, torch::kFloat64);
  auto opts = F::CrossEntropyFuncOptions().weight(w).label_smoothing(0.1).ignore_index(0);
  auto cpu = F::cross_entropy(scores(), labels(), opts);
  auto gpu = F::cross_entropy(scores().to(torch::Device(torch::kCUDA)), labels().to(torch::Device(torch::kCUDA)),
                              F::CrossEntropyFuncOptions().weight(w.to(torch::Device(torch::kCUDA))).label_smoothing(0.1).ignore_index(0));
  EXPECT_NEAR(gpu.item<double>(), cpu.item<double>(), 1e-12);
}
