// libtorch-style optimizers, parameter groups, state, schedulers and nn::utils through
// <ember/torch.h> only.
#include <ember/torch.h>
#include <gtest/gtest.h>

#include "compat_util.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using compat::error_of;

namespace {
const std::vector<double> kP0{0.5, -1.0, 2.0, 0.25}, kC{0.1, -0.3, 0.7, 1.5};

// loss = sum(p * c) + sum(p^2) / 2, so grad = c + p.
void backward(const torch::Tensor& p) {
  auto c = torch::tensor(kC, torch::TensorOptions().dtype(p.scalar_type()).device(p.device()));
  ((p * c).sum() + p.pow(2).sum() / 2).backward();
}

torch::Tensor param(torch::Device d = torch::kCPU) {
  return torch::tensor(kP0, torch::TensorOptions().dtype(torch::kFloat64).device(d)).requires_grad_(true);
}

std::vector<double> values(const torch::Tensor& t) {
  auto c = t.to(torch::Device(torch::kCPU));
  std::vector<double> out;
  for (int64_t i = 0; i < c.numel(); ++i) out.push_back(c[i].item<double>());
  return out;
}

void expect_near(const std::vector<double>& a, const std::vector<double>& b, double tol) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], tol) << "element " << i;
}

std::vector<double> ref_adagrad(int steps, double lr, double lr_decay, double wd, double init, double eps) {
  std::vector<double> p = kP0, sum(p.size(), init);
  for (int s = 1; s <= steps; ++s)
    for (size_t i = 0; i < p.size(); ++i) {
      double g = kC[i] + p[i] + wd * p[i];
      double clr = lr / (1 + (s - 1) * lr_decay);
      sum[i] += g * g;
      p[i] -= clr * g / (std::sqrt(sum[i]) + eps);
    }
  return p;
}

std::vector<double> ref_rmsprop(int steps, double lr, double alpha, double eps, double wd, double momentum,
                                bool centered) {
  std::vector<double> p = kP0, sq(p.size()), gavg(p.size()), buf(p.size());
  for (int s = 1; s <= steps; ++s)
    for (size_t i = 0; i < p.size(); ++i) {
      double g = kC[i] + p[i] + wd * p[i];
      sq[i] = alpha * sq[i] + (1 - alpha) * g * g;
      double avg;
      if (centered) {
        gavg[i] = alpha * gavg[i] + (1 - alpha) * g;
        avg = std::sqrt(sq[i] - gavg[i] * gavg[i]) + eps;
      } else {
        avg = std::sqrt(sq[i]) + eps;
      }
      if (momentum > 0) {
        buf[i] = momentum * buf[i] + g / avg;
        p[i] -= lr * buf[i];
      } else {
        p[i] -= lr * g / avg;
      }
    }
  return p;
}

template <class Opt>
std::vector<double> run(Opt& opt, const torch::Tensor& p, int steps) {
  for (int s = 0; s < steps; ++s) {
    opt.zero_grad();
    backward(p);
    opt.step();
  }
  return values(p);
}
}  // namespace

TEST(CompatOptim, AdagradMatchesHandComputedUpdates) {
  for (auto [lr, decay, wd, init] : std::vector<std::tuple<double, double, double, double>>{
           {0.1, 0.0, 0.0, 0.0}, {0.05, 0.1, 0.01, 0.5}}) {
    auto p = param();
    torch::optim::Adagrad opt({p}, torch::optim::AdagradOptions(lr).lr_decay(decay).weight_decay(wd)
                                       .initial_accumulator_value(init));
    expect_near(run(opt, p, 5), ref_adagrad(5, lr, decay, wd, init, 1e-10), 1e-12);
    auto& state = static_cast<torch::optim::AdagradParamState&>(*opt.state().at(p.unsafeGetTensorImpl()));
    EXPECT_EQ(state.step(), 5);
    EXPECT_EQ(state.sum().numel(), 4);
  }
  torch::optim::AdagradOptions d;
  EXPECT_EQ(d.lr(), 1e-2);
  EXPECT_EQ(d.eps(), 1e-10);
  EXPECT_EQ(error_of([] { torch::optim::Adagrad({param()}, torch::optim::AdagradOptions(-1)); }),
            "Invalid learning rate: -1");
}

TEST(CompatOptim, RMSpropMatchesHandComputedUpdates) {
  for (auto [alpha, wd, mom, centered] : std::vector<std::tuple<double, double, double, bool>>{
           {0.99, 0.0, 0.0, false}, {0.9, 0.01, 0.5, false}, {0.8, 0.0, 0.9, true}}) {
    auto p = param();
    torch::optim::RMSprop opt({p}, torch::optim::RMSpropOptions(0.01).alpha(alpha).weight_decay(wd)
                                       .momentum(mom).centered(centered));
    expect_near(run(opt, p, 5), ref_rmsprop(5, 0.01, alpha, 1e-8, wd, mom, centered), 1e-12);
    auto& state = static_cast<torch::optim::RMSpropParamState&>(*opt.state().at(p.unsafeGetTensorImpl()));
    EXPECT_EQ(state.step(), 5);
    EXPECT_EQ(state.grad_avg().defined(), centered);
    EXPECT_EQ(state.momentum_buffer().defined(), mom > 0);
  }
  torch::optim::RMSpropOptions d;
  EXPECT_EQ(d.lr(), 1e-2);
  EXPECT_EQ(d.alpha(), 0.99);
  EXPECT_EQ(d.eps(), 1e-8);
}

TEST(CompatOptim, AdagradRMSpropOnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  auto p = param(torch::kCUDA);
  torch::optim::RMSprop opt({p}, torch::optim::RMSpropOptions(0.01).momentum(0.5).centered(true));
  expect_near(run(opt, p, 3), ref_rmsprop(3, 0.01, 0.99, 1e-8, 0, 0.5, true), 1e-12);
  auto q = param(torch::kCUDA);
  torch::optim::Adagrad ada({q}, torch::optim::AdagradOptions(0.1));
  expect_near(run(ada, q, 3), ref_adagrad(3, 0.1, 0, 0, 0, 1e-10), 1e-12);
}

TEST(CompatOptim, CompiledAdagradAndRMSpropStepsMatchEager) {
  for (int which = 0; which < 2; ++which) {
    auto pe = param(), pc = param();
    std::unique_ptr<torch::optim::Optimizer> eager, comp;
    if (which == 0) {
      eager = std::make_unique<torch::optim::Adagrad>(std::vector<torch::Tensor>{pe}, torch::optim::AdagradOptions(0.1).lr_decay(0.1));
      comp = std::make_unique<torch::optim::Adagrad>(std::vector<torch::Tensor>{pc}, torch::optim::AdagradOptions(0.1).lr_decay(0.1));
    } else {
      eager = std::make_unique<torch::optim::RMSprop>(std::vector<torch::Tensor>{pe}, torch::optim::RMSpropOptions(0.01).momentum(0.5));
      comp = std::make_unique<torch::optim::RMSprop>(std::vector<torch::Tensor>{pc}, torch::optim::RMSpropOptions(0.01).momentum(0.5));
    }
    auto step = torch::compile([&](const torch::Tensor& scale) {
      comp->zero_grad();
      auto c = torch::tensor(kC, torch::kFloat64);
      auto loss = ((pc * c).sum() + pc.pow(2).sum() / 2) * scale;
      loss.backward();
      comp->step();
      return loss.detach();
    });
    auto one = torch::ones({}, torch::kFloat64);
    for (int s = 0; s < 4; ++s) {
      step(one);
      eager->zero_grad();
      backward(pe);
      eager->step();
    }
    expect_near(values(pc), values(pe), 1e-12);
  }
}

TEST(CompatOptim, ParamGroupsWithPerGroupOptions) {
  auto a = param(), b = param();
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<torch::Tensor>{a});
  groups.emplace_back(std::vector<torch::Tensor>{b}, std::make_unique<torch::optim::AdamOptions>(0.5));
  torch::optim::Adam opt(groups, torch::optim::AdamOptions(0.1));
  ASSERT_EQ(opt.param_groups().size(), 2u);
  EXPECT_EQ(static_cast<torch::optim::AdamOptions&>(opt.param_groups()[0].options()).lr(), 0.1);
  EXPECT_EQ(static_cast<torch::optim::AdamOptions&>(opt.param_groups()[1].options()).lr(), 0.5);
  static_cast<torch::optim::AdamOptions&>(opt.param_groups()[1].options()).lr(0.25);
  EXPECT_EQ(opt.param_groups()[1].options().get_lr(), 0.25);
  EXPECT_EQ(static_cast<torch::optim::AdamOptions&>(opt.defaults()).lr(), 0.1);
  EXPECT_EQ(opt.size(), 2u);
  auto c = param();
  opt.add_param_group(torch::optim::OptimizerParamGroup({c}));
  EXPECT_EQ(opt.param_groups()[2].options().get_lr(), 0.1);  // the defaults
  EXPECT_EQ(error_of([&] { opt.add_param_group(torch::optim::OptimizerParamGroup({a})); }),
            "some parameters appear in more than one parameter group");
  EXPECT_EQ(error_of([&] { opt.add_param_group(torch::optim::OptimizerParamGroup({a * 2})); }),
            "can't optimize a non-leaf Tensor");
  // One step: each group moves by its own lr (Adam's first step is lr * sign(g)).
  for (auto& p : {a, b, c}) backward(p);
  opt.step();
  EXPECT_NEAR(values(a)[0], kP0[0] - 0.1, 1e-7);
  EXPECT_NEAR(values(b)[0], kP0[0] - 0.25, 1e-7);
  auto& st = static_cast<torch::optim::AdamParamState&>(*opt.state().at(b.unsafeGetTensorImpl()));
  EXPECT_EQ(st.step(), 1);
  EXPECT_TRUE(st.exp_avg().defined());
  EXPECT_EQ(opt.state().size(), 3u);
  opt.zero_grad();
  for (auto& p : {a, b, c}) EXPECT_FALSE(p.grad().defined());
}

TEST(CompatOptim, SGDGroupsAndClosure) {
  auto a = param(), b = param();
  std::vector<torch::optim::OptimizerParamGroup> groups{torch::optim::OptimizerParamGroup({a}),
      torch::optim::OptimizerParamGroup({b}, std::make_unique<torch::optim::SGDOptions>(0.0))};
  torch::optim::SGD opt(groups, torch::optim::SGDOptions(0.1).momentum(0.9));
  auto loss = opt.step([&] {
    opt.zero_grad();
    backward(a);
    backward(b);
    return a.sum();
  });
  EXPECT_NEAR(loss.item<double>(), 1.75, 1e-12);
  EXPECT_NEAR(values(a)[0], 0.5 - 0.1 * (0.1 + 0.5), 1e-12);
  EXPECT_EQ(values(b)[0], 0.5);  // lr 0 group
  auto& st = static_cast<torch::optim::SGDParamState&>(*opt.state().at(a.unsafeGetTensorImpl()));
  EXPECT_TRUE(st.momentum_buffer().defined());
  EXPECT_EQ(static_cast<torch::optim::SGDOptions&>(opt.param_groups()[0].options()).momentum(), 0.9);
}

TEST(CompatScheduler, StepLRFollowsLibtorchCounting) {
  auto p = param();
  torch::optim::SGD opt({p}, torch::optim::SGDOptions(1.0));
  torch::optim::StepLR sched(opt, /*step_size=*/2, /*gamma=*/0.5);
  // libtorch: get_lrs() decays when step_count_ > 0 and step_count_ % step_size == 0.
  std::vector<double> lrs;
  for (int i = 0; i < 6; ++i) {
    sched.step();
    lrs.push_back(opt.param_groups()[0].options().get_lr());
  }
  expect_near(lrs, {1.0, 1.0, 0.5, 0.5, 0.25, 0.25}, 1e-15);
}

TEST(CompatScheduler, CosineAnnealingFollowsPythonFormula) {
  auto p = param();
  std::vector<torch::optim::OptimizerParamGroup> groups{torch::optim::OptimizerParamGroup({p})};
  torch::optim::Adam opt(groups, torch::optim::AdamOptions(0.1));
  torch::optim::CosineAnnealingLR sched(opt, /*T_max=*/4, /*eta_min=*/0.01);
  for (int k = 1; k <= 6; ++k) {
    sched.step();
    double expected = 0.01 + (0.1 - 0.01) * (1 + std::cos(M_PI * k / 4)) / 2;
    EXPECT_NEAR(opt.param_groups()[0].options().get_lr(), expected, 1e-15) << "step " << k;
  }
}

TEST(CompatScheduler, LambdaLRWarmUpThenCosine) {
  auto p = param();
  std::vector<torch::optim::OptimizerParamGroup> groups{torch::optim::OptimizerParamGroup({p}),
                                                        torch::optim::OptimizerParamGroup({param()})};
  torch::optim::AdamW opt(groups, torch::optim::AdamWOptions(0.2));
  static_cast<torch::optim::AdamWOptions&>(opt.param_groups()[1].options()).lr(0.1);
  auto schedule = [](unsigned k) { return k < 2 ? (k + 1) / 2.0 : 0.5 * (1 + std::cos(M_PI * (k - 2) / 4.0)); };
  torch::optim::LambdaLR sched(opt, schedule);
  EXPECT_DOUBLE_EQ(opt.param_groups()[0].options().get_lr(), 0.1);  // lambda(0) applies at once
  EXPECT_DOUBLE_EQ(opt.param_groups()[1].options().get_lr(), 0.05);
  for (unsigned k = 1; k <= 6; ++k) {
    sched.step();
    EXPECT_NEAR(opt.param_groups()[0].options().get_lr(), 0.2 * schedule(k), 1e-15) << "step " << k;
    EXPECT_NEAR(opt.param_groups()[1].options().get_lr(), 0.1 * schedule(k), 1e-15) << "step " << k;
  }
}

TEST(CompatScheduler, ReduceLROnPlateau) {
  auto p = param();
  torch::optim::SGD opt({p}, torch::optim::SGDOptions(1.0));
  using Sched = torch::optim::ReduceLROnPlateauScheduler;
  Sched sched(opt, Sched::min, /*factor=*/0.5, /*patience=*/1, /*threshold=*/0.0, Sched::abs,
              /*cooldown=*/1, /*min_lr=*/{0.2});
  std::vector<float> metrics{5, 4, 4, 4, 4, 4, 4, 4, 4, 3};
  std::vector<double> lrs;
  for (float m : metrics) {
    sched.step(m);
    lrs.push_back(opt.param_groups()[0].options().get_lr());
  }
  // bad epochs: 4,4 -> reduce (0.5), cooldown 1 swallows one, then 2 more bad -> 0.25, then
  // cooldown, then 2 more -> clamped to min_lr 0.2, then no change.
  expect_near(lrs, {1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25}, 1e-7);
  EXPECT_EQ(error_of([&] { Sched(opt, Sched::min, 1.5f); }), "Factor should be < 1.0.");
  torch::optim::SGD opt2({param()}, torch::optim::SGDOptions(1.0));
  Sched maxer(opt2, Sched::max, 0.1f, 0, 0.1, Sched::rel);
  maxer.step(1.0f);   // best = 1
  maxer.step(1.05f);  // not > 1.1: bad, patience 0 -> reduce
  EXPECT_NEAR(opt2.param_groups()[0].options().get_lr(), 0.1, 1e-7);
}

TEST(CompatNnUtils, ClipGradNormValueAndVectors) {
  auto a = torch::zeros({2}, torch::requires_grad()), b = torch::zeros({1}, torch::requires_grad());
  a.mutable_grad() = torch::tensor({3.0f, 4.0f});
  b.mutable_grad() = torch::tensor({12.0f});
  double norm = torch::nn::utils::clip_grad_norm_({a, b}, 1.0);
  EXPECT_NEAR(norm, 13.0, 1e-6);
  EXPECT_NEAR(a.grad()[0].item<float>(), 3.0 / (13.0 + 1e-6), 1e-6);
  EXPECT_NEAR(b.grad()[0].item<float>(), 12.0 / (13.0 + 1e-6), 1e-6);
  a.mutable_grad() = torch::tensor({-3.0f, 0.5f});
  double inf = torch::nn::utils::clip_grad_norm_(a, 10.0, std::numeric_limits<double>::infinity());
  EXPECT_NEAR(inf, 3.0, 1e-7);
  EXPECT_EQ(a.grad()[0].item<float>(), -3.0f);  // norm below max: unchanged
  double l1 = torch::nn::utils::clip_grad_norm_(std::vector<torch::Tensor>{a}, 1.75, 1.0);
  EXPECT_NEAR(l1, 3.5, 1e-6);
  EXPECT_NEAR(a.grad()[0].item<float>(), -1.5, 1e-5);
  a.mutable_grad() = torch::tensor({std::numeric_limits<float>::infinity(), 1.0f});
  EXPECT_NE(error_of([&] { torch::nn::utils::clip_grad_norm_(a, 1.0, 2.0, true); }).find("is non-finite"),
            std::string::npos);
  a.mutable_grad() = torch::tensor({-3.0f, 0.5f});
  torch::nn::utils::clip_grad_value_(a, 1.0);
  EXPECT_EQ(a.grad()[0].item<float>(), -1.0f);
  EXPECT_EQ(a.grad()[1].item<float>(), 0.5f);
  EXPECT_EQ(torch::nn::utils::clip_grad_norm_(torch::zeros({1}), 1.0), 0.0);  // no gradients

  torch::nn::Linear fc(3, 2);
  auto vec = torch::nn::utils::parameters_to_vector(fc->parameters());
  EXPECT_EQ(vec.numel(), 8);
  EXPECT_TRUE(torch::equal(vec.narrow(0, 0, 6), fc->weight.reshape({-1})));
  auto w = fc->weight;
  torch::nn::utils::vector_to_parameters(torch::arange(8).to(torch::kFloat32), fc->parameters());
  EXPECT_TRUE(w.is_same(fc->weight));
  EXPECT_EQ(fc->weight[1][2].item<float>(), 5.0f);
  EXPECT_EQ(fc->bias[1].item<float>(), 7.0f);
  EXPECT_NE(error_of([&] { torch::nn::utils::vector_to_parameters(torch::zeros({3}), fc->parameters()); })
                .find("expected a 1-D tensor of 8 elements"),
            std::string::npos);
}
