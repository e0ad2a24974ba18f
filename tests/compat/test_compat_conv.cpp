// A small CNN written as libtorch code, through <ember/torch.h> only: torch::nn::Conv2d,
// MaxPool2d, AdaptiveAvgPool2d, F:: forms, torch::conv2d and torch::kReflect.
#include <ember/torch.h>
#include <gtest/gtest.h>

namespace F = torch::nn::functional;

struct NetImpl : torch::nn::Module {
  NetImpl()
      : conv1(register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 4, 3).padding(1)))),
        conv2(register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(4, 8, 3).stride(2).padding_mode(torch::kReflect).padding(1)))),
        pool(register_module("pool", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)))),
        gap(register_module("gap", torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions({1, 1})))) {}
  torch::Tensor forward(torch::Tensor x) {
    x = pool->forward(torch::relu(conv1->forward(x)));
    x = torch::relu(conv2->forward(x));
    return gap->forward(x).flatten(1);
  }
  torch::nn::Conv2d conv1, conv2;
  torch::nn::MaxPool2d pool;
  torch::nn::AdaptiveAvgPool2d gap;
};
TORCH_MODULE(Net);

TEST(CompatConv, SmallCnnTrainsOneStep) {
  torch::manual_seed(0);
  Net net;
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.1));
  torch::Tensor x = torch::randn({4, 1, 12, 12});
  torch::Tensor y = net->forward(x);
  ASSERT_EQ(y.sizes(), torch::IntArrayRef({4, 8}));
  torch::Tensor loss = y.pow(2).mean();
  opt.zero_grad();
  loss.backward();
  ASSERT_TRUE(net->conv1->weight.grad().defined());
  opt.step();
  EXPECT_LT(net->forward(x).pow(2).mean().item<double>(), loss.item<double>());
}

TEST(CompatConv, FunctionalAndFreeForms) {
  torch::Tensor x = torch::randn({1, 2, 6, 6}), w = torch::randn({3, 2, 3, 3});
  torch::Tensor a = torch::conv2d(x, w, {}, 1, 1);
  torch::Tensor b = F::conv2d(x, w, F::Conv2dFuncOptions().padding(1));
  EXPECT_TRUE(torch::allclose(a, b));
  EXPECT_EQ(F::max_pool2d(a, F::MaxPool2dFuncOptions(2)).sizes(), torch::IntArrayRef({1, 3, 3, 3}));
  EXPECT_EQ(F::avg_pool2d(a, F::AvgPool2dFuncOptions(3).stride(1)).sizes(), torch::IntArrayRef({1, 3, 4, 4}));
  EXPECT_EQ(F::pad(x, F::PadFuncOptions({1, 1, 2, 2}).mode(torch::kReflect)).sizes(),
            torch::IntArrayRef({1, 2, 10, 8}));
}
