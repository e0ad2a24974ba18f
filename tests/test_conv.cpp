// Convolution (conv1d/2d/3d, "same"/"valid", groups, dilation, padding modes, transposed with
// output_padding) against a naive loop in double written here; gradcheck in float64; libtorch's
// error wording; the modules; compile() == eager for conv + relu + pool; CUDA vs CPU (skips).
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "ember/ember.h"
#include "test_util.h"

using namespace ember;
using namespace ember::testing;
namespace F = ember::nn::functional;

namespace {

TensorOptions f64() { return TensorOptions().dtype(kFloat64); }

struct Geo {
  std::vector<int64_t> stride, pad, dil;
  int64_t groups = 1;
};

// y[n, co, o] = b[co] + sum_{ci in group, k} x[n, ci, o*s - p + k*d] w[co, ci', k], over 1-3
// spatial dims given as 3 (leading unit dims), all in double.
Tensor ref_conv(const Tensor& x, const Tensor& w, const Tensor& b, const Geo& g) {
  int64_t sp = x.dim() - 2, off = 3 - sp;
  auto X = values(x), W = values(w);
  std::vector<double> B = b.defined() ? values(b) : std::vector<double>();
  int64_t N = x.size(0), C = x.size(1), O = w.size(0), Cg = C / g.groups, Og = O / g.groups;
  int64_t in[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, p[3] = {0, 0, 0}, d[3] = {1, 1, 1}, out[3] = {1, 1, 1};
  std::vector<int64_t> ysz{N, O};
  for (int64_t i = 0; i < sp; ++i) {
    in[off + i] = x.size(2 + i);
    k[off + i] = w.size(2 + i);
    s[off + i] = g.stride[i];
    p[off + i] = g.pad[i];
    d[off + i] = g.dil[i];
    out[off + i] = (in[off + i] + 2 * p[off + i] - d[off + i] * (k[off + i] - 1) - 1) / s[off + i] + 1;
    ysz.push_back(out[off + i]);
  }
  std::vector<double> Y;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t co = 0; co < O; ++co)
      for (int64_t a = 0; a < out[0]; ++a)
        for (int64_t bb = 0; bb < out[1]; ++bb)
          for (int64_t c = 0; c < out[2]; ++c) {
            double acc = B.empty() ? 0.0 : B[co];
            int64_t grp = co / Og;
            for (int64_t cl = 0; cl < Cg; ++cl)
              for (int64_t k0 = 0; k0 < k[0]; ++k0)
                for (int64_t k1 = 0; k1 < k[1]; ++k1)
                  for (int64_t k2 = 0; k2 < k[2]; ++k2) {
                    int64_t i0 = a * s[0] - p[0] + k0 * d[0], i1 = bb * s[1] - p[1] + k1 * d[1],
                            i2 = c * s[2] - p[2] + k2 * d[2];
                    if (i0 < 0 || i0 >= in[0] || i1 < 0 || i1 >= in[1] || i2 < 0 || i2 >= in[2]) continue;
                    int64_t ci = grp * Cg + cl;
                    acc += X[((((n * C + ci) * in[0]) + i0) * in[1] + i1) * in[2] + i2] *
                           W[((((co * Cg + cl) * k[0]) + k0) * k[1] + k1) * k[2] + k2];
                  }
            Y.push_back(acc);
          }
  return from_blob(Y.data(), ysz, f64()).clone();
}

// Transposed: y[n, co', i*s - p + k*d] += x[n, ci, i] w[ci, co'', k] (w: [C_in, C_out/g, k]).
Tensor ref_conv_t2d(const Tensor& x, const Tensor& w, const Tensor& b, int64_t s, int64_t p, int64_t op,
                    int64_t d, int64_t groups) {
  auto X = values(x), W = values(w);
  int64_t N = x.size(0), C = x.size(1), H = x.size(2), Wd = x.size(3), Og = w.size(1), K0 = w.size(2),
          K1 = w.size(3), Cg = C / groups, O = Og * groups;
  int64_t OH = (H - 1) * s - 2 * p + d * (K0 - 1) + 1 + op, OW = (Wd - 1) * s - 2 * p + d * (K1 - 1) + 1 + op;
  std::vector<double> Y(static_cast<size_t>(N * O * OH * OW), 0.0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t ci = 0; ci < C; ++ci)
      for (int64_t i = 0; i < H; ++i)
        for (int64_t j = 0; j < Wd; ++j)
          for (int64_t ol = 0; ol < Og; ++ol)
            for (int64_t k0 = 0; k0 < K0; ++k0)
              for (int64_t k1 = 0; k1 < K1; ++k1) {
                int64_t oh = i * s - p + k0 * d, ow = j * s - p + k1 * d;
                if (oh < 0 || oh >= OH || ow < 0 || ow >= OW) continue;
                int64_t co = (ci / Cg) * Og + ol;
                Y[((n * O + co) * OH + oh) * OW + ow] +=
                    X[((n * C + ci) * H + i) * Wd + j] * W[((ci * Og + ol) * K0 + k0) * K1 + k1];
              }
  if (b.defined()) {
    auto Bv = values(b);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t co = 0; co < O; ++co)
        for (int64_t q = 0; q < OH * OW; ++q) Y[(n * O + co) * OH * OW + q] += Bv[co];
  }
  return from_blob(Y.data(), {N, O, OH, OW}, f64()).clone();
}

struct Case2d {
  int64_t n, c, h, w, o, kh, kw, s, p, d, groups;
  bool bias;
};

const Case2d kCases[] = {
    {2, 3, 7, 6, 4, 3, 3, 1, 0, 1, 1, true},  {1, 4, 9, 9, 6, 3, 2, 2, 1, 1, 2, true},
    {2, 2, 8, 7, 3, 3, 3, 1, 2, 2, 1, false}, {1, 6, 5, 5, 6, 3, 3, 1, 1, 1, 6, true},
    {3, 4, 10, 6, 8, 1, 1, 3, 0, 1, 4, false}, {1, 3, 12, 11, 5, 5, 4, 2, 2, 2, 1, true},
};

}  // namespace

TEST(Conv, Conv2dMatchesReferenceFloat32AndFloat64) {
  manual_seed(0);
  for (const auto& c : kCases)
    for (ScalarType dt : {kFloat32, kFloat64}) {
      Tensor x = randn({c.n, c.c, c.h, c.w}, f64()), w = randn({c.o, c.c / c.groups, c.kh, c.kw}, f64());
      Tensor b = c.bias ? randn({c.o}, f64()) : Tensor();
      Tensor y = conv2d(x.to(dt), w.to(dt), c.bias ? b.to(dt) : Tensor(), c.s, c.p, c.d, c.groups);
      Tensor r = ref_conv(x, w, b, {{c.s, c.s}, {c.p, c.p}, {c.d, c.d}, c.groups});
      EXPECT_EQ(y.dtype(), dt);
      EXPECT_TRUE(close(y.to(kFloat64), r, dt == kFloat32 ? 1e-4 : 1e-12, dt == kFloat32 ? 1e-4 : 1e-12))
          << "case groups=" << c.groups << " s=" << c.s << " p=" << c.p << " d=" << c.d << " " << dtype_name(dt);
    }
}

TEST(Conv, Conv1dAndConv3dMatchReference) {
  manual_seed(1);
  Tensor x1 = randn({2, 4, 11}, f64()), w1 = randn({6, 2, 3}, f64()), b1 = randn({6}, f64());
  EXPECT_TRUE(close(conv1d(x1, w1, b1, 2, 1, 2, 2), ref_conv(x1, w1, b1, {{2}, {1}, {2}, 2}), 1e-12, 1e-12));
  EXPECT_TRUE(close(conv1d(x1.to(kFloat32), w1.to(kFloat32), b1.to(kFloat32), 1, 0, 1, 2).to(kFloat64),
                    ref_conv(x1, w1, b1, {{1}, {0}, {1}, 2}), 1e-4, 1e-4));
  Tensor x3 = randn({1, 2, 5, 6, 4}, f64()), w3 = randn({3, 2, 2, 3, 2}, f64()), b3 = randn({3}, f64());
  Geo g3{{1, 2, 1}, {1, 0, 1}, {1, 1, 2}, 1};
  EXPECT_TRUE(close(conv3d(x3, w3, b3, {1, 2, 1}, {1, 0, 1}, {1, 1, 2}), ref_conv(x3, w3, b3, g3), 1e-12, 1e-12));
  EXPECT_TRUE(close(conv3d(x3.to(kFloat32), w3.to(kFloat32), b3.to(kFloat32), {1, 2, 1}, {1, 0, 1}, {1, 1, 2})
                        .to(kFloat64),
                    ref_conv(x3, w3, b3, g3), 1e-4, 1e-4));
}

TEST(Conv, UnbatchedInputAndSameValidPadding) {
  manual_seed(2);
  Tensor x = randn({3, 8, 7}, f64()), w = randn({5, 3, 4, 3}, f64());
  Tensor y = conv2d(x, w, {}, 1, "same", 2);
  ASSERT_EQ(y.sizes(), IntArrayRef({5, 8, 7}));
  // dilation 2, kernel (4, 3): total padding (6, 4), symmetric halves (3, 2).
  EXPECT_TRUE(close(y, ref_conv(x.unsqueeze(0), w, {}, {{1, 1}, {3, 2}, {2, 2}, 1}).squeeze(0), 1e-12, 1e-12));
  // kernel 4 without dilation: total 3 = left 1 + right 2 (the odd one on the right).
  Tensor w4 = randn({2, 3, 4, 4}, f64());
  Tensor ys = conv2d(x.unsqueeze(0), w4, {}, 1, "same");
  ASSERT_EQ(ys.sizes(), IntArrayRef({1, 2, 8, 7}));
  Tensor xp = F::pad(x.unsqueeze(0), F::PadFuncOptions({1, 2, 1, 2}));
  EXPECT_TRUE(close(ys, ref_conv(xp, w4, {}, {{1, 1}, {0, 0}, {1, 1}, 1}), 1e-12, 1e-12));
  EXPECT_EQ(conv2d(x.unsqueeze(0), w, {}, 1, "valid").sizes(), IntArrayRef({1, 5, 5, 5}));
  EXPECT_THROW(conv2d(x.unsqueeze(0), w, {}, 2, "same"), Error);
}

TEST(Conv, TransposedMatchesReferenceWithOutputPadding) {
  manual_seed(3);
  struct T {
    int64_t s, p, op, d, groups;
  };
  for (T t : {T{1, 0, 0, 1, 1}, T{2, 1, 1, 1, 1}, T{3, 1, 2, 1, 2}, T{2, 0, 1, 2, 1}, T{1, 1, 1, 2, 2}}) {
    Tensor x = randn({2, 4, 5, 4}, f64()), w = randn({4, 3, 3, 2}, f64()), b = randn({3 * t.groups}, f64());
    Tensor r = ref_conv_t2d(x, w, b, t.s, t.p, t.op, t.d, t.groups);
    Tensor y = conv_transpose2d(x, w, b, t.s, t.p, t.op, t.groups, t.d);
    EXPECT_TRUE(close(y, r, 1e-12, 1e-12)) << "s=" << t.s << " op=" << t.op << " d=" << t.d;
    Tensor yf = conv_transpose2d(x.to(kFloat32), w.to(kFloat32), b.to(kFloat32), t.s, t.p, t.op, t.groups, t.d);
    EXPECT_TRUE(close(yf.to(kFloat64), r, 1e-4, 1e-4)) << "float32 s=" << t.s << " op=" << t.op;
  }
  // conv_transpose1d is the 2-d one with a unit height.
  Tensor x1 = randn({1, 2, 6}, f64()), w1 = randn({2, 3, 3}, f64());
  EXPECT_TRUE(close(conv_transpose1d(x1, w1, {}, 2, 1, 1),
                    ref_conv_t2d(x1.unsqueeze(2), w1.unsqueeze(2), {}, 2, 0, 0, 1, 1)
                        .narrow(2, 0, 1).squeeze(2).narrow(2, 1, 12),
                    1e-12, 1e-12));
}

TEST(Conv, GradcheckFloat64) {
  manual_seed(4);
  auto req = [](Tensor t) { return t.set_requires_grad(true); };
  Tensor x = req(randn({2, 4, 6, 5}, f64())), w = req(randn({6, 2, 3, 2}, f64())), b = req(randn({6}, f64()));
  autograd::gradcheck([](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], in[2], {2, 1}, 1, {1, 2}, 2); },
                      {x, w, b});
  Tensor x1 = req(randn({2, 3, 9}, f64())), w1 = req(randn({4, 3, 3}, f64()));
  autograd::gradcheck([](const std::vector<Tensor>& in) { return conv1d(in[0], in[1], {}, 2, 2, 2); }, {x1, w1});
  Tensor x3 = req(randn({1, 2, 4, 4, 3}, f64())), w3 = req(randn({2, 2, 2, 3, 2}, f64()));
  autograd::gradcheck([](const std::vector<Tensor>& in) { return conv3d(in[0], in[1], {}, 1, {1, 0, 1}); }, {x3, w3});
  Tensor xt = req(randn({1, 4, 4, 3}, f64())), wt = req(randn({4, 2, 3, 3}, f64())), bt = req(randn({4}, f64()));
  autograd::gradcheck(
      [](const std::vector<Tensor>& in) { return conv_transpose2d(in[0], in[1], in[2], 2, 1, 1, 2, 1); },
      {xt, wt, bt});
  // output_padding >= stride (allowed because < dilation): the uncovered outputs are zero-grad.
  autograd::gradcheck(
      [](const std::vector<Tensor>& in) { return conv_transpose2d(in[0], in[1], {}, 1, 0, 1, 1, 2); }, {xt, wt});
}

// Second derivatives against central differences of the first (gradcheck runs its function
// without grad mode, so this test differentiates by hand): s(x, w) = <d/dx sum(conv(x, w)^2), v>.
TEST(Conv, DoubleBackwardFloat64) {
  manual_seed(5);
  Tensor x0 = randn({1, 2, 5, 5}, f64()), w0 = randn({3, 2, 3, 3}, f64()), v = randn({1, 2, 5, 5}, f64());
  auto s = [&](const Tensor& x, const Tensor& w) {
    Tensor y = conv2d(x, w, {}, 2, 1);
    return (autograd::grad({(y * y).sum()}, {x}, {}, true, true)[0] * v).sum();
  };
  Tensor x = x0.clone().set_requires_grad(true), w = w0.clone().set_requires_grad(true);
  auto g = autograd::grad({s(x, w)}, {x, w});
  const double eps = 1e-6;
  for (int which = 0; which < 2; ++which) {
    Tensor base = which == 0 ? x0 : w0;
    auto analytic = values(g[which]);
    for (int64_t e : {int64_t{0}, int64_t{7}, base.numel() - 1}) {
      auto eval = [&](double delta) {
        Tensor b = base.clone();
        b.view({-1}).narrow(0, e, 1).add_(Scalar(delta));
        Tensor xx = (which == 0 ? b : x0).clone().set_requires_grad(true);
        Tensor ww = (which == 1 ? b : w0).clone().set_requires_grad(true);
        return s(xx, ww).item<double>();
      };
      double numeric = (eval(eps) - eval(-eps)) / (2 * eps);
      EXPECT_NEAR(analytic[static_cast<size_t>(e)], numeric, 1e-5 + 1e-4 * std::fabs(numeric))
          << (which ? "weight" : "input") << " element " << e;
    }
  }
}

TEST(Conv, ErrorsUseLibtorchWording) {
  Tensor x = randn({1, 4, 5, 5}), w = randn({8, 3, 3, 3});
  try {
    conv2d(x, w);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Given groups=1, weight of size [8, 3, 3, 3], expected input[1, 4, 5, 5] "
                                         "to have 3 channels, but got 4 channels instead"),
              std::string::npos)
        << e.what();
  }
  try {
    conv2d(randn({1, 3, 2, 2}), w);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). "
                                         "Kernel size can't be greater than actual input size"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(conv2d(randn({1, 3, 5, 5}), w, randn({7})), Error);
  EXPECT_THROW(conv2d(randn({1, 3, 5, 5}), w, {}, 0), Error);
  EXPECT_THROW(conv2d(randn({1, 3, 5, 5}), w, {}, 1, -1), Error);
  EXPECT_THROW(conv2d(randn({1, 3, 5, 5}, f64()), w), Error);
  EXPECT_THROW(conv2d(randn({1, 6, 5, 5}), randn({7, 3, 3, 3}), {}, 1, 0, 1, 2), Error);
  EXPECT_THROW(conv_transpose2d(randn({1, 3, 5, 5}), randn({3, 2, 3, 3}), {}, 1, 0, 1), Error);  // op >= s, d
}

TEST(Conv, PadModesMatchManualResults) {
  Tensor x = arange(6, f64()).view({1, 2, 3});  // [[0 1 2] [3 4 5]]
  auto v = [](const Tensor& t) { return values(t); };
  EXPECT_EQ(v(F::pad(x, F::PadFuncOptions({2, 1}).mode(kReflect))),
            (std::vector<double>{2, 1, 0, 1, 2, 1, 5, 4, 3, 4, 5, 4}));
  EXPECT_EQ(v(F::pad(x, F::PadFuncOptions({2, 1}).mode(kReplicate))),
            (std::vector<double>{0, 0, 0, 1, 2, 2, 3, 3, 3, 4, 5, 5}));
  EXPECT_EQ(v(F::pad(x, F::PadFuncOptions({2, 1}).mode(kCircular))),
            (std::vector<double>{1, 2, 0, 1, 2, 0, 4, 5, 3, 4, 5, 3}));
  EXPECT_EQ(v(F::pad(x, F::PadFuncOptions({1, -1}).value(7))), (std::vector<double>{7, 0, 1, 7, 3, 4}));
  Tensor x2 = arange(6, f64()).view({1, 1, 2, 3});
  EXPECT_EQ(v(F::pad(x2, F::PadFuncOptions({0, 0, 1, 1}).mode(kReflect))),
            (std::vector<double>{3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 1, 2}));
  EXPECT_EQ(constant_pad_nd(x, {1, 1, 1, 0}, -1).sizes(), IntArrayRef({1, 3, 5}));
  EXPECT_THROW(F::pad(x, F::PadFuncOptions({3, 0}).mode(kReflect)), Error);
  EXPECT_THROW(F::pad(x, F::PadFuncOptions({1})), Error);
  Tensor xr = randn({1, 2, 4, 5}, f64()).set_requires_grad(true);
  for (PaddingMode m : std::vector<PaddingMode>{kReflect, kReplicate, kCircular, kConstant})
    autograd::gradcheck([m](const std::vector<Tensor>& in) {
      return F::pad(in[0], F::PadFuncOptions({2, 1, 1, 3}).mode(m).value(0.5));
    }, {xr});
}

TEST(Conv, ModulesShapesInitAndPrint) {
  manual_seed(6);
  nn::Conv2d conv(nn::Conv2dOptions(3, 8, 3).stride(2).padding(1));
  EXPECT_EQ(conv->weight.sizes(), IntArrayRef({8, 3, 3, 3}));
  EXPECT_EQ(conv->bias.sizes(), IntArrayRef({8}));
  double bound = 1.0 / std::sqrt(27.0);
  EXPECT_LE(conv->weight.abs().max().item<double>(), bound + 1e-7);  // kaiming_uniform_(a=sqrt(5)) = 1/sqrt(fan_in)
  EXPECT_LE(conv->bias.abs().max().item<double>(), bound + 1e-7);
  EXPECT_EQ(conv->forward(randn({2, 3, 9, 9})).sizes(), IntArrayRef({2, 8, 5, 5}));
  std::ostringstream os;
  conv->pretty_print(os);
  EXPECT_EQ(os.str(), "torch::nn::Conv2d(3, 8, kernel_size=[3, 3], stride=[2, 2], padding=[1, 1])");
  nn::Conv1d c1(nn::Conv1dOptions(4, 6, 3).groups(2).bias(false).padding(kSame));
  EXPECT_EQ(c1->forward(randn({1, 4, 10})).sizes(), IntArrayRef({1, 6, 10}));
  EXPECT_EQ(c1->parameters().size(), 1u);
  std::ostringstream os1;
  c1->pretty_print(os1);
  EXPECT_EQ(os1.str(), "torch::nn::Conv1d(4, 6, kernel_size=[3], stride=[1], padding='same', groups=2, bias=false)");
  nn::Conv3d c3(nn::Conv3dOptions(2, 4, {3, 1, 2}));
  EXPECT_EQ(c3->forward(randn({1, 2, 5, 5, 5})).sizes(), IntArrayRef({1, 4, 3, 5, 4}));
  nn::ConvTranspose2d ct(nn::ConvTranspose2dOptions(4, 2, 3).stride(2).padding(1).output_padding(1));
  EXPECT_EQ(ct->weight.sizes(), IntArrayRef({4, 2, 3, 3}));
  EXPECT_EQ(ct->forward(randn({1, 4, 5, 5})).sizes(), IntArrayRef({1, 2, 10, 10}));
  nn::ConvTranspose2d ct2(nn::ConvTranspose2dOptions(4, 2, 3).stride(2).padding(1));
  EXPECT_EQ(ct2->forward(randn({1, 4, 5, 5}), {10, 10}).sizes(), IntArrayRef({1, 2, 10, 10}));
  EXPECT_THROW(ct2->forward(randn({1, 4, 5, 5}), {12, 12}), Error);
  EXPECT_THROW(nn::Conv2d(nn::Conv2dOptions(3, 8, 3).groups(2)), Error);
}

TEST(Conv, PaddingModeIsPadThenConvolve) {
  manual_seed(7);
  for (PaddingMode m : std::vector<PaddingMode>{kReflect, kReplicate, kCircular}) {
    nn::Conv2d conv(nn::Conv2dOptions(2, 3, 3).padding({1, 2}).padding_mode(m));
    Tensor x = randn({1, 2, 6, 7});
    Tensor expect = conv2d(F::pad(x, F::PadFuncOptions({2, 2, 1, 1}).mode(m)), conv->weight, conv->bias);
    EXPECT_TRUE(close(conv->forward(x), expect, 1e-6, 1e-6));
    EXPECT_EQ(conv->forward(x).sizes(), IntArrayRef({1, 3, 6, 9}));  // padding (1, 2)
  }
}

TEST(Conv, CompiledConvReluPoolEqualsEager) {
  manual_seed(8);
  nn::Conv2d conv(nn::Conv2dOptions(3, 4, 3).padding(1));
  auto fn = [&](const Tensor& x) { return max_pool2d(conv->forward(x).relu(), 2); };
  auto f = compile(fn);
  Tensor x = randn({2, 3, 8, 8});
  Tensor eager = fn(x), compiled = f(x);
  EXPECT_TRUE(bitwise_equal(compiled, eager));
  // and the backward through the compiled function
  Tensor xg = x.clone().set_requires_grad(true), xe = x.clone().set_requires_grad(true);
  f(xg).sum().backward();
  Tensor wg = conv->weight.grad().clone();
  conv->weight.mutable_grad() = Tensor();
  fn(xe).sum().backward();
  EXPECT_TRUE(close(xg.grad(), xe.grad(), 1e-5, 1e-6));
  EXPECT_TRUE(close(wg, conv->weight.grad(), 1e-5, 1e-6));
}

TEST(Conv, CudaMatchesCpu) {
  EMBER_REQUIRE_CUDA();
  manual_seed(9);
  Device cuda(kCUDA, 0);
  for (const auto& c : kCases) {
    Tensor x = randn({c.n, c.c, c.h, c.w}), w = randn({c.o, c.c / c.groups, c.kh, c.kw}), b = randn({c.o});
    Tensor y = conv2d(x, w, b, c.s, c.p, c.d, c.groups);
    Tensor yc = conv2d(x.to(cuda), w.to(cuda), b.to(cuda), c.s, c.p, c.d, c.groups);
    EXPECT_TRUE(close(yc.to(kCPU), y, 1e-4, 1e-4));
    Tensor xg = x.to(cuda).set_requires_grad(true), wg = w.to(cuda).set_requires_grad(true);
    conv2d(xg, wg, {}, c.s, c.p, c.d, c.groups).sum().backward();
    Tensor xc = x.clone().set_requires_grad(true), wc = w.clone().set_requires_grad(true);
    conv2d(xc, wc, {}, c.s, c.p, c.d, c.groups).sum().backward();
    EXPECT_TRUE(close(xg.grad().to(kCPU), xc.grad(), 1e-4, 1e-4));
    EXPECT_TRUE(close(wg.grad().to(kCPU), wc.grad(), 1e-4, 1e-3));
  }
  Tensor x = randn({1, 4, 5, 4}, f64()), w = randn({4, 3, 3, 2}, f64());
  EXPECT_TRUE(close(conv_transpose2d(x.to(cuda), w.to(cuda), {}, 2, 1, 1).to(kCPU),
                    conv_transpose2d(x, w, {}, 2, 1, 1), 1e-10, 1e-10));
}

TEST(Conv, UnfoldFoldMatchIm2colLoops) {
  manual_seed(10);
  Tensor x = randn({2, 3, 6, 5}, f64());
  int64_t kh = 3, kw = 2, s = 2, p = 1, d = 1;
  Tensor cols = F::unfold(x, F::UnfoldFuncOptions({kh, kw}).stride(s).padding(p).dilation(d));
  int64_t oh = (6 + 2 * p - d * (kh - 1) - 1) / s + 1, ow = (5 + 2 * p - d * (kw - 1) - 1) / s + 1;
  ASSERT_EQ(cols.sizes(), IntArrayRef({2, 3 * kh * kw, oh * ow}));
  auto X = values(x), Cv = values(cols);
  Tensor counts = zeros({2, 3, 6, 5}, f64());
  std::vector<double> cnt(X.size(), 0.0);
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t i = 0; i < kh; ++i)
        for (int64_t j = 0; j < kw; ++j)
          for (int64_t a = 0; a < oh; ++a)
            for (int64_t b = 0; b < ow; ++b) {
              int64_t h = a * s - p + i * d, w = b * s - p + j * d;
              bool in = h >= 0 && h < 6 && w >= 0 && w < 5;
              double expect = in ? X[((n * 3 + c) * 6 + h) * 5 + w] : 0.0;
              if (in) cnt[((n * 3 + c) * 6 + h) * 5 + w] += 1;
              EXPECT_EQ(Cv[((n * 3 * kh * kw + (c * kh + i) * kw + j) * oh + a) * ow + b], expect);
            }
  // fold sums the blocks back: fold(unfold(x)) = x * (number of blocks covering each element).
  Tensor back = F::fold(cols, F::FoldFuncOptions({6, 5}, {kh, kw}).stride(s).padding(p).dilation(d));
  Tensor c_t = from_blob(cnt.data(), {2, 3, 6, 5}, f64()).clone();
  EXPECT_TRUE(close(back, x * c_t, 1e-12, 1e-12));
  Tensor xr = x.clone().set_requires_grad(true);
  autograd::gradcheck([](const std::vector<Tensor>& in) {
    return F::unfold(in[0], F::UnfoldFuncOptions(2).dilation(2).padding(1));
  }, {xr});
  Tensor cr = randn({1, 12, 10}, f64()).set_requires_grad(true);
  autograd::gradcheck([](const std::vector<Tensor>& in) {
    return F::fold(in[0], F::FoldFuncOptions({5, 6}, 2).stride({2, 1}));
  }, {cr});
  nn::Unfold unfold(nn::UnfoldOptions({2, 3}).stride(2));
  std::ostringstream os;
  unfold->pretty_print(os);
  EXPECT_EQ(os.str(), "torch::nn::Unfold(kernel_size=[2, 3], dilation=[1, 1], padding=[0, 0], stride=[2, 2])");
  EXPECT_THROW(F::fold(randn({1, 12, 7}), F::FoldFuncOptions({5, 6}, 2)), Error);
}
