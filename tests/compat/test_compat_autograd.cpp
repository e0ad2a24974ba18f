// torch::autograd::grad / backward, Tensor::backward(inputs), register_hook, InferenceMode and
// custom Functions, written as libtorch code.
#include <ember/torch.h>
#include <gtest/gtest.h>

#include "compat_util.h"

#include <cmath>
#include <functional>
#include <string>
#include <vector>

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;
using torch::autograd::variable_list;

using compat::error_of;
using compat::contains;

namespace {

}  // namespace

TEST(CompatAutograd, GradReturnsGradientsWithoutTouchingGrad) {
  auto x = torch::tensor({1.0, 2.0, 3.0}, torch::requires_grad());
  auto w = torch::tensor({0.5, -1.0, 2.0}, torch::requires_grad());
  auto y = (x * x * w).sum();
  tensor_list g = torch::autograd::grad({y}, {x, w});
  ASSERT_EQ(g.size(), 2u);
  EXPECT_TRUE(g[0].allclose(2 * x.detach() * w.detach()));
  EXPECT_TRUE(g[1].allclose(x.detach() * x.detach()));
  EXPECT_FALSE(x.grad().defined());
  EXPECT_FALSE(w.grad().defined());
  EXPECT_FALSE(g[0].requires_grad());
}

TEST(CompatAutograd, GradWithGradOutputsAndCreateGraph) {
  auto x = torch::tensor({1.0, -2.0}, torch::dtype(torch::kFloat64).requires_grad(true));
  auto y = x.pow(3);
  variable_list g = torch::autograd::grad({y}, {x}, {torch::ones_like(y)}, std::nullopt, true);
  EXPECT_TRUE(g[0].requires_grad());
  EXPECT_TRUE(g[0].allclose(3 * x.detach().pow(2)));
  auto gg = torch::autograd::grad({g[0].sum()}, {x});
  EXPECT_TRUE(gg[0].allclose(6 * x.detach()));
}

TEST(CompatAutograd, AllowUnused) {
  auto x = torch::randn({2}, torch::requires_grad());
  auto unused = torch::randn({2}, torch::requires_grad());
  auto y = (x * 2).sum();
  EXPECT_TRUE(contains(error_of([&] { torch::autograd::grad({y}, {x, unused}, {}, true); }),
                       "One of the differentiated Tensors appears to not have been used in the "
                       "graph. Set allow_unused=True if this is the desired behavior."));
  auto g = torch::autograd::grad({y}, {x, unused}, {}, std::nullopt, false, /*allow_unused=*/true);
  EXPECT_TRUE(g[0].allclose(torch::full({2}, 2.0)));
  EXPECT_FALSE(g[1].defined());
  auto plain = torch::randn({2});
  EXPECT_TRUE(contains(error_of([&] { torch::autograd::grad({(x * 3).sum()}, {plain}); }),
                       "One of the differentiated Tensors does not require grad"));
}

TEST(CompatAutograd, GradOnlyRunsTheNeededPart) {
  // The branch that leads only to b saved a tensor that is later changed in place: libtorch
  // does not run it when only a's gradient is asked for.
  auto a = torch::randn({3}, torch::requires_grad());
  auto b = torch::randn({3}, torch::requires_grad());
  auto c = b.clone();
  auto d = c.sin();
  c.add_(1);
  auto y = (a * 2).sum() + d.sum();
  auto g = torch::autograd::grad({y}, {a}, {}, true);
  EXPECT_TRUE(g[0].allclose(torch::full({3}, 2.0)));
  EXPECT_TRUE(contains(error_of([&] { y.backward(); }),
                       "one of the variables needed for gradient computation has been modified "
                       "by an inplace operation"));
}

TEST(CompatAutograd, NonScalarNeedsAGradient) {
  auto x = torch::randn({3}, torch::requires_grad());
  auto y = x * 2;
  EXPECT_TRUE(contains(error_of([&] { y.backward(); }),
                       "grad can be implicitly created only for scalar outputs"));
  EXPECT_TRUE(contains(error_of([&] { torch::autograd::grad({y}, {x}); }),
                       "grad can be implicitly created only for scalar outputs"));
  y.backward(torch::ones_like(y));
  EXPECT_TRUE(x.grad().allclose(torch::full({3}, 2.0)));
  auto z = torch::randn({3});
  EXPECT_TRUE(contains(error_of([&] { z.sum().backward(); }),
                       "element 0 of tensors does not require grad and does not have a grad_fn"));
}

TEST(CompatAutograd, BackwardWithInputsAccumulatesOnlyThere) {
  auto a = torch::randn({2}, torch::requires_grad());
  auto b = torch::randn({2}, torch::requires_grad());
  auto h = a * b;
  auto y = (h * 3).sum();
  y.backward({}, true, false, {a});
  EXPECT_TRUE(a.grad().allclose(3 * b.detach()));
  EXPECT_FALSE(b.grad().defined());
  // A non-leaf input gets .grad() too, and a second pass accumulates.
  torch::autograd::backward({y}, {}, true, false, tensor_list{h});
  EXPECT_TRUE(h.grad().allclose(torch::full({2}, 3.0)));
  torch::autograd::backward({y}, {}, std::nullopt, false, tensor_list{a, b});
  EXPECT_TRUE(a.grad().allclose(6 * b.detach()));
  EXPECT_TRUE(b.grad().allclose(3 * a.detach()));
  EXPECT_TRUE(contains(error_of([&] { torch::autograd::backward({(a * 2).sum()}, {}, std::nullopt,
                                                                false, tensor_list{}); }),
                       "'inputs' argument to backward() cannot be empty."));
}

TEST(CompatAutograd, BackwardWithGradTensors) {
  auto x = torch::randn({2, 2}, torch::requires_grad());
  auto y = x * 2;
  auto z = x.sum() * 3;
  torch::autograd::backward({y, z}, {torch::ones({2, 2}), torch::tensor(2.0)});
  EXPECT_TRUE(x.grad().allclose(torch::full({2, 2}, 8.0)));
}

TEST(CompatAutograd, HooksOnLeavesReplaceAndObserve) {
  auto x = torch::ones({3}, torch::requires_grad());
  int seen = 0;
  torch::Tensor observed;
  x.register_hook([&](torch::Tensor g) {
    ++seen;
    observed = g.clone();
  });
  auto h = x.register_hook([](torch::Tensor g) { return g * 10; });
  (x * 2).sum().backward();
  EXPECT_EQ(seen, 1);
  EXPECT_TRUE(observed.allclose(torch::full({3}, 2.0)));
  EXPECT_TRUE(x.grad().allclose(torch::full({3}, 20.0)));
  x.remove_hook(h);
  x.grad().zero_();
  (x * 2).sum().backward();
  EXPECT_EQ(seen, 2);
  EXPECT_TRUE(x.grad().allclose(torch::full({3}, 2.0)));
}

TEST(CompatAutograd, HooksOnNonLeaves) {
  auto x = torch::tensor({1.0, 2.0}, torch::requires_grad());
  auto y = x * 3;
  torch::Tensor seen;
  y.register_hook([&](const torch::Tensor& g) { seen = g; });
  y.register_hook([](const torch::Tensor& g) { return g + 1; });
  y.retain_grad();
  (y * y).sum().backward({}, /*retain_graph=*/true);
  auto gy = 2 * y.detach();
  EXPECT_TRUE(seen.allclose(gy));
  EXPECT_TRUE(y.grad().allclose(gy + 1));  // retain_grad sees the hooked gradient
  EXPECT_TRUE(x.grad().allclose((gy + 1) * 3));
  auto g = torch::autograd::grad({(y * 2).sum()}, {x});  // hooks run for grad() as well
  EXPECT_TRUE(g[0].allclose(torch::full({2}, 9.0)));
  auto plain = torch::ones({2});
  EXPECT_TRUE(contains(error_of([&] { plain.register_hook([](torch::Tensor g) { return g; }); }),
                       "cannot register a hook on a tensor that doesn't require gradient"));
}

TEST(CompatAutograd, HooksUnderCompileAreAClearError) {
  auto w = torch::ones({3}, torch::requires_grad());
  auto f = torch::compile([](const torch::Tensor& x) {
    auto y = x * 2;
    y.register_hook([](torch::Tensor g) { return g * 2; });
    return y.sum();
  });
  EXPECT_TRUE(contains(error_of([&] { f(w).backward(); }), "cannot run inside compile()"));
}

TEST(CompatAutograd, GradInsideCompile) {
  auto f = torch::compile([](const torch::Tensor& x) {
    auto y = (x * x).sum();
    return torch::autograd::grad({y}, {x})[0];
  });
  auto x = torch::tensor({1.0, 2.0, 3.0}, torch::requires_grad());
  EXPECT_TRUE(f(x).allclose(2 * x.detach()));
  EXPECT_TRUE(f(x * 1).allclose(2 * x.detach()));
}

TEST(CompatAutograd, InferenceMode) {
  auto w = torch::randn({3}, torch::requires_grad());
  torch::Tensor t, v;
  {
    c10::InferenceMode guard;
    EXPECT_TRUE(c10::InferenceMode::is_enabled());
    EXPECT_FALSE(torch::GradMode::is_enabled());
    t = w * 2;
    v = t.select(0, 0);
    EXPECT_FALSE(t.requires_grad());
    EXPECT_TRUE(t.is_inference());
    EXPECT_TRUE(v.is_inference());
    t.add_(1);  // in-place inside the mode is fine
  }
  EXPECT_FALSE(torch::InferenceMode::is_enabled());
  EXPECT_TRUE(torch::GradMode::is_enabled());
  EXPECT_FALSE(w.is_inference());
  EXPECT_FALSE((w * 2).is_inference());
  EXPECT_TRUE(contains(error_of([&] { (t * w).sum().backward(); }),
                       "Inference tensors cannot be saved for backward."));
  EXPECT_TRUE(contains(error_of([&] { t.add_(1); }),
                       "Inplace update to inference tensor outside InferenceMode is not allowed"));
  EXPECT_TRUE(contains(error_of([&] { t.requires_grad_(); }),
                       "Setting requires_grad=True on inference tensor outside InferenceMode is "
                       "not allowed."));
  auto normal = t.clone();
  EXPECT_FALSE(normal.is_inference());
  (normal * w).sum().backward();
  EXPECT_TRUE(w.grad().allclose(normal));
  {
    torch::InferenceMode off(false);
    EXPECT_FALSE(torch::InferenceMode::is_enabled());
  }
}

namespace {

struct Scale : public torch::autograd::Function<Scale> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x, double k, int64_t n,
                               bool flip, torch::Tensor y) {
    ctx->saved_data["k"] = k;
    ctx->saved_data["n"] = n;
    ctx->saved_data["flip"] = flip;
    ctx->saved_data["name"] = "scale";
    ctx->saved_data["y"] = y;
    ctx->saved_data["dims"] = std::vector<int64_t>{1, 2};
    ctx->saved_data["ws"] = std::vector<double>{0.5, 2.0};
    ctx->save_for_backward({x});
    return (flip ? -x : x) * k * static_cast<double>(n) + y;
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    auto x = ctx->get_saved_variables()[0];
    double k = ctx->saved_data["k"].toDouble();
    int64_t n = ctx->saved_data["n"].toInt();
    bool flip = ctx->saved_data["flip"].toBool();
    EXPECT_EQ(ctx->saved_data["name"].toStringRef(), "scale");
    EXPECT_EQ(ctx->saved_data["dims"].toIntVector(), (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(ctx->saved_data["ws"].toDoubleVector()[1], 2.0);
    EXPECT_TRUE(ctx->saved_data["y"].toTensor().defined());
    EXPECT_TRUE(ctx->saved_data["y"].isTensor());
    EXPECT_TRUE(ctx->needs_input_grad(0));
    EXPECT_FALSE(ctx->needs_input_grad(1));
    torch::Tensor gy = ctx->needs_input_grad(4) ? g[0] : torch::Tensor();
    return {g[0] * k * static_cast<double>(n) * (flip ? -1 : 1), torch::Tensor(), torch::Tensor(),
            torch::Tensor(), gy};
  }
};

struct TwoOutputs : public torch::autograd::Function<TwoOutputs> {
  static variable_list forward(AutogradContext* ctx, torch::Tensor x) {
    ctx->set_materialize_grads(false);
    auto ix = x.to(torch::kFloat64).detach();
    ctx->mark_non_differentiable({ix});
    return {x * 2, x * 3, ix};
  }
  static variable_list backward(AutogradContext*, variable_list g) {
    EXPECT_TRUE(g[0].defined());
    EXPECT_FALSE(g[1].defined());  // not materialized: output 1 was not used
    return {g[0] * 2};
  }
};

struct InPlaceDouble : public torch::autograd::Function<InPlaceDouble> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x) {
    x.mul_(2);
    ctx->mark_dirty({x});
    return x;
  }
  static variable_list backward(AutogradContext*, variable_list g) { return {g[0] * 2}; }
};

}  // namespace

TEST(CompatAutograd, CustomFunctionContext) {
  auto x = torch::randn({3}, torch::dtype(torch::kFloat64).requires_grad(true));
  auto y = torch::randn({3}, torch::dtype(torch::kFloat64).requires_grad(true));
  auto out = Scale::apply(x, 1.5, int64_t{2}, true, y);
  out.sum().backward();
  EXPECT_TRUE(x.grad().allclose(torch::full({3}, -3.0, torch::kFloat64)));
  EXPECT_TRUE(y.grad().allclose(torch::ones({3}, torch::kFloat64)));
  torch::autograd::gradcheck([](const std::vector<torch::Tensor>& t) {
    return Scale::apply(t[0], 0.5, int64_t{3}, false, t[1]);
  }, {x.detach().requires_grad_(), y.detach().requires_grad_()});
}

TEST(CompatAutograd, CustomFunctionOutputsAndDirty) {
  auto x = torch::randn({4}, torch::requires_grad());
  auto outs = TwoOutputs::apply(x);
  EXPECT_TRUE(outs[0].requires_grad());
  EXPECT_FALSE(outs[2].requires_grad());
  outs[0].sum().backward();
  EXPECT_TRUE(x.grad().allclose(torch::full({4}, 2.0)));

  auto a = torch::randn({3}, torch::requires_grad());
  auto b = a.clone();
  auto r = InPlaceDouble::apply(b);
  EXPECT_TRUE(r.is_same(b));
  (r * 1).sum().backward();
  EXPECT_TRUE(a.grad().allclose(torch::full({3}, 2.0)));
}

TEST(CompatAutograd, DetectAnomalyGuardNamesTheFunctionReturningNaN) {
  auto x = torch::tensor({0.0, 4.0}, torch::requires_grad());
  {
    torch::autograd::DetectAnomalyGuard guard;
    EXPECT_TRUE(torch::autograd::AnomalyMode::is_enabled());
    auto y = x.sqrt().sum();
    try {
      y.backward();
      ADD_FAILURE() << "no error";
    } catch (const c10::Error& e) {
      EXPECT_NE(std::string(e.what()).find("Function 'SqrtBackward0' returned inf values in its 0th output."),
                std::string::npos) << e.what();
    }
  }
  EXPECT_FALSE(torch::autograd::AnomalyMode::is_enabled());
  x.sqrt().sum().backward();  // off: libtorch's inf gradient, no error
  EXPECT_TRUE(std::isinf(x.grad()[0].item<double>()));
}
