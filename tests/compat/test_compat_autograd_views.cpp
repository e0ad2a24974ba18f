// In-place ops on views of tensors with history (libtorch's CopySlices), views made in
// no_grad mode, and the version-counter errors, written as libtorch code.
#include <ember/torch.h>
#include <gtest/gtest.h>

#include "compat_util.h"

#include <functional>
#include <string>
#include <vector>

using torch::indexing::Slice;

using compat::error_of;

namespace {

torch::Tensor rnd(std::vector<int64_t> shape, bool requires_grad = true) {
  return torch::randn(shape, torch::kFloat64).requires_grad_(requires_grad);
}

void expect_gradcheck(const std::function<torch::Tensor(const std::vector<torch::Tensor>&)>& fn,
                      const std::vector<torch::Tensor>& inputs) {
  EXPECT_NO_THROW(torch::autograd::gradcheck(fn, inputs)) << [&] {
    try {
      torch::autograd::gradcheck(fn, inputs);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string();
  }();
}

}  // namespace

TEST(CompatAutogradViews, SelectMulInPlaceHandDerived) {
  auto x = torch::ones({3, 2}, torch::kFloat64).requires_grad_();
  auto y = x.clone();
  y.select(0, 1).mul_(2);
  EXPECT_EQ(y.grad_fn()->name(), "CopySlices");
  y.sum().backward();
  auto expected = torch::tensor({1.0, 1.0, 2.0, 2.0, 1.0, 1.0}, torch::kFloat64).view({3, 2});
  EXPECT_TRUE(x.grad().allclose(expected)) << x.grad();
  EXPECT_TRUE(y.select(0, 1).allclose(torch::full({2}, 2.0, torch::kFloat64)));
}

TEST(CompatAutogradViews, NarrowCopyGivesGradientsToBaseAndSource) {
  auto x = rnd({3, 4});
  auto z = rnd({3, 2});
  auto w = rnd({3, 4}, false);
  auto y = x.clone();
  y.narrow(1, 1, 2).copy_(z);
  (y * w).sum().backward();
  auto gx = w.clone();
  gx.narrow(1, 1, 2).zero_();
  EXPECT_TRUE(x.grad().allclose(gx));
  EXPECT_TRUE(z.grad().allclose(w.narrow(1, 1, 2)));
  expect_gradcheck([&](const std::vector<torch::Tensor>& t) {
    auto b = t[0].clone();
    b.narrow(1, 1, 2).copy_(t[1]);
    return (b * b * w).sum();
  }, {x, z});
}

TEST(CompatAutogradViews, SliceWithStepAndBroadcastSource) {
  expect_gradcheck([](const std::vector<torch::Tensor>& t) {
    auto b = t[0] * 1.5;
    b.slice(0, 0, 5, 2).mul_(t[1]);  // t[1] broadcasts over the slice
    return (b * b).sum();
  }, {rnd({5, 3}), rnd({3})});
}

TEST(CompatAutogradViews, ViewAndReshapeThenNarrow) {
  expect_gradcheck([](const std::vector<torch::Tensor>& t) {
    auto b = t[0] * 2;  // (exp's output would be saved: changing it in place is an error)
    b.view({-1}).narrow(0, 2, 3).mul_(t[1]);
    b.reshape({3, 2}).select(1, 0).add_(t[1]);
    return (b * b).sum();
  }, {rnd({2, 3}), rnd({3})});
}

TEST(CompatAutogradViews, TransposeAndPermute) {
  expect_gradcheck([](const std::vector<torch::Tensor>& t) {
    auto b = t[0].clone();
    b.t().select(0, 1).add_(t[1]);
    b.unsqueeze(0).permute({2, 1, 0}).select(0, 0).mul_(t[1].narrow(0, 0, 3).unsqueeze(1));
    return (b.sin() * 2).sum();
  }, {rnd({3, 4}), rnd({3})});
}

TEST(CompatAutogradViews, IndexingViews) {
  expect_gradcheck([](const std::vector<torch::Tensor>& t) {
    auto b = t[0] + 0;
    b.index({Slice(0, 2), 1}).mul_(t[1]);
    b.index({"...", -1}).copy_(t[1].sum() * 2);
    b.index_put_({2}, t[1].narrow(0, 0, 1));
    return (b * b).sum();
  }, {rnd({3, 3}), rnd({2})});
}

TEST(CompatAutogradViews, ChainedInPlaceOpsOnSeveralViews) {
  expect_gradcheck([](const std::vector<torch::Tensor>& t) {
    auto b = t[0].clone();
    b.select(0, 0).mul_(t[1].select(0, 0));
    b.narrow(0, 1, 1).copy_(t[2]);
    b.select(0, 2).select(0, 0).pow_(2);
    b.select(1, 1).exp_();  // last: exp_ saves its result
    return (b.pow(2) * 0.5).sum();
  }, {rnd({3, 3}), rnd({3, 3}), rnd({1, 3})});
}

TEST(CompatAutogradViews, TheModifiedViewKeepsWorking) {
  auto x = rnd({3, 2});
  auto z = rnd({2});
  auto y = x.clone();
  auto v = y.select(0, 1);
  v.mul_(z);
  EXPECT_EQ(v.grad_fn()->name(), "SelectBackward0");
  (v * 3).sum().backward();
  auto gx = torch::zeros({3, 2}, torch::kFloat64);
  gx.select(0, 1).copy_(z.detach() * 3);
  EXPECT_TRUE(x.grad().allclose(gx));
  EXPECT_TRUE(z.grad().allclose(x.detach().select(0, 1) * 3));
}

TEST(CompatAutogradViews, OverlappingSiblingViewSeesTheChange) {
  // b was taken before a.mul_(z) changed the element they share: libtorch rebuilds b's history.
  auto x = rnd({2, 2});
  auto z = rnd({}, true);
  auto y = x.clone();
  auto a = y.select(0, 0);
  auto b = y.select(1, 0);
  a.mul_(z);
  b.sum().backward();
  auto gx = torch::zeros({2, 2}, torch::kFloat64);
  gx.index_put_({0, 0}, z.detach());
  gx.index_put_({1, 0}, 1.0);
  EXPECT_TRUE(x.grad().allclose(gx)) << x.grad();
  EXPECT_NEAR(z.grad().item<double>(), x.detach().index({0, 0}).item<double>(), 1e-12);
}

TEST(CompatAutogradViews, InPlaceOnBaseUpdatesEarlierViews) {
  auto x = rnd({2, 3});
  auto y = x.clone();
  auto v = y.select(0, 0);
  y.mul_(2);
  v.sum().backward();
  auto gx = torch::zeros({2, 3}, torch::kFloat64);
  gx.select(0, 0).fill_(2);
  EXPECT_TRUE(x.grad().allclose(gx));
}

TEST(CompatAutogradViews, WritingIntoATensorWithoutGradMakesItRequireGrad) {
  auto w = rnd({2});
  auto y = torch::zeros({3, 2}, torch::kFloat64);
  EXPECT_FALSE(y.requires_grad());
  y.select(0, 1).copy_(w * 2);
  EXPECT_TRUE(y.requires_grad());
  EXPECT_FALSE(y.is_leaf());
  EXPECT_EQ(y.grad_fn()->name(), "CopySlices");
  (y * y).sum().backward();
  EXPECT_TRUE(w.grad().allclose(w.detach() * 8));
}

TEST(CompatAutogradViews, FillOfAViewCutsTheGradientThere) {
  auto x = rnd({2, 2});
  auto y = x.clone();
  y.select(0, 0).fill_(0);
  y.sum().backward();
  auto gx = torch::ones({2, 2}, torch::kFloat64);
  gx.select(0, 0).zero_();
  EXPECT_TRUE(x.grad().allclose(gx));
}

TEST(CompatAutogradViews, SecondOrderThroughCopySlices) {
  auto x = rnd({2, 2});
  auto y = x.clone();
  y.select(0, 0).mul_(x.select(0, 1));
  // d/dx sum(y) = [[x10, x11], [1 + x00, 1 + x01]]; its sum's gradient is [[1, 1], [1, 1]].
  auto g = torch::autograd::grad({y.sum()}, {x}, {}, std::nullopt, /*create_graph=*/true)[0];
  auto xd = x.detach();
  auto expected = torch::stack({xd.select(0, 1), xd.select(0, 0) + 1});
  EXPECT_TRUE(g.allclose(expected));
  auto gg = torch::autograd::grad({g.sum()}, {x})[0];
  EXPECT_TRUE(gg.allclose(torch::ones({2, 2}, torch::kFloat64)));
}

TEST(CompatAutogradViews, ViewOfALeafInPlaceIsAnError) {
  auto x = rnd({2, 2});
  EXPECT_NE(error_of([&] { x.select(0, 0).mul_(2); })
                .find("a view of a leaf Variable that requires grad is being used in an in-place "
                      "operation."),
            std::string::npos);
  EXPECT_NE(error_of([&] { x.mul_(2); })
                .find("a leaf Variable that requires grad is being used in an in-place operation."),
            std::string::npos);
  {
    torch::NoGradGuard no_grad;
    x.select(0, 0).mul_(2);  // fine without grad mode, as in libtorch
  }
}

TEST(CompatAutogradViews, ViewsMadeInNoGradMode) {
  auto x = rnd({2, 3});
  auto y = x * 2;
  torch::Tensor v;
  {
    torch::NoGradGuard no_grad;
    v = y.select(0, 0);
  }
  EXPECT_FALSE(v.requires_grad());
  EXPECT_TRUE(v.is_view());
  auto w = rnd({3});
  EXPECT_NE(error_of([&] { v.mul_(w); }).find("A view was created in no_grad mode and is being "
                                               "modified inplace with grad mode enabled."),
            std::string::npos);
  {
    torch::NoGradGuard no_grad;
    v.mul_(w);  // both inside no_grad: allowed, not tracked
  }
  EXPECT_FALSE(v.requires_grad());
}

TEST(CompatAutogradViews, SavedTensorModifiedThroughAView) {
  auto x = rnd({2, 2});
  auto a = x.clone();
  auto b = a.sin();  // saves a
  a.select(0, 0).mul_(2);
  EXPECT_NE(error_of([&] { b.sum().backward(); })
                .find("one of the variables needed for gradient computation has been modified by "
                      "an inplace operation"),
            std::string::npos);
}

TEST(CompatAutogradViews, CopySlicesOnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  auto x = rnd({3, 4}).to(torch::Device(torch::kCUDA)).detach().requires_grad_();
  auto z = rnd({3, 2}).to(torch::Device(torch::kCUDA)).detach().requires_grad_();
  auto y = x.clone();
  y.narrow(1, 1, 2).mul_(z);
  (y * y).sum().backward();
  auto xc = x.detach().cpu();
  auto zc = z.detach().cpu();
  auto gx = 2 * xc;
  gx.narrow(1, 1, 2).mul_(zc * zc);
  EXPECT_TRUE(x.grad().cpu().allclose(gx));
  EXPECT_TRUE(z.grad().cpu().allclose(2 * xc.narrow(1, 1, 2).pow(2) * zc));
}
