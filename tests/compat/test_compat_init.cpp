// torch::nn::init and libtorch's enum tokens, as libtorch code writes them.
#include <ember/torch.h>
#include <gtest/gtest.h>

#include <cmath>

namespace F = torch::nn::functional;

TEST(CompatInit, InitialisersWithLibtorchTokens) {
  torch::manual_seed(0);
  auto w = torch::empty({64, 32, 3, 3});
  torch::nn::init::kaiming_normal_(w, 0, torch::kFanOut, torch::kReLU);
  EXPECT_NEAR(w.std().item<double>(), std::sqrt(2.0 / (64 * 9)), 0.003);
  torch::nn::init::kaiming_uniform_(w, std::sqrt(5.0));
  EXPECT_LE(w.abs().max().item<double>(), 1.0 / std::sqrt(32.0 * 9));
  torch::nn::init::xavier_normal_(w, torch::nn::init::calculate_gain(torch::kTanh));
  torch::nn::init::orthogonal_(w);
  auto [fan_in, fan_out] = torch::nn::init::_calculate_fan_in_and_fan_out(w);
  EXPECT_EQ(fan_in, 288);
  EXPECT_EQ(fan_out, 576);
  auto m = torch::empty({3, 3});
  torch::nn::init::eye_(m);
  EXPECT_TRUE(m.equal(torch::eye(3)));
  EXPECT_DOUBLE_EQ(torch::nn::init::calculate_gain(torch::kLeakyReLU, 0.0), std::sqrt(2.0));
}

TEST(CompatInit, TokensShareNamesAcrossOptions) {
  auto x = torch::ones({2, 3}), y = torch::zeros({2, 3});
  EXPECT_FLOAT_EQ(F::mse_loss(x, y, torch::kSum).item<float>(), 6.0f);  // a token where options are expected
  auto logp = torch::log_softmax(torch::randn({4, 5}), 1), q = torch::softmax(torch::randn({4, 5}), 1);
  auto batchmean = F::kl_div(logp, q, F::KLDivFuncOptions().reduction(torch::kBatchMean));
  auto sum = F::kl_div(logp, q, F::KLDivFuncOptions().reduction(torch::kSum));
  EXPECT_NEAR(batchmean.item<double>(), sum.item<double>() / 4, 1e-6);
  auto img = torch::randn({1, 1, 4, 4});
  auto up = F::interpolate(img, F::InterpolateFuncOptions().size(std::vector<int64_t>{8, 8}).mode(torch::kBilinear)
                                    .align_corners(false));
  EXPECT_EQ(up.sizes(), (std::vector<int64_t>{1, 1, 8, 8}));
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(1, 2, 3).padding(torch::kSame).padding_mode(torch::kCircular));
  EXPECT_EQ(conv->forward(img).sizes(), (std::vector<int64_t>{1, 2, 4, 4}));
}
