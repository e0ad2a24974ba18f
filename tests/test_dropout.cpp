// Dropout layers: scaling, masks reproducible across devices and eager/compiled, errors.
#include "test_util.h"

using namespace ember;
using namespace ember::testing;
namespace F = ember::nn::functional;

TEST(Dropout, KeepsAboutOneMinusPAndScales) {
  manual_seed(11);
  Tensor x = ones({100000});
  Tensor y = F::dropout(x, F::DropoutFuncOptions().p(0.3));
  Tensor kept = y.ne(0);
  double frac = kept.to(kFloat64).mean().item<double>();
  EXPECT_NEAR(frac, 0.7, 0.01);
  // Kept elements are scaled by 1 / (1 - p).
  EXPECT_TRUE(y.masked_select(kept).allclose(full({kept.sum().item<int64_t>()}, 1 / 0.7f), 1e-6, 1e-6));
  EXPECT_TRUE(F::dropout(x, F::DropoutFuncOptions().p(0.3).training(false)).equal(x));
  EXPECT_TRUE(F::dropout(x, F::DropoutFuncOptions().p(1.0)).equal(zeros({100000})));
}

TEST(Dropout, ModuleFollowsTrainEvalAndGradientUsesTheMask) {
  nn::Dropout d(0.5);
  Tensor x = ones({1000}, TensorOptions().requires_grad(true));
  Tensor y = d->forward(x);
  y.sum().backward();
  EXPECT_TRUE(x.grad().equal(y.detach()));
  d->eval();
  EXPECT_TRUE(d->forward(x).equal(x));
}

TEST(Dropout, SameSeedSameMaskEagerAndCompiled) {
  Tensor x = randn({64, 32});
  auto fn = [](const Tensor& in) { return F::dropout(in, F::DropoutFuncOptions().p(0.4)) * 2; };
  manual_seed(5);
  Tensor eager = fn(x);
  auto compiled = compile(fn);
  manual_seed(5);
  Tensor c1 = compiled(x);
  EXPECT_TRUE(eager.equal(c1));
  // A second call draws a fresh mask, in both modes alike.
  Tensor eager2 = fn(x);
  manual_seed(5);
  fn(x);
  Tensor c2 = compiled(x);
  EXPECT_FALSE(c2.equal(c1));
  EXPECT_TRUE(c2.equal(eager2));
}

TEST(Dropout, Dropout2dDropsWholeChannels) {
  manual_seed(12);
  Tensor x = ones({8, 16, 5, 5});
  Tensor y = F::dropout2d(x, F::Dropout2dFuncOptions().p(0.5));
  Tensor per_channel = y.amax({2, 3});
  Tensor min_per_channel = y.amin({2, 3});
  EXPECT_TRUE(per_channel.equal(min_per_channel));  // all or nothing
  EXPECT_EQ(F::dropout2d(ones({16, 5, 5}), F::Dropout2dFuncOptions().p(0.5)).sizes(), IntArrayRef({16, 5, 5}));
  EXPECT_EMBER_ERROR(F::dropout2d(ones({5, 5})), "dropout2d: Expected 3D or 4D input, but received a 2D input");
}

TEST(Dropout, AlphaDropoutKeepsMeanAndVariance) {
  manual_seed(13);
  Tensor x = randn({200000}, TensorOptions().dtype(kFloat64));
  Tensor y = F::alpha_dropout(x, F::AlphaDropoutFuncOptions().p(0.2).training(true));
  EXPECT_NEAR(y.mean().item<double>(), 0.0, 0.02);
  EXPECT_NEAR(y.var().item<double>(), 1.0, 0.03);
  // Dropped units all take one value: a * -alpha + b.
  constexpr double alpha = 1.7580993408473766, p = 0.2;
  double a = 1 / std::sqrt((alpha * alpha * p + 1) * (1 - p));
  double dropped = a * 0 + (0 - 1) * alpha * a + alpha * a * p;
  Tensor is_dropped = (y - dropped).abs().lt(1e-12);
  EXPECT_NEAR(is_dropped.to(kFloat64).mean().item<double>(), 0.2, 0.01);
  nn::FeatureAlphaDropout fad(0.2);
  EXPECT_EQ(fad->forward(randn({4, 3, 2})).sizes(), IntArrayRef({4, 3, 2}));
}

TEST(Dropout, BadProbability) {
  EXPECT_EMBER_ERROR(nn::Dropout(1.5), "dropout probability has to be between 0 and 1, but got 1.5");
  EXPECT_EMBER_ERROR(F::dropout(ones({3}), F::DropoutFuncOptions().p(-0.1)), "between 0 and 1, but got -0.1");
}

TEST(Dropout, SameMaskOnCpuAndCuda) {
  EMBER_REQUIRE_CUDA();
  Tensor x = ones({4096});
  manual_seed(21);
  Tensor c = F::dropout(x, F::DropoutFuncOptions().p(0.5));
  manual_seed(21);
  Tensor g = F::dropout(x.to(Device(kCUDA)), F::DropoutFuncOptions().p(0.5));
  EXPECT_TRUE(c.equal(g.to(Device(kCPU))));
}

TEST(ShapeLayers, FlattenUnflattenIdentity) {
  Tensor x = randn({2, 3, 4, 5});
  EXPECT_EQ(nn::Flatten()->forward(x).sizes(), IntArrayRef({2, 60}));
  EXPECT_EQ(nn::Flatten(nn::FlattenOptions().start_dim(0).end_dim(1))->forward(x).sizes(), IntArrayRef({6, 4, 5}));
  EXPECT_EQ(nn::Unflatten(1, std::vector<int64_t>{3, 1})->forward(randn({2, 3})).sizes(), IntArrayRef({2, 3, 1}));
  EXPECT_EQ(nn::Unflatten(-1, std::vector<int64_t>{2, -1})->forward(randn({2, 6})).sizes(), IntArrayRef({2, 2, 3}));
  EXPECT_TRUE(nn::Identity(3, "ignored")->forward(x).is_same(x));
  std::ostringstream os;
  os << *nn::Flatten();
  EXPECT_EQ(os.str(), "torch::nn::Flatten(start_dim=1, end_dim=-1)");
}
