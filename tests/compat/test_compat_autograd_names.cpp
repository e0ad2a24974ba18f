// grad_fn names and next_functions() as libtorch 2.x reports them.
#include <ember/torch.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace F = torch::nn::functional;
using torch::indexing::Slice;

TEST(CompatAutogradNames, GradFnNamesMatchLibtorch) {
  auto x = torch::randn({3, 4}, torch::requires_grad());
  auto y = torch::randn({3, 4}, torch::requires_grad());
  auto m = torch::randn({4, 5}, torch::requires_grad());
  auto b = torch::randn({5}, torch::requires_grad());
  auto pos = torch::rand({3, 4}).add(0.5).requires_grad_();
  auto target = torch::tensor({0, 2, 1}, torch::kInt64);
  std::vector<std::pair<std::function<torch::Tensor()>, std::string>> cases = {
      {[&] { return x * y; }, "MulBackward0"},
      {[&] { return x * 2; }, "MulBackward1"},
      {[&] { return x + y; }, "AddBackward0"},
      {[&] { return x + 1; }, "AddBackward1"},
      {[&] { return x - y; }, "SubBackward0"},
      {[&] { return x - 1; }, "SubBackward1"},
      {[&] { return x / y; }, "DivBackward0"},
      {[&] { return x / 2; }, "DivBackward1"},
      {[&] { return -x; }, "NegBackward0"},
      {[&] { return x.pow(2); }, "PowBackward0"},
      {[&] { return pos.pow(y); }, "PowBackward1"},
      {[&] { return torch::addmm(b, x, m); }, "AddmmBackward0"},
      {[&] { return x.mm(m); }, "MmBackward0"},
      {[&] { return x.sum(); }, "SumBackward0"},
      {[&] { return x.sum({1}); }, "SumBackward1"},
      {[&] { return x.mean(); }, "MeanBackward0"},
      {[&] { return x.mean({0}, true); }, "MeanBackward1"},
      {[&] { return x.max(); }, "MaxBackward1"},
      {[&] { return std::get<0>(x.max(1)); }, "MaxBackward0"},
      {[&] { return x.amax({1}); }, "AmaxBackward0"},
      {[&] { return x.view({12}); }, "ViewBackward0"},
      {[&] { return x.reshape({4, 3}); }, "ViewBackward0"},
      {[&] { return x.permute({1, 0}); }, "PermuteBackward0"},
      {[&] { return x.t(); }, "TBackward0"},
      {[&] { return x.transpose(0, 1); }, "TransposeBackward0"},
      {[&] { return x.unsqueeze(0); }, "UnsqueezeBackward0"},
      {[&] { return x.unsqueeze(0).squeeze(); }, "SqueezeBackward0"},
      {[&] { return x.unsqueeze(0).squeeze(0); }, "SqueezeBackward1"},
      {[&] { return x.expand({2, 3, 4}); }, "ExpandBackward0"},
      {[&] { return x.select(0, 1); }, "SelectBackward0"},
      {[&] { return x.slice(1, 0, 2); }, "SliceBackward0"},
      {[&] { return x.narrow(1, 1, 2); }, "SliceBackward0"},
      {[&] { return x.index({Slice(), 0}); }, "SelectBackward0"},
      {[&] { return x.index({torch::tensor({0, 2})}); }, "IndexBackward0"},
      {[&] { return x.index({x > 0}); }, "IndexBackward0"},
      {[&] { return torch::cat({x, y}); }, "CatBackward0"},
      {[&] { return x.relu(); }, "ReluBackward0"},
      {[&] { return x.sigmoid(); }, "SigmoidBackward0"},
      {[&] { return x.tanh(); }, "TanhBackward0"},
      {[&] { return x.exp(); }, "ExpBackward0"},
      {[&] { return pos.log(); }, "LogBackward0"},
      {[&] { return pos.sqrt(); }, "SqrtBackward0"},
      {[&] { return x.abs(); }, "AbsBackward0"},
      {[&] { return x.clone(); }, "CloneBackward0"},
      {[&] { return x.to(torch::kFloat64); }, "ToCopyBackward0"},
      {[&] { return x.clamp(-0.5, 0.5); }, "ClampBackward1"},
      {[&] { return x.clamp_min(0); }, "ClampMinBackward0"},
      {[&] { return torch::where(x > 0, x, y); }, "WhereBackward0"},
      {[&] { return x.gather(1, torch::zeros({3, 1}, torch::kInt64)); }, "GatherBackward0"},
      {[&] { return x.index_select(0, torch::tensor({1}, torch::kInt64)); }, "IndexSelectBackward0"},
      {[&] { return torch::softmax(x, 1); }, "SoftmaxBackward0"},
      {[&] { return torch::log_softmax(x, 1); }, "LogSoftmaxBackward0"},
      {[&] { return F::mse_loss(x, y); }, "MseLossBackward0"},
      {[&] { return F::nll_loss(torch::log_softmax(x, 1), target); }, "NllLossBackward0"},
      {[&] { return F::cross_entropy(x, target); }, "NllLossBackward0"},
  };
  for (auto& [make, name] : cases) {
    auto out = make();
    ASSERT_TRUE(out.grad_fn()) << name;
    EXPECT_EQ(out.grad_fn()->name(), name);
  }
}

TEST(CompatAutogradNames, InPlaceNames) {
  auto x = torch::randn({3}, torch::requires_grad());
  auto y = x.clone();
  y.mul_(2);
  EXPECT_EQ(y.grad_fn()->name(), "MulBackward1");
  y.add_(x);
  EXPECT_EQ(y.grad_fn()->name(), "AddBackward0");
  auto z = torch::zeros({3});
  z.copy_(x);
  EXPECT_EQ(z.grad_fn()->name(), "CopyBackwards");
}

TEST(CompatAutogradNames, NextFunctions) {
  auto a = torch::randn({2, 2}, torch::requires_grad());
  auto b = torch::randn({2, 2});
  auto c = torch::randn({2, 2}, torch::requires_grad());
  auto y = (a * b + c.exp()).sum();
  const auto& fn = y.grad_fn();
  EXPECT_EQ(fn->name(), "SumBackward0");
  ASSERT_EQ(fn->next_functions().size(), 1u);
  auto add = fn->next_functions()[0].function;
  EXPECT_EQ(add->name(), "AddBackward0");
  ASSERT_EQ(add->next_functions().size(), 2u);
  auto mul = add->next_functions()[0].function;
  EXPECT_EQ(mul->name(), "MulBackward0");
  EXPECT_EQ(add->next_functions()[1].function->name(), "ExpBackward0");
  // b does not require grad: its edge is empty, as in libtorch.
  ASSERT_EQ(mul->next_functions().size(), 2u);
  EXPECT_EQ(mul->next_functions()[0].function->name(), "AccumulateGrad");
  EXPECT_FALSE(mul->next_functions()[1].function);
  EXPECT_EQ(mul->next_functions()[0].input_nr, 0u);
  EXPECT_EQ(add->next_functions()[1].function->next_functions()[0].function,
            fn->next_functions()[0].function->next_functions()[1].function->next_functions()[0].function);
}
