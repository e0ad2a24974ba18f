// Issue 11's activations, losses and math ops as libtorch code spells them, through
// <ember/torch.h> only: the names, options objects and tags must resolve as in libtorch.
#include <ember/torch.h>
#include <gtest/gtest.h>

#include <sstream>

namespace F = torch::nn::functional;

TEST(CompatActivations, FunctionalOptionsAndModules) {
  torch::Tensor x = torch::tensor({-2.0, -0.5, 0.0, 1.5});
  torch::Tensor y = F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.2));
  EXPECT_FLOAT_EQ(y[0].item<float>(), -0.4f);
  EXPECT_FLOAT_EQ(F::elu(x, F::ELUFuncOptions().alpha(1.0))[3].item<float>(), 1.5f);
  EXPECT_FLOAT_EQ(F::hardtanh(x, F::HardtanhFuncOptions().min_val(-1).max_val(1))[0].item<float>(), -1.0f);
  EXPECT_FLOAT_EQ(F::threshold(x, F::ThresholdFuncOptions(0.0, 5.0))[1].item<float>(), 5.0f);
  EXPECT_FLOAT_EQ(F::softshrink(x, F::SoftshrinkFuncOptions(0.5))[0].item<float>(), -1.5f);
  torch::nn::Sequential net(torch::nn::Linear(4, 3), torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.1)),
                            torch::nn::SiLU(), torch::nn::PReLU(), torch::nn::Hardswish());
  EXPECT_EQ(net->forward(torch::randn({2, 4})).sizes(), torch::IntArrayRef({2, 3}));
  std::ostringstream os;
  torch::nn::LeakyReLU()->pretty_print(os);
  EXPECT_EQ(os.str(), "torch::nn::LeakyReLU(negative_slope=0.01)");
  EXPECT_TRUE(torch::silu(x).allclose(x * torch::sigmoid(x)));
  EXPECT_TRUE(torch::isfinite(x).all().item<bool>());
  EXPECT_TRUE(torch::lerp(x, x * 3, 0.5).allclose(x * 2));
  EXPECT_TRUE(torch::nan_to_num(x.log()).isfinite().all().item<bool>());
}

TEST(CompatLosses, OptionsAndTags) {
  torch::Tensor x = torch::randn({4, 5}), t = torch::rand({4, 5});
  torch::Tensor a = F::binary_cross_entropy_with_logits(x, t, F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kSum));
  EXPECT_EQ(a.dim(), 0);
  torch::Tensor k = F::kl_div(F::log_softmax(x, 1), F::softmax(t, 1), F::KLDivFuncOptions(torch::kBatchMean));
  EXPECT_GE(k.item<double>(), -1e-6);
  torch::nn::HuberLoss huber(torch::nn::HuberLossOptions().delta(0.5));
  torch::nn::CrossEntropyLoss ce(torch::nn::CrossEntropyLossOptions().label_smoothing(0.1));
  EXPECT_EQ(huber(x, t).dim(), 0);
  EXPECT_EQ(ce(x, F::softmax(t, 1)).dim(), 0);  // class-probability targets
  EXPECT_EQ(F::one_hot(torch::tensor({0, 2}, torch::kLong), 3).sizes(), torch::IntArrayRef({2, 3}));
  EXPECT_EQ(F::cosine_similarity(x, t, F::CosineSimilarityFuncOptions().dim(1)).sizes(), torch::IntArrayRef({4}));
}
