// Pooling against naive loops in double written here: max (padding, dilation, ceil_mode,
// indices flat per plane, NaN), avg (count_include_pad, ceil_mode, divisor_override),
// adaptive avg / max, max_unpool; gradcheck in float64; errors; modules; CUDA (skips).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "ember/ember.h"
#include "test_util.h"

using namespace ember;
using namespace ember::testing;
namespace F = ember::nn::functional;

namespace {

TensorOptions f64() { return TensorOptions().dtype(kFloat64); }

int64_t out_len(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil) {
  int64_t num = in + 2 * p - d * (k - 1) - 1;
  int64_t o = (ceil ? (num + s - 1) / s : num / s) + 1;
  if (ceil && (o - 1) * s >= in + p) --o;
  return o;
}

// max_pool2d: values and flat indices, NaN wins.
std::pair<Tensor, Tensor> ref_max2d(const Tensor& x, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil) {
  auto X = values(x);
  int64_t P = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
  int64_t OH = out_len(H, k, s, p, d, ceil), OW = out_len(W, k, s, p, d, ceil);
  std::vector<double> V;
  std::vector<int64_t> I;
  for (int64_t pl = 0; pl < P; ++pl)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        double best = -INFINITY;
        int64_t bi = -1;
        for (int64_t i = 0; i < k; ++i)
          for (int64_t j = 0; j < k; ++j) {
            int64_t h = oh * s - p + i * d, w = ow * s - p + j * d;
            if (h < 0 || h >= H || w < 0 || w >= W) continue;
            double v = X[(pl * H + h) * W + w];
            if (bi < 0 || v > best || std::isnan(v)) best = v, bi = h * W + w;
          }
        V.push_back(best);
        I.push_back(bi);
      }
  return {from_blob(V.data(), {x.size(0), x.size(1), OH, OW}, f64()).clone(),
          from_blob(I.data(), {x.size(0), x.size(1), OH, OW}, TensorOptions().dtype(kInt64)).clone()};
}

Tensor ref_avg2d(const Tensor& x, int64_t k, int64_t s, int64_t p, bool ceil, bool include_pad, int64_t divisor) {
  auto X = values(x);
  int64_t P = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
  int64_t OH = out_len(H, k, s, p, 1, ceil), OW = out_len(W, k, s, p, 1, ceil);
  std::vector<double> V;
  for (int64_t pl = 0; pl < P; ++pl)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        int64_t h0 = oh * s - p, w0 = ow * s - p;
        int64_t h1 = std::min(h0 + k, H + p), w1 = std::min(w0 + k, W + p);
        int64_t pool = (h1 - h0) * (w1 - w0);
        double sum = 0;
        int64_t n = 0;
        for (int64_t h = std::max<int64_t>(h0, 0); h < std::min(h1, H); ++h)
          for (int64_t w = std::max<int64_t>(w0, 0); w < std::min(w1, W); ++w) sum += X[(pl * H + h) * W + w], ++n;
        double div = divisor ? divisor : (include_pad ? pool : n);
        V.push_back(n ? sum / div : 0.0);
      }
  return from_blob(V.data(), {x.size(0), x.size(1), OH, OW}, f64()).clone();
}

// Adaptive windows: [floor(o*I/O), ceil((o+1)*I/O)).
std::pair<Tensor, Tensor> ref_adaptive2d(const Tensor& x, int64_t OH, int64_t OW, bool max) {
  auto X = values(x);
  int64_t P = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
  std::vector<double> V;
  std::vector<int64_t> I;
  for (int64_t pl = 0; pl < P; ++pl)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        int64_t h0 = oh * H / OH, h1 = ((oh + 1) * H + OH - 1) / OH, w0 = ow * W / OW, w1 = ((ow + 1) * W + OW - 1) / OW;
        double acc = max ? -INFINITY : 0.0;
        int64_t bi = h0 * W + w0;
        for (int64_t h = h0; h < h1; ++h)
          for (int64_t w = w0; w < w1; ++w) {
            double v = X[(pl * H + h) * W + w];
            if (!max) acc += v;
            else if (v > acc || std::isnan(v)) acc = v, bi = h * W + w;
          }
        V.push_back(max ? acc : acc / static_cast<double>((h1 - h0) * (w1 - w0)));
        I.push_back(bi);
      }
  return {from_blob(V.data(), {x.size(0), x.size(1), OH, OW}, f64()).clone(),
          from_blob(I.data(), {x.size(0), x.size(1), OH, OW}, TensorOptions().dtype(kInt64)).clone()};
}

}  // namespace

TEST(Pool, MaxPool2dMatchesReference) {
  manual_seed(0);
  struct C {
    int64_t h, w, k, s, p, d;
    bool ceil;
  };
  for (C c : {C{7, 6, 2, 2, 0, 1, false}, C{7, 6, 2, 2, 0, 1, true}, C{9, 9, 3, 2, 1, 1, true},
              C{10, 8, 3, 1, 1, 2, false}, C{5, 5, 3, 3, 1, 1, true}, C{11, 7, 4, 3, 2, 1, true}}) {
    Tensor x = randn({2, 3, c.h, c.w}, f64());
    auto [rv, ri] = ref_max2d(x, c.k, c.s, c.p, c.d, c.ceil);
    for (ScalarType dt : {kFloat64, kFloat32}) {
      auto [v, i] = max_pool2d_with_indices(x.to(dt), c.k, c.s, c.p, c.d, c.ceil);
      EXPECT_TRUE(close(v.to(kFloat64), rv, 1e-6, 1e-6)) << "k=" << c.k << " s=" << c.s << " ceil=" << c.ceil;
      EXPECT_TRUE(bitwise_equal(i, ri)) << "k=" << c.k << " s=" << c.s;
    }
  }
  // stride defaults to the kernel; unbatched input.
  Tensor x = randn({3, 8, 8});
  EXPECT_EQ(max_pool2d(x, 2).sizes(), IntArrayRef({3, 4, 4}));
}

TEST(Pool, MaxPoolPropagatesNaNAnd1d3d) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  Tensor x = tensor({1.0, nan, 3.0, 2.0, 5.0, nan}, f64()).view({1, 1, 6});
  auto [v, i] = max_pool1d_with_indices(x, 2);
  auto vv = values(v);
  EXPECT_TRUE(std::isnan(vv[0]));
  EXPECT_EQ(vv[1], 3.0);
  EXPECT_TRUE(std::isnan(vv[2]));
  EXPECT_EQ(values(i), (std::vector<double>{1, 2, 5}));
  // max_pool3d == the reference's 2-d pool on each depth slice when the depth kernel is 1.
  Tensor x3 = randn({1, 2, 3, 6, 6}, f64());
  Tensor y3 = max_pool3d(x3, {1, 3, 3}, {1, 2, 2}, {0, 1, 1});
  for (int64_t dz = 0; dz < 3; ++dz)
    EXPECT_TRUE(close(y3.select(2, dz), ref_max2d(x3.select(2, dz), 3, 2, 1, 1, false).first, 0, 0));
  // a full 3-d window: its max is the global max of each plane.
  Tensor g = max_pool3d(x3, {3, 6, 6});
  EXPECT_TRUE(close(g.flatten(2).squeeze(2), x3.flatten(2).amax(2), 0, 0));
}

TEST(Pool, AvgPool2dMatchesReference) {
  manual_seed(1);
  struct C {
    int64_t h, w, k, s, p;
    bool ceil, include_pad;
    int64_t divisor;
  };
  for (C c : {C{7, 6, 2, 2, 0, false, true, 0}, C{7, 6, 3, 2, 1, true, true, 0}, C{7, 6, 3, 2, 1, true, false, 0},
              C{9, 8, 3, 3, 1, false, false, 0}, C{6, 6, 3, 2, 1, true, true, 5}, C{11, 5, 4, 3, 2, true, false, 0}}) {
    Tensor x = randn({2, 2, c.h, c.w}, f64());
    Tensor r = ref_avg2d(x, c.k, c.s, c.p, c.ceil, c.include_pad, c.divisor);
    std::optional<int64_t> div;
    if (c.divisor) div = c.divisor;
    EXPECT_TRUE(close(avg_pool2d(x, c.k, c.s, c.p, c.ceil, c.include_pad, div), r, 1e-12, 1e-12))
        << "k=" << c.k << " s=" << c.s << " p=" << c.p << " ceil=" << c.ceil << " pad=" << c.include_pad;
    EXPECT_TRUE(close(avg_pool2d(x.to(kFloat32), c.k, c.s, c.p, c.ceil, c.include_pad, div).to(kFloat64), r, 1e-5, 1e-6));
  }
  Tensor x = randn({1, 2, 9}, f64());
  // avg_pool1d is the 2-d pool with a unit height (window (1, 3), stride (1, 2), padding (0, 1)).
  EXPECT_TRUE(close(avg_pool1d(x, 3, 2, 1).unsqueeze(2), ref_avg2d(x.unsqueeze(2), 1, 1, 0, false, true, 0).numel() ? avg_pool2d(x.unsqueeze(2), {1, 3}, {1, 2}, {0, 1}) : Tensor(), 1e-12, 1e-12));
}

TEST(Pool, AdaptivePoolsMatchReference) {
  manual_seed(2);
  for (auto [h, w, oh, ow] : {std::tuple<int64_t, int64_t, int64_t, int64_t>{7, 6, 3, 4}, {8, 8, 1, 1}, {5, 9, 5, 9},
                              {10, 3, 4, 2}, {4, 4, 7, 6}}) {
    Tensor x = randn({2, 3, h, w}, f64());
    EXPECT_TRUE(close(adaptive_avg_pool2d(x, {oh, ow}), ref_adaptive2d(x, oh, ow, false).first, 1e-12, 1e-12));
    auto [v, i] = adaptive_max_pool2d(x, {oh, ow});
    auto [rv, ri] = ref_adaptive2d(x, oh, ow, true);
    EXPECT_TRUE(close(v, rv, 0, 0));
    EXPECT_TRUE(bitwise_equal(i, ri));
  }
  Tensor x = randn({2, 3, 10}, f64());
  EXPECT_TRUE(close(adaptive_avg_pool1d(x, 4), adaptive_avg_pool2d(x.unsqueeze(2), {1, 4}).squeeze(2), 0, 0));
  EXPECT_TRUE(close(std::get<0>(adaptive_max_pool1d(x, 3)),
                    std::get<0>(adaptive_max_pool2d(x.unsqueeze(2), {1, 3})).squeeze(2), 0, 0));
}

TEST(Pool, GradcheckFloat64) {
  manual_seed(3);
  Tensor x = randn({2, 2, 7, 6}, f64()).set_requires_grad(true);
  using V = std::vector<Tensor>;
  autograd::gradcheck([](const V& in) { return max_pool2d(in[0], 3, 2, 1, 1, true); }, {x});
  autograd::gradcheck([](const V& in) { return max_pool2d(in[0], 2, 1, 0, 2); }, {x});
  autograd::gradcheck([](const V& in) { return avg_pool2d(in[0], 3, 2, 1, true, false); }, {x});
  autograd::gradcheck([](const V& in) { return avg_pool2d(in[0], 3, 2, 1, false, true, 4); }, {x});
  autograd::gradcheck([](const V& in) { return adaptive_avg_pool2d(in[0], {3, 4}); }, {x});
  autograd::gradcheck([](const V& in) { return std::get<0>(adaptive_max_pool2d(in[0], {3, 4})); }, {x});
  Tensor x3 = randn({1, 2, 4, 5, 3}, f64()).set_requires_grad(true);
  autograd::gradcheck([](const V& in) { return avg_pool3d(in[0], 2, 1, 1); }, {x3});
  autograd::gradcheck([](const V& in) { return max_pool3d(in[0], 2, 2, 0, 1, true); }, {x3});
  // The average pools' backward ops differentiate to the pools: grad of <grad(x), v> is exact.
  Tensor xx = randn({1, 2, 6, 5}, f64()).set_requires_grad(true), v = randn({1, 2, 6, 5}, f64());
  Tensor y = avg_pool2d(xx, 3, 2, 1, true, false);
  Tensor u = randn(y.sizes(), f64()).set_requires_grad(true);
  Tensor gx = autograd::grad({y}, {xx}, {u}, true, true)[0];  // AvgPoolBackward(u)
  Tensor gu = autograd::grad({(gx * v).sum()}, {u})[0];       // = avg_pool(v)
  EXPECT_TRUE(close(gu, avg_pool2d(v, 3, 2, 1, true, false), 1e-12, 1e-12));
}

TEST(Pool, MaxUnpool2dInvertsMaxPool) {
  Tensor x = arange(16, f64()).view({1, 1, 4, 4});
  auto [v, i] = max_pool2d_with_indices(x, 2);
  Tensor u = max_unpool2d(v, i, {4, 4});
  EXPECT_EQ(values(u), (std::vector<double>{0, 0, 0, 0, 0, 5, 0, 7, 0, 0, 0, 0, 0, 13, 0, 15}));
  nn::MaxUnpool2d unpool(nn::MaxUnpool2dOptions(2));
  EXPECT_TRUE(close(unpool->forward(v, i), u, 0, 0));
  Tensor vg = v.clone().set_requires_grad(true);
  Tensor idx = i;  // a lambda may not capture a structured binding before clang 16
  autograd::gradcheck([&idx](const std::vector<Tensor>& in) { return max_unpool2d(in[0], idx, {4, 4}); }, {vg});
  EXPECT_THROW(max_unpool2d(v, i.add(Scalar(int64_t{20})), {4, 4}), Error);
}

TEST(Pool, ErrorsUseLibtorchWording) {
  try {
    max_pool2d(randn({1, 1, 4, 4}), 3, 1, 2);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("pad should be at most half of effective kernel size, but got pad=2, "
                                         "kernel_size=3 and dilation=1"),
              std::string::npos)
        << e.what();
  }
  try {
    max_pool2d(randn({1, 3, 2, 2}), 3);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Given input size: (3x2x2). Calculated output size: (3x0x0). Output size is "
                                         "too small"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(max_pool2d(randn({4, 4}), 2), Error);
  EXPECT_THROW(avg_pool2d(ones({1, 1, 4, 4}, TensorOptions().dtype(kInt64)), 2), Error);
  EXPECT_THROW(max_pool2d(randn({1, 1, 4, 4}), 0), Error);
  EXPECT_THROW(avg_pool2d(randn({1, 1, 4, 4}), 2, 2, 0, false, true, 0), Error);
}

TEST(Pool, ModulesAndPrint) {
  nn::MaxPool2d mp(nn::MaxPool2dOptions(3).stride(2).padding(1));
  EXPECT_EQ(mp->forward(randn({2, 4, 9, 9})).sizes(), IntArrayRef({2, 4, 5, 5}));
  std::ostringstream os;
  mp->pretty_print(os);
  EXPECT_EQ(os.str(), "torch::nn::MaxPool2d(kernel_size=[3, 3], stride=[2, 2], padding=[1, 1], dilation=[1, 1], "
                      "ceil_mode=false)");
  nn::AvgPool2d ap(nn::AvgPool2dOptions({2, 3}).ceil_mode(true));
  EXPECT_EQ(ap->forward(randn({1, 1, 5, 7})).sizes(), IntArrayRef({1, 1, 3, 3}));
  std::ostringstream os2;
  ap->pretty_print(os2);
  EXPECT_EQ(os2.str(), "torch::nn::AvgPool2d(kernel_size=[2, 3], stride=[2, 3], padding=[0, 0])");
  nn::AdaptiveAvgPool2d aap(nn::AdaptiveAvgPool2dOptions({1, 1}));
  EXPECT_EQ(aap->forward(randn({2, 8, 7, 5})).sizes(), IntArrayRef({2, 8, 1, 1}));
  std::ostringstream os3;
  aap->pretty_print(os3);
  EXPECT_EQ(os3.str(), "torch::nn::AdaptiveAvgPool2d(output_size=[1, 1])");
  nn::AdaptiveMaxPool1d amp(3);
  auto [v, i] = amp->forward_with_indices(randn({2, 4, 10}));
  EXPECT_EQ(v.sizes(), IntArrayRef({2, 4, 3}));
  EXPECT_EQ(i.dtype(), kInt64);
  nn::MaxPool1d m1(2);
  nn::AvgPool3d a3(2);
  EXPECT_EQ(m1->forward(randn({1, 2, 9})).sizes(), IntArrayRef({1, 2, 4}));
  EXPECT_EQ(a3->forward(randn({1, 1, 4, 4, 5})).sizes(), IntArrayRef({1, 1, 2, 2, 2}));
  nn::Sequential seq(nn::Conv2d(nn::Conv2dOptions(1, 2, 3)), nn::ReLU(), nn::MaxPool2d(2), nn::AdaptiveAvgPool2d(1));
  EXPECT_EQ(seq->forward(randn({3, 1, 10, 10})).sizes(), IntArrayRef({3, 2, 1, 1}));
}

TEST(Pool, CudaMatchesCpu) {
  EMBER_REQUIRE_CUDA();
  Device cuda(kCUDA, 0);
  manual_seed(4);
  Tensor x = randn({2, 3, 9, 8});
  auto [v, i] = max_pool2d_with_indices(x, 3, 2, 1, 1, true);
  auto [vc, ic] = max_pool2d_with_indices(x.to(cuda), 3, 2, 1, 1, true);
  EXPECT_TRUE(close(vc.to(kCPU), v, 0, 0));
  EXPECT_TRUE(bitwise_equal(ic.to(kCPU), i));
  EXPECT_TRUE(close(avg_pool2d(x.to(cuda), 3, 2, 1, true, false).to(kCPU), avg_pool2d(x, 3, 2, 1, true, false), 1e-6, 1e-6));
  EXPECT_TRUE(close(adaptive_avg_pool2d(x.to(cuda), {4, 3}).to(kCPU), adaptive_avg_pool2d(x, {4, 3}), 1e-6, 1e-6));
  Tensor xg = x.to(cuda).set_requires_grad(true), xc = x.clone().set_requires_grad(true);
  avg_pool2d(xg, 3, 2, 1).sum().backward();
  avg_pool2d(xc, 3, 2, 1).sum().backward();
  EXPECT_TRUE(close(xg.grad().to(kCPU), xc.grad(), 1e-6, 1e-6));
}
