// ember::compile: eager vs compiled, autograd through compiled calls, guards, launches.
#include <cmath>
#include <cstdlib>

#include "frontend/compile/compile_internals.h"
#include "kernels/backend.h"
#include "kernels/op_list.h"
#include <set>

#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {

class Compile : public ::testing::TestWithParam<Device> {
 protected:
  void SetUp() override {
    if (GetParam().is_cuda()) EMBER_REQUIRE_CUDA();
    manual_seed(7);
  }
  TensorOptions opts(ScalarType t = kFloat32) const { return TensorOptions().dtype(t).device(GetParam()); }
};

// A compiled training step of `lin` under `opt`: zero_grad, a squared-sum loss, backward, step.
auto compiled_linear_step(nn::Linear& lin, optim::Optimizer& opt) {
  return compile([&lin, &opt](const Tensor& x) {
    opt.zero_grad();
    Tensor loss = lin->forward(x).pow(2).sum();
    loss.backward();
    opt.step();
    return loss.detach();
  });
}

// `to` gets `from`'s weights: the eager twin of a compiled Linear.
void copy_weights(nn::Linear& to, const nn::Linear& from) {
  NoGradGuard g;
  to->weight.copy_(from->weight);
  to->bias.copy_(from->bias);
}

int64_t launches(const std::function<void()>& f) {
  int64_t before = kernel_launch_count();
  f();
  return kernel_launch_count() - before;
}

}  // namespace

TEST_P(Compile, PointwiseChainIsBitwiseEqualToEager) {
  auto fn = [](const Tensor& a, const Tensor& b) { return (a + b).clamp(-0.5, 0.75).pow(2) * 3 - b.sigmoid(); };
  auto f = compile(fn);
  Tensor a = randn({37, 129}, opts()), b = randn({129}, opts());
  EXPECT_TRUE(bitwise_equal(f(a, b), fn(a, b)));
  EXPECT_EQ(jit::forward_program(f).kernels().size(), 1u);
  // a second call reuses the compiled variant and stays equal
  Tensor a2 = randn({37, 129}, opts());
  EXPECT_TRUE(bitwise_equal(f(a2, b), fn(a2, b)));
  EXPECT_EQ(f.stats().misses, 1);
  EXPECT_EQ(f.stats().hits, 1);
}

TEST_P(Compile, MixedDtypesAndScalarsStayBitwiseEqual) {
  auto g = [](const Tensor& x, const Tensor& i, const Tensor& h) {
    Tensor m = (x * 2.5 + i) > 1;
    Tensor y = where(m, x.exp(), h.to(kFloat32) - 1);
    return std::vector<Tensor>{y.to(kFloat16) * 3, m.logical_not(), (i * 3 - 1).abs()};
  };
  auto f = compile(g);
  Tensor x = randn({8, 16}, opts()), i = randint(-3, 3, {16}, opts(kInt64)), h = randn({8, 16}, opts(kFloat16));
  auto got = f(x, i, h), want = g(x, i, h);
  for (size_t k = 0; k < want.size(); ++k) EXPECT_TRUE(bitwise_equal(got[k], want[k])) << k;
}

TEST_P(Compile, FusedReductionWithinTolerance) {
  auto fn = [](const Tensor& p, const Tensor& y) {
    return std::vector<Tensor>{(p - y).pow(2).sum(), (p - y).abs().mean({1}), (p * y).amax({0}, true)};
  };
  auto f = compile(fn);
  Tensor p = randn({300, 70}, opts()), y = randn({300, 70}, opts());
  auto got = f(p, y), want = fn(p, y);
  for (size_t k = 0; k < want.size(); ++k) EXPECT_TRUE(close(got[k], want[k], 1e-5, 1e-5)) << k;
  // (p - y).pow(2).sum() is one kernel
  bool found = false;
  for (const auto& k : jit::forward_program(f).kernels())
    found = found || k->name().rfind("fused_sub_pow_sum", 0) == 0;
  EXPECT_TRUE(found) << f.dump();
}

TEST_P(Compile, CompiledLaunchesAreFewerThanEager) {
  auto fn = [](const Tensor& a, const Tensor& b) { return (a + b).clamp(0, 1).pow(2) * 3; };
  auto f = compile(fn);
  Tensor a = randn({1000}, opts()), b = randn({1000}, opts());
  f(a, b);
  EXPECT_EQ(launches([&] { fn(a, b); }), 4);
  EXPECT_EQ(launches([&] { f(a, b); }), 1);
  EXPECT_EQ(jit::forward_program(f).summary().launches_per_call, 1);
}

TEST_P(Compile, NotesNetworkTrainsLikeEager) {
  auto o = opts();
  Tensor x = randn({64, 1000}, o), y = randn({64, 10}, o);
  Tensor w1 = randn({1000, 100}, o.requires_grad(true)), w2 = randn({100, 10}, o.requires_grad(true));
  Tensor v1 = w1.detach().clone().requires_grad_(true), v2 = w2.detach().clone().requires_grad_(true);
  auto loss_of = [](const Tensor& x, const Tensor& y, const Tensor& a, const Tensor& b) {
    return (x.mm(a).clamp(0).mm(b) - y).pow(2).sum();
  };
  auto step = compile([&](const Tensor& x, const Tensor& y) { return loss_of(x, y, w1, w2); });
  for (int t = 0; t < 30; ++t) {
    Tensor lc = step(x, y);
    Tensor le = loss_of(x, y, v1, v2);
    EXPECT_EQ(lc.grad_fn()->name(), "CompiledFunctionBackward");
    EXPECT_NEAR(lc.item<double>(), le.item<double>(), 1e-5 * le.item<double>()) << t;
    lc.backward();
    le.backward();
    EXPECT_TRUE(close(w1.grad(), v1.grad(), 1e-4, 1e-3)) << t;
    NoGradGuard g;
    for (auto [w, v] : {std::pair{w1, v1}, std::pair{w2, v2}}) {
      w -= 1e-6 * w.grad();
      v -= 1e-6 * v.grad();
      w.grad().zero_();
      v.grad().zero_();
    }
  }
  EXPECT_EQ(step.stats().compiles, 1);
}

TEST_P(Compile, GradientsMatchEagerForEveryInput) {
  auto fn = [](const Tensor& a, const Tensor& b, const Tensor& c) {
    return ((a.mm(b) + c).tanh() * a.sum({1}, true)).sigmoid().mean();
  };
  auto o = opts(kFloat64).requires_grad(true);
  Tensor a = randn({5, 4}, o), b = randn({4, 3}, o), c = randn({3}, o);
  auto f = compile(fn);
  auto gc = autograd::grad({f(a, b, c)}, {a, b, c});
  auto ge = autograd::grad({fn(a, b, c)}, {a, b, c});
  for (size_t k = 0; k < 3; ++k) EXPECT_TRUE(close(gc[k], ge[k], 1e-10, 1e-12)) << k;
}

TEST_P(Compile, MixesWithEagerAutograd) {
  auto o = opts(kFloat64).requires_grad(true);
  Tensor x = randn({6}, o);
  auto f = compile([](const Tensor& t) { return (t * t).exp(); });
  Tensor pre = x * 3;           // eager before
  Tensor mid = f(pre);          // compiled
  Tensor out = (mid + x).sum(); // eager after
  out.backward();
  Tensor xd = x.detach();
  Tensor expected = (9 * xd * xd).exp() * 18 * xd + 1;
  EXPECT_TRUE(close(x.grad(), expected, 1e-10, 1e-10));
}

TEST_P(Compile, NoGradCallsRecordNothing) {
  Tensor w = randn({4}, opts().requires_grad(true));
  auto f = compile([&](const Tensor& x) { return (x * w).sum(); });
  Tensor x = randn({4}, opts());
  {
    NoGradGuard g;
    Tensor r = f(x);
    EXPECT_FALSE(r.requires_grad());
  }
  Tensor r = f(x);
  EXPECT_TRUE(r.requires_grad());
  EXPECT_EQ(f.stats().compiles, 2);  // grad mode is part of the guard
}

TEST_P(Compile, RetainGraphSemantics) {
  Tensor w = randn({4}, opts().requires_grad(true));
  auto f = compile([&](const Tensor& x) { return (x * w).pow(2).sum(); });
  Tensor l = f(randn({4}, opts()));
  l.backward({}, true);
  l.backward();
  EXPECT_EMBER_ERROR(l.backward(), "second time");
}

TEST_P(Compile, GuardsRetraceOnShapeAndExplainWhy) {
  auto f = compile([](const Tensor& x) { return x * 2 + 1; });
  f(randn({4, 8}, opts()));
  f(randn({4, 8}, opts()));
  f(randn({4, 9}, opts()));
  f(randn({4, 8}, opts(kFloat64)));
  EXPECT_EQ(f.stats().misses, 3);
  EXPECT_EQ(f.stats().hits, 1);
  EXPECT_EQ(jit::last_variant(f)->guard_failure({randn({4, 8}, opts())}, ""), "argument 0 dtype: expected float64, got float32");
  EXPECT_EQ(jit::last_variant(f)->guard_failure({randn({3, 8}, opts(kFloat64))}, ""), "argument 0 dim 0: expected 4, got 3");
}

TEST_P(Compile, StaticArgumentsCompileOneVariantEach) {
  auto f = compile([](const Tensor& x, int reuses) {
    Tensor h = x;
    for (int i = 0; i < reuses; ++i) h = (h * 0.5).relu();
    return h + 1;
  });
  Tensor x = randn({16}, opts());
  for (int rep = 0; rep < 2; ++rep)
    for (int r = 0; r < 4; ++r) {
      Tensor want = x;
      for (int i = 0; i < r; ++i) want = (want * 0.5).relu();
      EXPECT_TRUE(bitwise_equal(f(x, r), want + 1));
    }
  EXPECT_EQ(f.stats().compiles, 4);
  EXPECT_EQ(f.stats().hits, 4);
}

TEST_P(Compile, VariantCapEvictsWithAWarning) {
  CompileOptions co;
  co.max_variants = 2;
  co.name = "capped";
  auto f = compile([](const Tensor& x) { return x + 1; }, co);
  ::testing::internal::CaptureStderr();
  for (int n = 1; n <= 4; ++n) f(randn({n}, opts()));
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("'capped' has more than 2 variants"), std::string::npos) << err;
  EXPECT_EQ(f.stats().evictions, 2);
}

TEST_P(Compile, ModulesAndParametersAreGraphInputs) {
  nn::Sequential model(nn::Linear(10, 8), nn::ReLU(), nn::Linear(8, 3));
  model->to(GetParam());
  auto step = compile([&](const Tensor& x, const Tensor& y) {
    return nn::functional::mse_loss(model->forward(x), y, kSum);
  });
  Tensor x = randn({5, 10}, opts()), y = randn({5, 3}, opts());
  Tensor lc = step(x, y);
  int captures = 0;
  for (int i : jit::forward_program(step).traced().inputs) captures += jit::forward_program(step).traced().values[i].name.rfind("capture", 0) == 0;
  EXPECT_EQ(captures, 4);
  lc.backward();
  std::vector<Tensor> grads;
  for (auto& p : model->parameters()) grads.push_back(p.grad().clone());
  model->zero_grad();
  nn::functional::mse_loss(model->forward(x), y, kSum).backward();
  auto params = model->parameters();
  for (size_t k = 0; k < params.size(); ++k) EXPECT_TRUE(close(grads[k], params[k].grad(), 1e-5, 1e-5)) << k;
  // a parameter update is seen by the next call (parameters are inputs, not constants)
  {
    NoGradGuard g;
    params[0].add_(1.0);
  }
  EXPECT_TRUE(close(step(x, y), nn::functional::mse_loss(model->forward(x), y, kSum), 1e-5, 1e-5));
  EXPECT_EQ(step.stats().compiles, 1);
}

TEST_P(Compile, UntraceableCallsAreClearErrors) {
  auto f = compile([](const Tensor& x) { return x * x.sum().item<float>(); });
  EXPECT_EMBER_ERROR(f(randn({3}, opts())), "traced");
  auto g = compile([](const Tensor& x) { return x.masked_select(x > 0); });
  EXPECT_EMBER_ERROR(g(randn({3}, opts())), "depends on the values");
}

TEST_P(Compile, GroupsReadingTheSameInputShareOneKernel) {
  // Two chains of x and a product with a reduction computed after the first chain began:
  // one kernel for all the pointwise work (x read once), the sum its own.
  auto fn = [](const Tensor& x, const Tensor& y) {
    Tensor a = (x + 1) * 2;
    Tensor b = x.exp() - 3;
    Tensor s = y.sum();
    return std::vector<Tensor>{a, b, a / s};
  };
  auto f = compile(fn);
  Tensor x = randn({40, 30}, opts()), y = randn({40, 30}, opts());
  auto got = f(x, y), want = fn(x, y);
  for (size_t k = 0; k < want.size(); ++k) EXPECT_TRUE(bitwise_equal(got[k], want[k])) << k;
  EXPECT_EQ(jit::forward_program(f).kernels().size(), 1u) << f.dump();
  EXPECT_EQ(launches([&] { f(x, y); }), 2) << f.dump();
}

TEST_P(Compile, GroupsJoinedThroughAnUnfusedOpStayApart) {
  // a feeds a matmul whose result feeds b, and b reads a too: one kernel for both would
  // need the matmul inside it.
  auto fn = [](const Tensor& x) {
    Tensor a = x.relu() * 2;
    return (a.mm(a) + a).exp();
  };
  auto f = compile(fn);
  Tensor x = randn({16, 16}, opts());
  EXPECT_TRUE(close(f(x), fn(x), 1e-6, 1e-6));
  EXPECT_EQ(jit::forward_program(f).kernels().size(), 2u) << f.dump();
}

TEST_P(Compile, AdamStepIsOneKernelPerParameter) {
  nn::Linear lin(20, 8);
  lin->to(GetParam());
  optim::Adam opt(lin->parameters(), optim::AdamOptions(1e-3));
  Tensor x = randn({5, 20}, opts());
  auto step = compiled_linear_step(lin, opt);
  step(x);
  int updates = 0, scalars = 0;  // kernels writing parameter-sized tensors; 0-dim kernels
  for (const auto& k : jit::forward_program(step).kernels()) {
    updates += k->group().shape.size() > 0 && k->group().outputs.size() >= 3;
    scalars += k->group().shape.empty();
  }
  EXPECT_EQ(updates, 2) << step.dump();  // weight and bias: parameter, exp_avg, exp_avg_sq each
  EXPECT_EQ(scalars, 1) << step.dump();  // both parameters' step counts and bias corrections
}

TEST_P(Compile, InPlaceUpdateNeverClobbersAValueReadLater) {
  // The new state is computed before the old one is read for the last time: it cannot be
  // written into the state's memory until that read is done.
  Tensor state = randn({64, 33}, opts()), twin = state.clone();
  auto update = [](Tensor& s, const Tensor& g) {
    Tensor next = s + g * 0.5;
    Tensor old_scaled = s * 5;
    s.copy_(next);
    return old_scaled - 1;
  };
  auto f = compile([&](const Tensor& g) { return update(state, g); });
  for (int t = 0; t < 3; ++t) {
    Tensor g = randn({64, 33}, opts());
    Tensor got = f(g), want = update(twin, g);
    EXPECT_TRUE(bitwise_equal(got, want)) << t;
    EXPECT_TRUE(bitwise_equal(state, twin)) << t;
  }
}

TEST_P(Compile, ZeroGradInsideAStepFreesTheOldGradientsFirst) {
  nn::Linear lin(256, 256);
  lin->to(GetParam());
  optim::SGD opt(lin->parameters(), optim::SGDOptions(1e-3));
  Tensor x = randn({8, 256}, opts());
  auto step = compiled_linear_step(lin, opt);
  step(x);
  step(x);
  auto peak_of_a_step = [&] {
    int64_t before = memory_stats(GetParam()).allocated_bytes;
    reset_peak_memory_stats(GetParam());
    step(x);
    return memory_stats(GetParam()).peak_allocated_bytes - before;
  };
  int64_t grad_bytes = lin->weight.numel() * 4 + lin->bias.numel() * 4;
  int64_t dropped = peak_of_a_step();
  // A gradient someone still holds is left as it was, and the step needs memory for new ones.
  Tensor kept = lin->weight.grad(), kept_bias = lin->bias.grad(), copy = kept.clone();
  int64_t held = peak_of_a_step();
  EXPECT_TRUE(bitwise_equal(kept, copy));
  EXPECT_FALSE(lin->weight.grad().is_same(kept));
  EXPECT_GE(held - dropped, grad_bytes) << "held " << held << ", dropped " << dropped;
}

TEST_P(Compile, ReshapeOfATransposeKeepsItsCopy) {
  // The copy that makes the transpose viewable must survive simplification (a copy to the
  // same dtype is only the value itself when the layouts match too).
  auto f = compile([](const Tensor& x) { return (x.t() * 1).reshape({12}) + x.t().reshape({12}); });
  Tensor x = randn({3, 4}, opts());
  EXPECT_TRUE(bitwise_equal(f(x), x.t().reshape({12}) * 2));
}

TEST_P(Compile, DisabledByEnvironmentRunsEagerly) {
  setenv("EMBER_COMPILE", "0", 1);
  auto f = compile([](const Tensor& x) { return x + 1; });
  Tensor r = f(randn({3}, opts().requires_grad(true)));
  unsetenv("EMBER_COMPILE");
  EXPECT_EQ(r.grad_fn()->name(), "AddBackward1");
  EXPECT_EQ(f.stats().calls, 0);
}

TEST_P(Compile, WholeTrainingStepWithBackwardAndOptimizerInside) {
  nn::Sequential model(nn::Linear(10, 16), nn::ReLU(), nn::Linear(16, 4));
  nn::Sequential twin(nn::Linear(10, 16), nn::ReLU(), nn::Linear(16, 4));
  model->to(GetParam());
  twin->to(GetParam());
  {
    NoGradGuard g;
    auto a = model->parameters(), b = twin->parameters();
    for (size_t k = 0; k < a.size(); ++k) b[k].copy_(a[k]);
  }
  optim::SGD opt(model->parameters(), optim::SGDOptions(0.05).momentum(0.9));
  optim::SGD opt_twin(twin->parameters(), optim::SGDOptions(0.05).momentum(0.9));
  Tensor x = randn({32, 10}, opts()), y = randn({32, 4}, opts());
  auto step = compile([&](const Tensor& x, const Tensor& y) {
    opt.zero_grad();
    Tensor loss = nn::functional::mse_loss(model->forward(x), y);
    loss.backward();
    opt.step();
    return loss.detach();
  });
  for (int t = 0; t < 10; ++t) {
    Tensor lc = step(x, y);
    opt_twin.zero_grad();
    Tensor le = nn::functional::mse_loss(twin->forward(x), y);
    le.backward();
    opt_twin.step();
    EXPECT_NEAR(lc.item<double>(), le.item<double>(), 1e-5) << t;
  }
  auto a = model->parameters(), b = twin->parameters();
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_TRUE(close(a[k], b[k], 1e-5, 1e-6)) << k;
    EXPECT_TRUE(close(a[k].grad(), b[k].grad(), 1e-5, 1e-6)) << k;
  }
  EXPECT_EQ(step.stats().compiles, 1);
}

INSTANTIATE_TEST_SUITE_P(Devices, Compile, ::testing::ValuesIn(all_devices()), device_name);

TEST(CompileStrict, RefusedFusionIsAnError) {
  CompileOptions co;
  co.strict = true;
  // The neg has a different shape from the add it feeds: they cannot share a kernel.
  auto f = compile([](const Tensor& a, const Tensor& b) { return (a.neg() + b) * 2; }, co);
  EXPECT_EMBER_ERROR(f(randn({4}), randn({3, 4})), "compile(strict)");
}

TEST_P(Compile, MatmulEpiloguesFuseInInference) {
  auto o = opts();
  Tensor x = randn({64, 1000}, o), y = randn({64, 10}, o), w1 = randn({1000, 100}, o), w2 = randn({100, 10}, o);
  auto loss_of = [](const Tensor& x, const Tensor& y, const Tensor& a, const Tensor& b) {
    return (x.mm(a).clamp(0).mm(b) - y).pow(2).sum();
  };
  auto f = compile([&](const Tensor& x, const Tensor& y) { return loss_of(x, y, w1, w2); });
  NoGradGuard g;
  Tensor lc = f(x, y);
  EXPECT_NEAR(lc.item<double>(), loss_of(x, y, w1, w2).item<double>(), 1e-5 * lc.item<double>());
  // The notes' forward: mm+relu (one GEMM with its epilogue), mm, fused sub-pow-sum.
  EXPECT_EQ(launches([&] { f(x, y); }), 3) << f.dump();
  bool epilogue = false;
  for (const auto& n : jit::forward_program(f).graph().nodes) epilogue = epilogue || (n.op == OpId::FusedMm && n.attrs.b("relu"));
  EXPECT_TRUE(epilogue) << f.dump();
}

TEST_P(Compile, LinearBiasReluEpilogue) {
  nn::Sequential model(nn::Linear(32, 16), nn::ReLU(), nn::Linear(16, 4));
  model->to(GetParam());
  auto f = compile([&](const Tensor& x) { return model->forward(x); });
  Tensor x = randn({8, 32}, opts());
  NoGradGuard g;
  EXPECT_TRUE(close(f(x), model->forward(x), 1e-5, 1e-5));
  int fused = 0;
  for (const auto& n : jit::forward_program(f).graph().nodes) fused += n.op == OpId::FusedMm && n.attrs.b("bias");
  EXPECT_EQ(fused, 2) << f.dump();  // addmm + relu, and the last addmm's bias
  EXPECT_EQ(launches([&] { f(x); }), 2);
}

TEST_P(Compile, TrainingForwardKeepsThePreActivationForClampsBackward) {
  // clamp(min=0)'s gradient at exactly 0 needs the pre-activation (libtorch: x >= min), so
  // a training forward keeps mm and clamp apart: 4 launches, 3 in inference.
  auto o = opts();
  Tensor x = randn({64, 1000}, o), y = randn({64, 10}, o);
  Tensor w1 = randn({1000, 100}, o.requires_grad(true)), w2 = randn({100, 10}, o.requires_grad(true));
  auto f = compile([&](const Tensor& x, const Tensor& y) { return (x.mm(w1).clamp(0).mm(w2) - y).pow(2).sum(); });
  f(x, y);
  EXPECT_EQ(launches([&] { f(x, y); }), 4) << f.dump();
}

TEST(CompileCudaGraphs, WholeStepReplaysLikeEager) {
  EMBER_REQUIRE_CUDA();
  Device d(kCUDA);
  auto o = TensorOptions().device(d);
  Tensor x = randn({64, 1000}, o), y = randn({64, 10}, o);
  Tensor w1 = randn({1000, 100}, o.requires_grad(true)), w2 = randn({100, 10}, o.requires_grad(true));
  Tensor v1 = w1.detach().clone().requires_grad_(true), v2 = w2.detach().clone().requires_grad_(true);
  optim::SGD opt({w1, w2}, optim::SGDOptions(1e-6));
  optim::SGD opt_eager({v1, v2}, optim::SGDOptions(1e-6));
  CompileOptions co;
  co.cuda_graphs = true;
  auto step = compile([&](const Tensor& x, const Tensor& y) {
    opt.zero_grad();
    Tensor loss = (x.mm(w1).clamp(0).mm(w2) - y).pow(2).sum();
    loss.backward();
    opt.step();
    return loss.detach();
  }, co);
  for (int t = 0; t < 6; ++t) {
    Tensor lc = step(x, y);
    opt_eager.zero_grad();
    Tensor le = (x.mm(v1).clamp(0).mm(v2) - y).pow(2).sum();
    le.backward();
    opt_eager.step();
    EXPECT_NEAR(lc.item<double>(), le.item<double>(), 1e-4 * le.item<double>()) << t;
  }
  EXPECT_TRUE(close(w1, v1, 1e-4, 1e-5));
  // After warm-up and capture, a call is one graph launch plus input/output copies.
  EXPECT_LE(jit::forward_program(step).summary().launches_per_call, 12);
}

// A CUDA graph replay would repeat the seed and offset captured with it, so a program that
// draws random numbers runs without a graph: every call draws fresh numbers, as eager does.
TEST(CompileCudaGraphs, RandomOpsDrawFreshNumbersEveryCall) {
  EMBER_REQUIRE_CUDA();
  auto o = TensorOptions().device(Device(kCUDA));
  Tensor x = randn({256}, o);
  CompileOptions co;
  co.cuda_graphs = true;
  auto f = compile([&](const Tensor& x) { return x + rand({256}, o); }, co);
  manual_seed(3);
  std::vector<Tensor> compiled;
  for (int t = 0; t < 4; ++t) compiled.push_back(f(x));
  manual_seed(3);
  for (int t = 0; t < 4; ++t) EXPECT_TRUE(compiled[t].equal(x + rand({256}, o))) << "call " << t;
  EXPECT_FALSE(compiled[2].equal(compiled[3]));
}

TEST(CompileOptim, ClipGradNormInsideCompileMatchesEager) {
  manual_seed(5);
  nn::Linear lin(6, 3), twin(6, 3);
  copy_weights(twin, lin);
  optim::AdamW opt(lin->parameters(), optim::AdamWOptions(0.05)), opt_twin(twin->parameters(), optim::AdamWOptions(0.05));
  auto step = compile([&](const Tensor& x) {
    opt.zero_grad();
    Tensor loss = lin->forward(x).pow(2).sum();
    loss.backward();
    Tensor norm = nn::utils::get_total_norm({lin->weight.grad(), lin->bias.grad()});
    nn::utils::clip_grads_with_norm_(lin->parameters(), 0.5, norm);
    opt.step();
    return norm;
  });
  for (int t = 0; t < 3; ++t) {
    Tensor x = randn({16, 6}) * 3;
    Tensor norm = step(x);
    opt_twin.zero_grad();
    twin->forward(x).pow(2).sum().backward();
    double eager_norm = nn::utils::clip_grad_norm_(twin->parameters(), 0.5);
    opt_twin.step();
    EXPECT_GT(eager_norm, 0.5) << t;  // the clip is active
    EXPECT_NEAR(norm.item<double>(), eager_norm, 1e-5 * eager_norm) << t;
    EXPECT_TRUE(lin->weight.allclose(twin->weight, 1e-5, 1e-6)) << t;
  }
  // libtorch's clip_grad_norm_ inside a compiled step clips too; only its host result is NaN.
  auto step2 = compile([&](const Tensor& x) {
    opt.zero_grad();
    lin->forward(x).pow(2).sum().backward();
    double n = nn::utils::clip_grad_norm_(lin->parameters(), 0.5);
    EXPECT_TRUE(std::isnan(n));
    return lin->weight.grad().norm().detach();
  });
  Tensor x = randn({16, 6}) * 3;
  EXPECT_LE(step2(x).item<double>(), 0.5 + 1e-5);
  EXPECT_EQ(step.stats().compiles, 1);
}

TEST(CompileGuards, SchedulerLearningRateChangeNeedsNoRetrace) {
  manual_seed(3);
  nn::Linear lin(4, 2), twin(4, 2);
  copy_weights(twin, lin);
  for (bool adam : {false, true}) {
    std::unique_ptr<optim::Optimizer> opt, opt_twin;
    if (adam) {
      opt = std::make_unique<optim::Adam>(lin->parameters(), optim::AdamOptions(0.1));
      opt_twin = std::make_unique<optim::Adam>(twin->parameters(), optim::AdamOptions(0.1));
    } else {
      opt = std::make_unique<optim::SGD>(lin->parameters(), optim::SGDOptions(0.1).momentum(0.9));
      opt_twin = std::make_unique<optim::SGD>(twin->parameters(), optim::SGDOptions(0.1).momentum(0.9));
    }
    optim::StepLR sched(*opt, 1, 0.5), sched_twin(*opt_twin, 1, 0.5);
    Tensor x = randn({8, 4});
    auto step = compiled_linear_step(lin, *opt);
    std::set<double> lrs;
    for (int t = 0; t < 4; ++t) {
      lrs.insert(opt->param_groups()[0].options().get_lr());
      Tensor lc = step(x);
      opt_twin->zero_grad();
      Tensor le = twin->forward(x).pow(2).sum();
      le.backward();
      opt_twin->step();
      EXPECT_NEAR(lc.item<double>(), le.item<double>(), 1e-4 * std::abs(le.item<double>())) << adam << " " << t;
      sched.step();
      sched_twin.step();
    }
    EXPECT_TRUE(lin->weight.allclose(twin->weight, 1e-5, 1e-6)) << adam;
    // The program reads the lr at run time: one trace serves every learning rate ...
    EXPECT_GE(lrs.size(), 3u);
    EXPECT_EQ(step.stats().compiles, 1) << adam;
    // ... while the other hyperparameters are baked in and retrace when they change.
    for (auto* o : {opt.get(), opt_twin.get()}) {
      if (adam) static_cast<optim::AdamOptions&>(o->param_groups()[0].options()).eps(1e-6);
      else static_cast<optim::SGDOptions&>(o->param_groups()[0].options()).momentum(0.5);
    }
    step(x);
    opt_twin->zero_grad();
    twin->forward(x).pow(2).sum().backward();
    opt_twin->step();
    EXPECT_EQ(step.stats().compiles, 2) << adam;
    EXPECT_TRUE(lin->weight.allclose(twin->weight, 1e-5, 1e-6)) << adam;
  }
}

// A compiled call whose output is dropped without backward frees its autograd node, the
// tensors it saved and nothing is kept alive by a cycle (the node once saved the very output
// whose history it is: found by LeakSanitizer, ~800 bytes per call plus the saved tensors).
TEST_P(Compile, DroppedOutputsFreeTheirAutogradNode) {
  auto o = TensorOptions().device(GetParam());
  Tensor w = randn({4, 4}, o.requires_grad(true));
  auto f = compile([&](const Tensor& x) { return (x.mm(w) * 2).sigmoid(); });
  for (int call = 0; call < 3; ++call) {
    std::weak_ptr<Node> node;
    {
      Tensor y = f(randn({3, 4}, o));
      node = y.grad_fn();
      ASSERT_FALSE(node.expired());
    }
    EXPECT_TRUE(node.expired()) << "call " << call;
  }
  // The saved output still reads right: the gradient is eager's.
  Tensor x = randn({3, 4}, o);
  f(x).sum().backward();
  Tensor compiled_grad = w.grad().clone();
  w.mutable_grad() = Tensor();
  (x.mm(w) * 2).sigmoid().sum().backward();
  EXPECT_TRUE(close(compiled_grad, w.grad(), 1e-6, 1e-6));
}
