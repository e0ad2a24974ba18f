// libtorch-style code compiled through <ember/torch.h> only.
#include <ember/torch.h>
#include <gtest/gtest.h>

TEST(CompatBasics, NamespacesReachEmber) {
  torch::Tensor x = torch::ones({2, 3});
  at::Tensor y = x * 2;
  EXPECT_EQ(y.sum().item<float>(), 12.0f);
  auto f = torch::nn::functional::relu(x - 2);
  EXPECT_EQ(f.sum().item<float>(), 0.0f);
  EXPECT_THROW(TORCH_CHECK(false, "boom ", 1), c10::Error);
}
