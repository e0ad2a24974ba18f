// libtorch ops beyond nn, written as a libtorch program would: remainder/fmod, flip/roll,
// tril/triu, repeat, cumsum/cumprod, sort/argsort/topk, var/std/norm, all/any, logsumexp.
#include <ember/torch.h>
#include <gtest/gtest.h>

#include "compat_util.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using compat::error_of;

namespace {

std::vector<double> values(const torch::Tensor& t) {
  torch::Tensor c = t.to(torch::kFloat64).cpu().contiguous();
  const double* p = c.data_ptr<double>();
  return std::vector<double>(p, p + c.numel());
}

std::vector<int64_t> ints(const torch::Tensor& t) {
  torch::Tensor c = t.to(torch::kInt64).cpu().contiguous();
  const int64_t* p = c.data_ptr<int64_t>();
  return std::vector<int64_t>(p, p + c.numel());
}

void expect_close(const std::vector<double>& got, const std::vector<double>& want,
                  double tol = 1e-6) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "at " << i;
    } else {
      EXPECT_NEAR(got[i], want[i], tol * (1 + std::abs(want[i]))) << "at " << i;
    }
  }
}

torch::Tensor f64(std::initializer_list<double> v) {
  return torch::tensor(std::vector<double>(v), torch::kFloat64);
}

std::vector<torch::Device> devices() {
  std::vector<torch::Device> d{torch::Device(torch::kCPU)};
  if (torch::cuda::is_available()) d.emplace_back(torch::kCUDA, 0);
  return d;
}

void gradcheck(const std::function<torch::Tensor(const std::vector<torch::Tensor>&)>& fn,
               const std::vector<torch::Tensor>& in) {
  EXPECT_NO_THROW(torch::autograd::gradcheck(fn, in));
}

}  // namespace

// ----- remainder / fmod

TEST(CompatOps, RemainderAndFmodSigns) {
  for (auto dev : devices()) {
    auto a = f64({5.5, -5.5, 5.5, -5.5, 3, 0}).to(dev);
    auto b = f64({2, 2, -2, -2, 1.5, 2}).to(dev);
    expect_close(values(torch::remainder(a, b)), {1.5, 0.5, -0.5, -1.5, 0, 0});
    expect_close(values(torch::fmod(a, b)), {1.5, -1.5, 1.5, -1.5, 0, 0});
    expect_close(values(a.remainder(2)), {1.5, 0.5, 1.5, 0.5, 1, 0});
    expect_close(values(a.fmod(-2)), {1.5, -1.5, 1.5, -1.5, 1, 0});
    auto ia = torch::tensor({7, -7, 7, -7}).to(dev);
    auto ib = torch::tensor({3, 3, -3, -3}).to(dev);
    EXPECT_EQ(ints(ia.remainder(ib)), (std::vector<int64_t>{1, 2, -2, -1}));
    EXPECT_EQ(ints(ia.fmod(ib)), (std::vector<int64_t>{1, -1, 1, -1}));
    EXPECT_EQ(ia.remainder(ib).scalar_type(), torch::kInt64);
  }
}

TEST(CompatOps, RemainderDtypesAndBroadcast) {
  auto a = torch::arange(6, torch::kInt32).view({2, 3});
  auto r = a.remainder(torch::tensor({4, -4, 5}, torch::kInt32));
  EXPECT_EQ(r.scalar_type(), torch::kInt32);
  EXPECT_EQ(r.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(ints(r), (std::vector<int64_t>{0, -3, 2, 3, 0, 0}));
  auto h = torch::tensor({5.5, -5.5}).to(torch::kFloat16);
  EXPECT_EQ(h.fmod(2).scalar_type(), torch::kFloat16);
  expect_close(values(h.fmod(2)), {1.5, -1.5});
  // A float scalar promotes an integer tensor to the default float, as libtorch.
  EXPECT_EQ(torch::tensor({5}).remainder(2.5).scalar_type(), torch::kFloat32);
  expect_close(values(torch::remainder(7, torch::tensor({3, -3}))), {1, -2});
  auto x = torch::tensor({5.0, -3.0});
  x.remainder_(2);
  expect_close(values(x), {1, 1});
  // Floating division by zero is NaN (no error).
  EXPECT_TRUE(std::isnan(values(f64({1}).fmod(0))[0]));
}

TEST(CompatOps, IntegerDivisionByZeroIsAnError) {
  auto a = torch::tensor({1, 2});
  EXPECT_NE(error_of([&] { a.remainder(0); }).find("ZeroDivisionError"), std::string::npos);
  EXPECT_NE(error_of([&] { a.fmod(torch::tensor({1, 0})); }).find("ZeroDivisionError"),
            std::string::npos);
  EXPECT_NE(error_of([&] { torch::tensor({true}).remainder(torch::tensor({true})); }), "(no error)");
}

TEST(CompatOps, RemainderFmodGradcheck) {
  auto a = f64({5.3, -2.2, 7.9}).requires_grad_();
  auto b = f64({2.1, 1.7, -3.3}).requires_grad_();
  gradcheck([](const std::vector<torch::Tensor>& in) { return in[0].remainder(in[1]); }, {a, b});
  gradcheck([](const std::vector<torch::Tensor>& in) { return torch::fmod(in[0], in[1]); }, {a, b});
}

// ----- flip / roll / tril / triu / repeat

TEST(CompatOps, FlipAndRoll) {
  for (auto dev : devices()) {
    auto x = torch::arange(6, torch::kFloat32).view({2, 3}).to(dev);
    expect_close(values(x.flip({1})), {2, 1, 0, 5, 4, 3});
    expect_close(values(torch::flip(x, {0, 1})), {5, 4, 3, 2, 1, 0});
    expect_close(values(x.roll({1}, {1})), {2, 0, 1, 5, 3, 4});
    expect_close(values(x.roll({-1, 1}, {0, 1})), {5, 3, 4, 2, 0, 1});
    expect_close(values(x.roll({2})), {4, 5, 0, 1, 2, 3});  // flattened
    EXPECT_EQ(x.roll({2}).sizes(), x.sizes());
    expect_close(values(torch::roll(x, {7}, {1})), {2, 0, 1, 5, 3, 4});
  }
  auto x = torch::ones({2, 2});
  EXPECT_NE(error_of([&] { x.flip({0, 0}); }).find("appears multiple times"), std::string::npos);
  EXPECT_NE(error_of([&] { x.roll({1, 2}, {0}); }).find("shifts and dimensions must align"),
            std::string::npos);
}

TEST(CompatOps, TrilTriu) {
  for (auto dev : devices()) {
    auto x = torch::arange(1, 10, 1, torch::kInt64).view({3, 3}).to(dev);
    EXPECT_EQ(ints(x.tril()), (std::vector<int64_t>{1, 0, 0, 4, 5, 0, 7, 8, 9}));
    EXPECT_EQ(ints(x.triu(1)), (std::vector<int64_t>{0, 2, 3, 0, 0, 6, 0, 0, 0}));
    EXPECT_EQ(ints(torch::tril(x, -1)), (std::vector<int64_t>{0, 0, 0, 4, 0, 0, 7, 8, 0}));
    EXPECT_EQ(ints(torch::triu(x, -1)), (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 0, 8, 9}));
    EXPECT_EQ(x.tril().scalar_type(), torch::kInt64);
    auto b = torch::ones({2, 2, 3}, torch::kBool).to(dev);  // batched, non-square, bool
    EXPECT_EQ(b.triu().scalar_type(), torch::kBool);
    EXPECT_EQ(ints(b.triu()), (std::vector<int64_t>{1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1}));
    auto y = torch::ones({2, 2}).to(dev);
    y.tril_();
    expect_close(values(y), {1, 0, 1, 1});
    y.triu_();
    expect_close(values(y), {1, 0, 0, 1});
  }
  EXPECT_NE(error_of([] { torch::ones({3}).tril(); }).find("at least 2 dimensions"),
            std::string::npos);
}

TEST(CompatOps, RepeatMatchesLibtorch) {
  auto x = torch::tensor({1, 2, 3});
  EXPECT_EQ(x.repeat({4, 2}).sizes(), (std::vector<int64_t>{4, 6}));
  EXPECT_EQ(ints(x.repeat({2})), (std::vector<int64_t>{1, 2, 3, 1, 2, 3}));
  auto y = torch::arange(4).view({2, 2}).repeat({1, 2, 1});
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{1, 4, 2}));
  EXPECT_EQ(ints(y), (std::vector<int64_t>{0, 1, 2, 3, 0, 1, 2, 3}));
  EXPECT_NE(error_of([&] { x.view({1, 3}).repeat({2}); }).find("can not be smaller"),
            std::string::npos);
}

TEST(CompatOps, ReorderGradcheck) {
  auto x = torch::randn({3, 4}, torch::kFloat64).requires_grad_();
  gradcheck([](const std::vector<torch::Tensor>& in) { return in[0].flip({0, 1}); }, {x});
  gradcheck([](const std::vector<torch::Tensor>& in) { return in[0].roll({1, -2}, {0, 1}); }, {x});
  gradcheck([](const std::vector<torch::Tensor>& in) { return in[0].roll({5}); }, {x});
  gradcheck([](const std::vector<torch::Tensor>& in) { return in[0].tril(1) + in[0].triu(2); }, {x});
}

// ----- cumsum / cumprod

TEST(CompatOps, CumsumCumprod) {
  for (auto dev : devices()) {
    auto x = torch::arange(1, 8, 1, torch::kFloat64).to(dev);
    expect_close(values(x.cumsum(0)), {1, 3, 6, 10, 15, 21, 28});
    expect_close(values(torch::cumprod(x, 0)), {1, 2, 6, 24, 120, 720, 5040});
    auto m = torch::arange(6, torch::kInt32).view({2, 3}).to(dev);
    EXPECT_EQ(m.cumsum(1).scalar_type(), torch::kInt64);  // integers accumulate in int64
    EXPECT_EQ(ints(m.cumsum(1)), (std::vector<int64_t>{0, 1, 3, 3, 7, 12}));
    EXPECT_EQ(ints(m.cumsum(0)), (std::vector<int64_t>{0, 1, 2, 3, 5, 7}));
    EXPECT_EQ(ints(m.cumprod(-1)), (std::vector<int64_t>{0, 0, 0, 3, 12, 60}));
    EXPECT_EQ(m.cumsum(1, torch::kFloat32).scalar_type(), torch::kFloat32);
    EXPECT_EQ(ints(torch::ones({3}, torch::kBool).to(dev).cumsum(0)),
              (std::vector<int64_t>{1, 2, 3}));
  }
  EXPECT_NE(error_of([] { torch::ones({3}).cumsum(1); }).find("dimension out of range"),
            std::string::npos);
}

TEST(CompatOps, CumprodGradientWithZeros) {
  // d/dx_j sum_i cumprod(x)_i = sum_{i>=j} prod_{k<=i, k!=j} x_k, by hand for x = (2, 0, 3, 0).
  auto x = f64({2, 0, 3, 0}).requires_grad_();
  x.cumprod(0).sum().backward();
  expect_close(values(x.grad()), {1, 2 + 2 * 3, 0, 0});
  auto y = f64({1.5, 0, -0.7, 2.0, 0}).requires_grad_();
  gradcheck([](const std::vector<torch::Tensor>& in) { return in[0].cumprod(0); }, {y});
  auto z = torch::randn({3, 5}, torch::kFloat64).requires_grad_();
  gradcheck([](const std::vector<torch::Tensor>& in) { return in[0].cumsum(1); }, {z});
  gradcheck([](const std::vector<torch::Tensor>& in) { return in[0].cumprod(0); }, {z});
}

// ----- sort / argsort / topk

TEST(CompatOps, SortWithNaNAndTies) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (auto dev : devices()) {
    auto x = f64({3, nan, -1, 3, 0, -0.0, 2}).to(dev);
    auto [v, i] = x.sort();
    expect_close(values(v), {-1, 0, -0.0, 2, 3, 3, nan});
    EXPECT_EQ(ints(i), (std::vector<int64_t>{2, 4, 5, 6, 0, 3, 1}));
    auto [vd, id] = torch::sort(x, /*stable=*/true, 0, /*descending=*/true);
    expect_close(values(vd), {nan, 3, 3, 2, 0, -0.0, -1});
    EXPECT_EQ(ints(id), (std::vector<int64_t>{1, 0, 3, 6, 4, 5, 2}));
    EXPECT_EQ(ints(x.argsort()), ints(i));
    EXPECT_EQ(i.scalar_type(), torch::kInt64);
  }
}

TEST(CompatOps, SortAlongDimsAndDtypes) {
  for (auto dev : devices()) {
    auto m = torch::tensor({{3, 1, 2}, {-5, 9, 0}}, torch::kInt32).to(dev);
    auto [v0, i0] = m.sort(0);
    EXPECT_EQ(v0.scalar_type(), torch::kInt32);
    EXPECT_EQ(ints(v0), (std::vector<int64_t>{-5, 1, 0, 3, 9, 2}));
    EXPECT_EQ(ints(i0), (std::vector<int64_t>{1, 0, 1, 0, 1, 0}));
    auto [v1, i1] = m.sort(1, true);
    EXPECT_EQ(ints(v1), (std::vector<int64_t>{3, 2, 1, 9, 0, -5}));
    EXPECT_EQ(ints(i1), (std::vector<int64_t>{0, 2, 1, 1, 2, 0}));
    // A transposed (non-contiguous) input and every dtype, against a sorted copy.
    for (auto dt : {torch::kUInt8, torch::kInt8, torch::kInt16, torch::kInt64, torch::kFloat16,
                    torch::kBFloat16, torch::kFloat32, torch::kFloat64}) {
      auto r = torch::randint(0, 50, {5, 7}).to(dt).to(dev).t();
      auto [sv, si] = r.sort(1);
      EXPECT_EQ(sv.scalar_type(), dt);
      EXPECT_TRUE(sv.equal(r.gather(1, si))) << dt;
      auto dv = values(sv);
      for (int64_t row = 0; row < 7; ++row)
        for (int64_t j = 1; j < 5; ++j) EXPECT_LE(dv[row * 5 + j - 1], dv[row * 5 + j]);
    }
    auto s = torch::tensor(4.0).to(dev);
    auto [sv, si] = s.sort();
    EXPECT_EQ(sv.dim(), 0);
    EXPECT_EQ(si.item<int64_t>(), 0);
  }
}

TEST(CompatOps, Topk) {
  for (auto dev : devices()) {
    auto x = torch::tensor({{1.0, 5.0, 3.0, 5.0}, {-2.0, 0.5, 7.0, 4.0}}).to(dev);
    auto [v, i] = x.topk(2);
    expect_close(values(v), {5, 5, 7, 4});
    EXPECT_EQ(ints(i), (std::vector<int64_t>{1, 3, 2, 3}));
    auto [vs, is] = torch::topk(x, 1, 0, /*largest=*/false);
    EXPECT_EQ(vs.sizes(), (std::vector<int64_t>{1, 4}));
    expect_close(values(vs), {-2, 0.5, 3, 4});
    EXPECT_EQ(ints(is), (std::vector<int64_t>{1, 1, 0, 1}));
  }
  EXPECT_NE(error_of([] { torch::ones({3}).topk(4); }).find("k out of range"), std::string::npos);
}

TEST(CompatOps, SortTopkGradcheck) {
  auto x = torch::randn({4, 5}, torch::kFloat64).requires_grad_();
  gradcheck([](const std::vector<torch::Tensor>& in) { return std::get<0>(in[0].sort(1)); }, {x});
  gradcheck([](const std::vector<torch::Tensor>& in) { return std::get<0>(in[0].sort(0, true)); }, {x});
  gradcheck([](const std::vector<torch::Tensor>& in) { return std::get<0>(in[0].topk(3, 1)); }, {x});
}

// ----- var / std / norm / all / any / logsumexp

TEST(CompatOps, VarStdTwoPass) {
  auto x = f64({1, 2, 3, 4});
  EXPECT_NEAR(x.var().item<double>(), 5.0 / 3.0, 1e-12);
  EXPECT_NEAR(x.var(false).item<double>(), 1.25, 1e-12);
  EXPECT_NEAR(x.std().item<double>(), std::sqrt(5.0 / 3.0), 1e-12);
  EXPECT_NEAR(torch::var(x, {0}, std::optional<c10::Scalar>(2)).item<double>(), 2.5, 1e-12);
  // A large offset: sum(x^2) - n mean^2 would lose every digit here (x^2 ~ 1e18).
  EXPECT_NEAR(f64({1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4}).var().item<double>(), 5.0 / 3.0, 1e-9);
  for (auto dev : devices()) {
    auto y = torch::tensor({{1.0, 2.0, 4.0}, {3.0, 3.0, 9.0}}).to(dev);
    expect_close(values(y.var({1}, true, true)), {7.0 / 3, 12});
    EXPECT_EQ(y.var({1}, true, true).sizes(), (std::vector<int64_t>{2, 1}));
    expect_close(values(y.std({0}, false)), {1, 0.5, 2.5});
    auto [v, mean] = torch::var_mean(y, {1}, /*unbiased=*/false);
    expect_close(values(v), {14.0 / 9, 8});
    expect_close(values(mean), {7.0 / 3, 5});
    auto [s, mean2] = torch::std_mean(y, {0, 1}, std::optional<c10::Scalar>(0), true);
    EXPECT_EQ(s.sizes(), (std::vector<int64_t>{1, 1}));
    EXPECT_NEAR(mean2.item<double>(), 11.0 / 3, 1e-6);
  }
  EXPECT_NE(error_of([] { torch::tensor({1, 2}).var(); }).find("floating point"),
            std::string::npos);
}

TEST(CompatOps, Norms) {
  const double inf = std::numeric_limits<double>::infinity();
  for (auto dev : devices()) {
    auto x = torch::tensor({{3.0, -4.0}, {0.0, 1.0}}).to(dev);
    EXPECT_NEAR(x.norm().item<double>(), std::sqrt(26.0), 1e-5);
    EXPECT_NEAR(x.norm(1).item<double>(), 8, 1e-5);
    EXPECT_NEAR(x.norm(inf).item<double>(), 4, 1e-6);
    EXPECT_NEAR(x.norm(-inf).item<double>(), 0, 1e-6);
    EXPECT_NEAR(x.norm(3).item<double>(), std::cbrt(27.0 + 64 + 1), 1e-4);
    expect_close(values(x.norm(2, {1})), {5, 1});
    EXPECT_EQ(x.norm(2, {1}, true).sizes(), (std::vector<int64_t>{2, 1}));
    expect_close(values(torch::frobenius_norm(x, {0, 1})), {std::sqrt(26.0)});
    expect_close(values(torch::linalg::vector_norm(x, 0, {0})), {1, 2});
    EXPECT_EQ(torch::linalg::vector_norm(x, 2, {}, false, torch::kFloat64).scalar_type(),
              torch::kFloat64);
  }
  auto g = f64({0, 0}).requires_grad_();
  g.norm().backward();  // libtorch's subgradient at 0 is 0, not NaN
  expect_close(values(g.grad()), {0, 0});
  auto x = torch::randn({3, 4}, torch::kFloat64).requires_grad_();
  gradcheck([](const std::vector<torch::Tensor>& in) { return in[0].norm(); }, {x});
  gradcheck([](const std::vector<torch::Tensor>& in) { return in[0].norm(3, {1}); }, {x});
  gradcheck([](const std::vector<torch::Tensor>& in) { return in[0].var({0}); }, {x});
  gradcheck([](const std::vector<torch::Tensor>& in) { return in[0].std({1}, false, true); }, {x});
  EXPECT_NE(error_of([] { torch::tensor({1, 2}).norm(); }).find("floating point"),
            std::string::npos);
}

TEST(CompatOps, AllAnyLogsumexp) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (auto dev : devices()) {
    auto x = torch::tensor({{1, 0, 2}, {3, 4, 5}}).to(dev);
    EXPECT_EQ(x.all().scalar_type(), torch::kBool);
    EXPECT_FALSE(x.all().item<bool>());
    EXPECT_TRUE(torch::any(x).item<bool>());
    EXPECT_EQ(ints(x.all(1)), (std::vector<int64_t>{0, 1}));
    EXPECT_EQ(ints(x.any(0, true)), (std::vector<int64_t>{1, 1, 1}));
    EXPECT_EQ(x.any(0, true).sizes(), (std::vector<int64_t>{1, 3}));
    EXPECT_TRUE(f64({nan}).to(dev).all().item<bool>());
    EXPECT_FALSE(torch::zeros({2, 2}, torch::kBool).to(dev).any().item<bool>());
    EXPECT_EQ(torch::ones({2}, torch::kUInt8).all().scalar_type(), torch::kUInt8);
    auto y = f64({1, 2, 3}).to(dev);
    EXPECT_NEAR(y.logsumexp({0}).item<double>(), std::log(std::exp(1) + std::exp(2) + std::exp(3)),
                1e-12);
  }
}

// ----- compile() captures them

TEST(CompatOps, CompileMatchesEager) {
  auto fn = [](const torch::Tensor& x, const torch::Tensor& y) {
    auto [v, i] = x.sort(1, true);
    auto t = std::get<0>(x.topk(2, 1));
    return v.cumsum(1) + x.flip({0}).roll({1}, {1}).tril() + x.remainder(y) + torch::fmod(x, y) +
           x.var({1}, true, true) + x.norm(2, {1}, true) + x.cumprod(1) + t.sum() +
           x.std({0}).sum() + x.logsumexp({1}, true) + i.to(torch::kFloat64) +
           x.gt(0).all(1, true).to(torch::kFloat64);
  };
  auto compiled = torch::compile(fn);
  auto x = torch::randn({3, 4}, torch::kFloat64);
  auto y = torch::rand({3, 4}, torch::kFloat64) + 0.5;
  auto eager = fn(x, y);
  auto got = compiled(x, y);
  expect_close(values(got), values(eager), 1e-12);
  auto xg = x.clone().requires_grad_();
  auto ge = fn(xg, y).sum();
  ge.backward();
  auto grad_eager = xg.grad().clone();
  xg.mutable_grad() = torch::Tensor();
  compiled(xg, y).sum().backward();
  expect_close(values(xg.grad()), values(grad_eager), 1e-10);
}
