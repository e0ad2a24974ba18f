// Autograd semantics: accumulation, retain_graph, no_grad, detach, version counters,
// weight sharing, retain_grad, graph inspection.
#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {
Tensor leaf(std::initializer_list<double> v) {
  return tensor(TensorData(std::vector<double>(v)), TensorOptions().dtype(kFloat64).requires_grad(true));
}
}  // namespace

TEST(Autograd, LeafAndNonLeaf) {
  Tensor x = leaf({1, 2, 3});
  EXPECT_TRUE(x.is_leaf());
  EXPECT_TRUE(x.requires_grad());
  EXPECT_EQ(x.grad_fn(), nullptr);
  Tensor y = x * 2;
  EXPECT_FALSE(y.is_leaf());
  EXPECT_TRUE(y.requires_grad());
  EXPECT_EQ(y.grad_fn()->name(), "MulBackward1");
  Tensor z = tensor({1.0, 2.0});
  EXPECT_FALSE((z * 2).requires_grad());
}

TEST(Autograd, GradAccumulatesAcrossBackwardCalls) {
  Tensor x = leaf({1, 2, 3});
  (x * x).sum().backward();
  EXPECT_TRUE(close(x.grad(), tensor({2.0, 4.0, 6.0}, kFloat64)));
  (x * x).sum().backward();
  EXPECT_TRUE(close(x.grad(), tensor({4.0, 8.0, 12.0}, kFloat64)));
  x.mutable_grad().zero_();
  (x * 3).sum().backward();
  EXPECT_TRUE(close(x.grad(), tensor({3.0, 3.0, 3.0}, kFloat64)));
}

TEST(Autograd, BackwardOnNonScalarNeedsGradient) {
  Tensor x = leaf({1, 2, 3});
  Tensor y = x * 2;
  EXPECT_EMBER_ERROR(y.backward(), "only for scalar outputs");
  y.backward(tensor({1.0, 0.5, 0.25}, kFloat64));
  EXPECT_TRUE(close(x.grad(), tensor({2.0, 1.0, 0.5}, kFloat64)));
  EXPECT_EMBER_ERROR((x * 2).backward(tensor({1.0}, kFloat64)), "does not match");
}

TEST(Autograd, SecondBackwardWithoutRetainGraphIsAnError) {
  Tensor x = leaf({1, 2, 3});
  Tensor y = (x * x).sum();
  y.backward();
  EXPECT_EMBER_ERROR(y.backward(), "backward through the graph a second time");
  Tensor z = (x * x).sum();
  z.backward({}, true);
  z.backward();
  EXPECT_TRUE(close(x.grad(), tensor({6.0, 12.0, 18.0}, kFloat64)));
}

TEST(Autograd, NoGradGuardAndEnableGrad) {
  Tensor x = leaf({1, 2});
  {
    NoGradGuard g;
    Tensor y = x * 2;
    EXPECT_FALSE(y.requires_grad());
    {
      EnableGradGuard e;
      EXPECT_TRUE((x * 2).requires_grad());
    }
    EXPECT_FALSE(GradMode::is_enabled());
  }
  EXPECT_TRUE(GradMode::is_enabled());
}

TEST(Autograd, DetachSharesDataWithoutHistory) {
  Tensor x = leaf({1, 2});
  Tensor y = x * 2;
  Tensor d = y.detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_EQ(d.data_ptr(), y.data_ptr());
  d.add_(1);
  EXPECT_TRUE(close(y, tensor({3.0, 5.0}, kFloat64)));
  EXPECT_EQ(d._version(), y._version());
}

TEST(Autograd, InPlaceChangeOfSavedTensorIsReported) {
  Tensor x = leaf({1, 2, 3});
  Tensor a = x * 1;
  Tensor b = a * a;  // MulBackward saves a
  a.add_(1);
  try {
    b.sum().backward();
    FAIL() << "expected a version error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("modified by an inplace operation"), std::string::npos) << m;
    EXPECT_NE(m.find("MulBackward0"), std::string::npos) << m;
    EXPECT_NE(m.find("is at version 1"), std::string::npos) << m;
    EXPECT_NE(m.find("expected version 0"), std::string::npos) << m;
  }
}

TEST(Autograd, InPlaceOnUnsavedTensorIsFine) {
  Tensor x = leaf({1, 2});
  Tensor y = x + 1;  // AddBackward saves nothing
  Tensor z = y * 3;  // saves y? no: Mul saves both inputs; use Add again
  Tensor w = y + 5;
  x.grad();
  y.add_(1);
  w.sum().backward();
  EXPECT_TRUE(close(x.grad(), tensor({1.0, 1.0}, kFloat64)));
  (void)z;
}

TEST(Autograd, InPlaceOnLeafRequiringGradIsAnError) {
  Tensor x = leaf({1, 2});
  EXPECT_EMBER_ERROR(x.add_(1), "leaf Variable that requires grad");
  NoGradGuard g;
  x.add_(1);  // fine without grad mode
  EXPECT_TRUE(close(x, tensor({2.0, 3.0}, kFloat64)));
}

TEST(Autograd, InPlaceRebasesHistory) {
  Tensor x = leaf({1, -2, 3});
  Tensor h = x * 2;
  h.clamp_(0);
  EXPECT_EQ(h.grad_fn()->name(), "ClampMinBackward0");
  h.sum().backward();
  EXPECT_TRUE(close(x.grad(), tensor({2.0, 0.0, 2.0}, kFloat64)));
  Tensor y = leaf({2, 3});
  Tensor z = y * 1;
  z.mul_(y);  // saves the old z (a copy) and y
  z.sum().backward();
  EXPECT_TRUE(close(y.grad(), tensor({4.0, 6.0}, kFloat64)));
}

TEST(Autograd, WeightSharingSumsGradients) {
  Tensor w = leaf({2});
  Tensor x = tensor({3.0}, kFloat64);
  Tensor y = (x * w) * w + w;  // dy/dw = 2xw + 1 = 13
  y.sum().backward();
  EXPECT_TRUE(close(w.grad(), tensor({13.0}, kFloat64)));
}

TEST(Autograd, BroadcastingIsReducedInBackward) {
  Tensor a = randn({3, 4}, TensorOptions().dtype(kFloat64).requires_grad(true));
  Tensor b = randn({4}, TensorOptions().dtype(kFloat64).requires_grad(true));
  Tensor c = randn({3, 1}, TensorOptions().dtype(kFloat64).requires_grad(true));
  ((a + b) * c).sum().backward();
  EXPECT_EQ(b.grad().sizes(), Shape({4}));
  EXPECT_EQ(c.grad().sizes(), Shape({3, 1}));
  EXPECT_TRUE(close(b.grad(), c.detach().expand({3, 4}).sum({0})));
  EXPECT_TRUE(close(c.grad(), (a.detach() + b.detach()).sum({1}, true)));
}

TEST(Autograd, ClampWithTensorBoundsGivesTheGradientToTheBoundThatWins) {
  // As libtorch: min(max(x, lo), hi), so where lo > hi the result and its gradient are hi's.
  auto f64 = TensorOptions().dtype(kFloat64).requires_grad(true);
  Tensor x = tensor({0.0, 2.0, 5.0, -1.0}, f64), lo = tensor({1.0, 1.0, 1.0, 0.0}, f64);
  Tensor hi = tensor({0.5, 3.0, 4.0, 2.0}, f64);
  Tensor y = x.clamp(std::optional<Tensor>(lo), std::optional<Tensor>(hi));
  EXPECT_TRUE(close(y, tensor({0.5, 2.0, 4.0, 0.0}, kFloat64)));
  y.backward(tensor({1.0, 10.0, 100.0, 1000.0}, kFloat64));
  EXPECT_TRUE(close(x.grad(), tensor({0.0, 10.0, 0.0, 0.0}, kFloat64)));
  EXPECT_TRUE(close(lo.grad(), tensor({0.0, 0.0, 0.0, 1000.0}, kFloat64)));
  EXPECT_TRUE(close(hi.grad(), tensor({1.0, 0.0, 100.0, 0.0}, kFloat64)));
}

TEST(Autograd, MatmulGradientsComeInTheLayoutOfTheirOperand) {
  // As libtorch: x.mm(w.t()) (nn::Linear) gives w a dense gradient, computed as the
  // transpose of a contiguous product rather than copied out of a transposed one.
  auto o = TensorOptions().dtype(kFloat64).requires_grad(true);
  Tensor x = randn({6, 5}, o), w = randn({4, 5}, o), b = randn({4}, o);
  Tensor g = randn({6, 4}, kFloat64);
  addmm(b, x, w.t()).backward(g);
  EXPECT_TRUE(w.grad().is_contiguous());
  EXPECT_TRUE(close(w.grad(), g.t().mm(x.detach()), 1e-12, 1e-12));
  EXPECT_TRUE(close(x.grad(), g.mm(w.detach()), 1e-12, 1e-12));
  // A column-major first operand: its gradient is computed column-major, same values.
  Tensor a = randn({5, 6}, o), c = randn({5, 3}, o), h = randn({6, 3}, kFloat64);
  a.t().mm(c).backward(h);
  EXPECT_TRUE(a.grad().is_contiguous());
  EXPECT_TRUE(close(a.grad(), c.detach().mm(h.t()), 1e-12, 1e-12));
  EXPECT_TRUE(close(c.grad(), a.detach().mm(h), 1e-12, 1e-12));
}

TEST(Autograd, RetainGradOnNonLeaf) {
  Tensor x = leaf({1, 2});
  Tensor y = x * 3;
  y.retain_grad();
  EXPECT_TRUE(y.retains_grad());
  Tensor z = (y * y).sum();
  z.backward();
  EXPECT_TRUE(close(y.grad(), tensor({6.0, 12.0}, kFloat64)));
  Tensor w = x * 2;
  (w * 2).sum().backward();
  EXPECT_FALSE(w.grad().defined());
}

TEST(Autograd, RequiresGradOnlyForFloatLeaves) {
  EXPECT_EMBER_ERROR(tensor({1, 2}).requires_grad_(), "floating point");
  Tensor x = leaf({1});
  Tensor y = x * 2;
  EXPECT_EMBER_ERROR(y.requires_grad_(false), "leaf variables");
  EXPECT_EMBER_ERROR((tensor({1.0}) * 2).backward(), "does not require grad");
}

TEST(Autograd, GradFnGraphInspection) {
  auto opts = TensorOptions().dtype(kFloat32).requires_grad(true);
  Tensor x = randn({4, 5});
  Tensor w1 = randn({5, 3}, opts), w2 = randn({3, 2}, opts);
  Tensor y = randn({4, 2});
  Tensor loss = (x.mm(w1).clamp(0).mm(w2) - y).pow(2).sum();
  auto fn = loss.grad_fn();
  EXPECT_EQ(fn->name(), "SumBackward0");
  EXPECT_EQ(fn->next_edges()[0].function->name(), "PowBackward0");
  auto sub = fn->next_edges()[0].function->next_edges()[0].function;
  EXPECT_EQ(sub->name(), "SubBackward0");
  auto mm2 = sub->next_edges()[0].function;
  EXPECT_EQ(mm2->name(), "MmBackward0");
  EXPECT_EQ(mm2->next_edges()[0].function->name(), "ClampBackward1");
  EXPECT_EQ(mm2->next_edges()[1].function->name(), "AccumulateGrad");
  std::string g = format_graph(fn);
  EXPECT_NE(g.find("MmBackward"), std::string::npos);
  EXPECT_NE(g.find("AccumulateGrad [5, 3]"), std::string::npos) << g;
}

TEST(Autograd, AutogradGradReturnsWithoutAccumulating) {
  Tensor x = leaf({1, 2, 3});
  Tensor y = (x * x * x).sum();
  auto g = autograd::grad({y}, {x}, {}, true);
  EXPECT_TRUE(close(g[0], tensor({3.0, 12.0, 27.0}, kFloat64)));
  EXPECT_FALSE(x.grad().defined());
  Tensor unused = leaf({1});
  EXPECT_EMBER_ERROR(autograd::grad({y}, {unused}, {}, true), "appears to not have been used in the graph");
  auto none = autograd::grad({y}, {unused}, {}, true, false, true);
  EXPECT_FALSE(none[0].defined());
}

TEST(Autograd, CreateGraphGivesSecondDerivative) {
  Tensor x = leaf({1, 2, 3});
  Tensor y = x.pow(3).sum();
  auto g = autograd::grad({y}, {x}, {}, std::nullopt, true);  // 3x^2, differentiable
  EXPECT_TRUE(g[0].requires_grad());
  auto gg = autograd::grad({g[0].sum()}, {x});
  EXPECT_TRUE(close(gg[0], tensor({6.0, 12.0, 18.0}, kFloat64)));
}

TEST(Autograd, CreateGraphThroughOpsThatSaveTheirOutput) {
  // exp, tanh and sigmoid save their result; its history must come back for create_graph.
  Tensor x = leaf({-0.5, 0.25, 1.0});
  Tensor xd = x.detach();
  auto second = [&](const std::function<Tensor(const Tensor&)>& f) {
    auto g = autograd::grad({f(x).sum()}, {x}, {}, std::nullopt, true);
    return autograd::grad({g[0].sum()}, {x})[0];
  };
  EXPECT_TRUE(close(second([](const Tensor& t) { return t.exp(); }), xd.exp(), 1e-12));
  Tensor th = xd.tanh();
  EXPECT_TRUE(close(second([](const Tensor& t) { return t.tanh(); }), -2 * th * (1 - th * th), 1e-12));
  Tensor s = xd.sigmoid();
  EXPECT_TRUE(close(second([](const Tensor& t) { return t.sigmoid(); }), s * (1 - s) * (1 - 2 * s), 1e-12));
}

TEST(Autograd, ViewsPassGradients) {
  Tensor x = randn({4, 6}, TensorOptions().dtype(kFloat64).requires_grad(true));
  Tensor y = x.t().reshape({6, 4}).slice(0, 1, 5, 2).select(1, 2).unsqueeze(0).expand({3, 2});
  y.sum().backward();
  Tensor expected = zeros({4, 6}, kFloat64);
  // x.t()[1:5:2, 2] -> x[2, 1] and x[2, 3], each used 3 times by expand
  expected.index_put_({2, 1}, 3.0);
  expected.index_put_({2, 3}, 3.0);
  EXPECT_TRUE(close(x.grad(), expected));
}

TEST(Autograd, EngineRunsOnEveryDevice) {
  for (Device d : all_devices()) {
    if (d.is_cuda() && !cuda::is_available()) continue;
    Tensor x = randn({3, 3}, TensorOptions().dtype(kFloat32).device(d).requires_grad(true));
    (x * x).sum().backward();
    EXPECT_EQ(x.grad().device(), d);
    EXPECT_TRUE(close(x.grad(), x.detach() * 2));
  }
}
