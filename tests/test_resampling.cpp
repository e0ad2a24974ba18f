// interpolate/Upsample, PixelShuffle/Unshuffle, Unfold/Fold: values against known results and
// reference loops, gradcheck, compile() == eager, errors.
#include <sstream>

#include "test_util.h"

using namespace ember;
using namespace ember::testing;
namespace F = ember::nn::functional;

namespace {
Tensor grid2x2() { return tensor({1.f, 2.f, 3.f, 4.f}).view({1, 1, 2, 2}); }
Tensor randn64(IntArrayRef s) { return randn(s, TensorOptions().dtype(kFloat64)); }
}  // namespace

TEST(Interpolate, BilinearAndBicubicMatchLibtorchsKnownValues) {
  Tensor x = grid2x2();
  Tensor bl = F::interpolate(x, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2, 2})
                                    .mode(kBilinear).align_corners(false));
  Tensor want = tensor({1.0f, 1.25f, 1.75f, 2.0f, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f,
                        3.0f, 3.25f, 3.75f, 4.0f}).view({1, 1, 4, 4});
  EXPECT_TRUE(bl.allclose(want, 1e-6, 1e-6)) << bl;
  Tensor ac = F::interpolate(x, F::InterpolateFuncOptions().size(std::vector<int64_t>{4, 4})
                                    .mode(kBilinear).align_corners(true));
  EXPECT_NEAR(ac[0][0][0][1].item<float>(), 4.f / 3, 1e-6);
  EXPECT_NEAR(ac[0][0][3][3].item<float>(), 4.f, 1e-6);
  Tensor bc = F::interpolate(x, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2, 2})
                                    .mode(kBicubic).align_corners(false));
  Tensor want_bc = tensor({0.68359375f, 1.015625f, 1.5625f, 1.89453125f, 1.34765625f, 1.6796875f, 2.2265625f,
                           2.55859375f, 2.44140625f, 2.7734375f, 3.3203125f, 3.65234375f, 3.10546875f,
                           3.4375f, 3.984375f, 4.31640625f}).view({1, 1, 4, 4});
  EXPECT_TRUE(bc.allclose(want_bc, 1e-5, 1e-5)) << bc;
}

TEST(Interpolate, NearestModesAndLinearByDefinition) {
  Tensor x = arange(5, TensorOptions().dtype(kFloat32)).view({1, 1, 5});
  // nearest: src = floor(i * 5 / 3); nearest-exact: floor((i + 0.5) * 5 / 3).
  Tensor n = F::interpolate(x, F::InterpolateFuncOptions().size(std::vector<int64_t>{3}));
  EXPECT_TRUE(n.view({3}).equal(tensor({0.f, 1.f, 3.f})));
  Tensor ne = F::interpolate(x, F::InterpolateFuncOptions().size(std::vector<int64_t>{3}).mode(kNearestExact));
  EXPECT_TRUE(ne.view({3}).equal(tensor({0.f, 2.f, 4.f})));
  Tensor up = F::interpolate(x, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2}));
  EXPECT_TRUE(up.view({10}).equal(tensor({0.f, 0.f, 1.f, 1.f, 2.f, 2.f, 3.f, 3.f, 4.f, 4.f})));
  Tensor lin = F::interpolate(x, F::InterpolateFuncOptions().size(std::vector<int64_t>{9}).mode(kLinear)
                                     .align_corners(true));
  EXPECT_TRUE(lin.view({9}).allclose(arange(9, TensorOptions().dtype(kFloat32)) * 0.5, 1e-6, 1e-6));
  // trilinear on a 5-D input keeps a constant constant.
  Tensor c = full({1, 2, 3, 3, 3}, 7.f);
  Tensor tri = F::interpolate(c, F::InterpolateFuncOptions().size(std::vector<int64_t>{5, 4, 6}).mode(kTrilinear)
                                     .align_corners(false));
  EXPECT_EQ(tri.sizes(), IntArrayRef({1, 2, 5, 4, 6}));
  EXPECT_TRUE(tri.allclose(full({1, 2, 5, 4, 6}, 7.f), 1e-6, 1e-6));
}

TEST(Interpolate, GradcheckCompiledAndErrors) {
  manual_seed(1);
  for (nn::InterpolateMode mode : std::vector<nn::InterpolateMode>{kNearest, kBilinear, kBicubic}) {
    Tensor x = randn64({1, 2, 3, 4}).requires_grad_();
    auto o = F::InterpolateFuncOptions().size(std::vector<int64_t>{5, 7}).mode(mode);
    if (mode != kNearest) o.align_corners(false);
    autograd::gradcheck([o](const std::vector<Tensor>& in) { return F::interpolate(in[0], o); }, {x});
  }
  Tensor x = randn({2, 3, 8, 8});
  nn::Upsample up(nn::UpsampleOptions().scale_factor(std::vector<double>{2, 2}).mode(kBilinear).align_corners(false));
  auto f = compile([&](const Tensor& in) { return up->forward(in).relu(); });
  EXPECT_TRUE(f(x).equal(up->forward(x).relu()));
  std::ostringstream os;
  os << *up;
  EXPECT_EQ(os.str(), "torch::nn::Upsample(scale_factor=[2, 2], mode=kBilinear)");
  EXPECT_EMBER_ERROR(F::interpolate(x, F::InterpolateFuncOptions().size(std::vector<int64_t>{4, 4}).mode(kLinear)),
                     "Got 4D input, but linear mode needs 3D input");
  EXPECT_EMBER_ERROR(F::interpolate(x, F::InterpolateFuncOptions().size(std::vector<int64_t>{4, 4}).align_corners(true)),
                     "align_corners option can only be set with the interpolating modes");
  EXPECT_EMBER_ERROR(F::interpolate(x, F::InterpolateFuncOptions()), "either size or scale_factor should be defined");
  EXPECT_EMBER_ERROR(F::interpolate(x, F::InterpolateFuncOptions().size(std::vector<int64_t>{4, 4, 4})),
                     "size shape must match input shape. Input is 2D, size is 3");
}

TEST(PixelShuffle, MapsChannelsToSpaceAndBack) {
  Tensor x = arange(2 * 8 * 2 * 3, TensorOptions().dtype(kFloat32)).view({2, 8, 2, 3});
  Tensor y = nn::PixelShuffle(nn::PixelShuffleOptions(2))->forward(x);
  ASSERT_EQ(y.sizes(), IntArrayRef({2, 2, 4, 6}));
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t c = 0; c < 2; ++c)
      for (int64_t h = 0; h < 4; ++h)
        for (int64_t w = 0; w < 6; ++w)
          EXPECT_EQ(y[n][c][h][w].item<float>(), x[n][c * 4 + (h % 2) * 2 + (w % 2)][h / 2][w / 2].item<float>());
  EXPECT_TRUE(pixel_unshuffle(y, 2).equal(x));
  EXPECT_EMBER_ERROR(pixel_shuffle(randn({1, 5, 2, 2}), 2),
                     "input.size(-3)=5 is not divisible by 4");
}

TEST(Fold, UnfoldMatchesLoopsAndFoldIsItsAdjoint) {
  manual_seed(2);
  Tensor x = randn64({2, 3, 5, 6});
  auto o = F::UnfoldFuncOptions({2, 3}).padding(1).stride({2, 1}).dilation({1, 2});
  Tensor cols = F::unfold(x, o);
  // blocks: h = (5 + 2 - 1 - 1) / 2 + 1 = 3, w = (6 + 2 - 4 - 1) / 1 + 1 = 4.
  ASSERT_EQ(cols.sizes(), IntArrayRef({2, 3 * 6, 12}));
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 3; ++j)
        for (int64_t bh = 0; bh < 3; ++bh)
          for (int64_t bw = 0; bw < 4; ++bw) {
            int64_t h = bh * 2 - 1 + i, w = bw - 1 + j * 2;
            double want = (h >= 0 && h < 5 && w >= 0 && w < 6) ? x[1][c][h][w].item<double>() : 0.0;
            EXPECT_EQ(cols[1][c * 6 + i * 3 + j][bh * 4 + bw].item<double>(), want);
          }
  // <unfold(x), y> == <x, fold(y)>.
  Tensor y = randn64(cols.sizes());
  Tensor folded = F::fold(y, F::FoldFuncOptions({5, 6}, {2, 3}).padding(1).stride({2, 1}).dilation({1, 2}));
  EXPECT_NEAR((cols * y).sum().item<double>(), (x * folded).sum().item<double>(), 1e-9);
  Tensor xg = randn64({1, 2, 4, 4}).requires_grad_();
  autograd::gradcheck([](const std::vector<Tensor>& in) { return F::unfold(in[0], F::UnfoldFuncOptions(2).stride(2)); }, {xg});
  Tensor cg = randn64({1, 8, 4}).requires_grad_();
  autograd::gradcheck([](const std::vector<Tensor>& in) { return F::fold(in[0], F::FoldFuncOptions(3, 2)); }, {cg});
  EXPECT_EMBER_ERROR(F::fold(randn({1, 5, 4}), F::FoldFuncOptions(3, 2)),
                     "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                     "got input.size(1)=5 and kernel_size=(2, 2)");
  EXPECT_EMBER_ERROR(F::fold(randn({1, 8, 5}), F::FoldFuncOptions(3, 2)),
                     "calculated number of sliding blocks 2 * 2 = 4, but got input.size(2)=5.");
}

TEST(Resampling, CudaMatchesCpu) {
  EMBER_REQUIRE_CUDA();
  Tensor x = randn({2, 3, 6, 5});
  auto o = F::InterpolateFuncOptions().size(std::vector<int64_t>{9, 4}).mode(kBicubic).align_corners(true);
  EXPECT_TRUE(F::interpolate(x, o).allclose(F::interpolate(x.to(Device(kCUDA)), o).to(Device(kCPU)), 1e-5, 1e-5));
  auto u = F::UnfoldFuncOptions(3).padding(1);
  EXPECT_TRUE(F::unfold(x, u).equal(F::unfold(x.to(Device(kCUDA)), u).to(Device(kCPU))));
}
