// nn::init: libtorch's initialisers, their statistics, structure and errors, and the enum tokens
// their options take.
#include <cmath>

#include "test_util.h"

using namespace ember;
using namespace ember::testing;
namespace init = ember::nn::init;

static_assert(!std::is_convertible_v<decltype(kReLU), Reduction>, "a reduction takes only kNone/kMean/kSum");
static_assert(!std::is_convertible_v<decltype(kMean), init::NonlinearityType>);
static_assert(std::is_convertible_v<Reduction, nn::KLDivReduction>, "KLDivLoss's reduction widens Reduction");

TEST(Init, CalculateGainAsLibtorch) {
  EXPECT_EQ(init::calculate_gain(kLinear), 1.0);
  EXPECT_EQ(init::calculate_gain(kConv2D), 1.0);
  EXPECT_EQ(init::calculate_gain(kSigmoid), 1.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain(kTanh), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain(kReLU), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(init::calculate_gain(kLeakyReLU), std::sqrt(2.0 / (1 + 0.01 * 0.01)));
  EXPECT_DOUBLE_EQ(init::calculate_gain(kLeakyReLU, 0.2), std::sqrt(2.0 / 1.04));
  EXPECT_EQ(enum_name(EnumName::LeakyReLU), "kLeakyReLU");
}

TEST(Init, KaimingAndXavierHaveTheirStandardDeviations) {
  manual_seed(3);
  Tensor w = empty({256, 128, 3, 3});  // fan_in 1152, fan_out 2304
  init::kaiming_normal_(w, 0, kFanOut, kReLU);
  EXPECT_NEAR(w.std().item<double>(), std::sqrt(2.0 / 2304), 0.01 * std::sqrt(2.0 / 2304));
  EXPECT_NEAR(w.mean().item<double>(), 0, 1e-3);
  init::kaiming_uniform_(w, 0, kFanIn, kReLU);
  double bound = std::sqrt(3.0) * std::sqrt(2.0 / 1152);
  EXPECT_LE(w.abs().max().item<double>(), bound);
  EXPECT_GE(w.abs().max().item<double>(), 0.99 * bound);
  EXPECT_NEAR(w.std().item<double>(), bound / std::sqrt(3.0), 0.01 * bound);
  init::xavier_normal_(w, 2.0);
  EXPECT_NEAR(w.std().item<double>(), 2.0 * std::sqrt(2.0 / 3456), 0.02 * std::sqrt(2.0 / 3456));
  Tensor none = empty({0, 4});
  EXPECT_NO_THROW(init::kaiming_normal_(none));  // libtorch: a no-op for zero elements
}

TEST(Init, EyeAndDiracAreIdentities) {
  Tensor m = empty({3, 5}, kFloat64);
  init::eye_(m);
  EXPECT_TRUE(m.equal(eye(3, 5, kFloat64)));
  EXPECT_EMBER_ERROR(init::eye_(empty({2, 2, 2})), "Only tensors with 2 dimensions");

  manual_seed(1);
  Tensor x = randn({2, 4, 6, 5}, kFloat64);
  Tensor w = empty({4, 4, 3, 3}, kFloat64);
  init::dirac_(w);
  EXPECT_TRUE(conv2d(x, w, {}, 1, 1).equal(x));
  // Two groups of 3 outputs over 2 input channels: outputs 0,1 and 3,4 copy inputs 0,1; 2 and 5 are zero.
  Tensor g = empty({6, 2, 3}, kFloat64);
  init::dirac_(g, 2);
  Tensor x1 = randn({1, 4, 7}, kFloat64);
  Tensor y = conv1d(x1, g, {}, 1, 1, 1, 2);
  EXPECT_TRUE(y.select(1, 0).equal(x1.select(1, 0)));
  EXPECT_TRUE(y.select(1, 4).equal(x1.select(1, 3)));
  EXPECT_EQ(y.select(1, 5).abs().max().item<double>(), 0.0);
  EXPECT_EMBER_ERROR(init::dirac_(empty({2, 2})), "Only tensors with 3 to 5 dimensions");
  EXPECT_EMBER_ERROR(init::dirac_(empty({5, 2, 3}), 2), "divisible by groups");
}

TEST(Init, OrthogonalRowsOrColumnsAreOrthonormal) {
  manual_seed(7);
  Tensor wide = empty({3, 5}, kFloat64);
  init::orthogonal_(wide);
  EXPECT_TRUE(close(wide.matmul(wide.t()), eye(3, kFloat64), 1e-12, 1e-12));
  Tensor tall = empty({6, 4});
  init::orthogonal_(tall, 2.0);
  EXPECT_TRUE(close(tall.t().matmul(tall), eye(4) * 4.0, 1e-5, 1e-5));
  Tensor conv = empty({4, 2, 3, 3}, kFloat64);  // flattened to 4 x 18
  init::orthogonal_(conv);
  Tensor flat = conv.reshape({4, 18});
  EXPECT_TRUE(close(flat.matmul(flat.t()), eye(4, kFloat64), 1e-12, 1e-12));
  manual_seed(7);
  Tensor again = empty({3, 5}, kFloat64);
  EXPECT_TRUE(init::orthogonal_(again).equal(wide));
  EXPECT_EMBER_ERROR(init::orthogonal_(empty({4})), "Only tensors with 2 or more dimensions");
}

TEST(Init, SparseZeroesTheFractionOfEachColumn) {
  manual_seed(5);
  Tensor w = empty({10, 6});
  init::sparse_(w, 0.25, 0.5);  // ceil(2.5) = 3 zeros per column
  Tensor zeros_per_column = (w == 0).to(kInt64).sum(0);
  EXPECT_TRUE(zeros_per_column.equal(full({6}, 3, kInt64)));
  EXPECT_GT(w.abs().max().item<double>(), 0.1);
  EXPECT_EMBER_ERROR(init::sparse_(empty({2, 2, 2}), 0.1), "Only tensors with 2 dimensions");
  EXPECT_EMBER_ERROR(init::sparse_(empty({2, 2}), 1.5), "sparsity must be in [0, 1]");
}

TEST(Init, InitialisersLeaveNoHistory) {
  Tensor w = randn({4, 3}).requires_grad_(true);
  init::orthogonal_(w);
  init::kaiming_normal_(w);
  init::dirac_(empty({2, 2, 3}).requires_grad_(true));
  EXPECT_TRUE(w.is_leaf());
  EXPECT_TRUE(w.requires_grad());
}

TEST(Init, CudaTensorsAreInitialisedOnTheDevice) {
  EMBER_REQUIRE_CUDA();
  Tensor w = empty({8, 8}, TensorOptions().device(kCUDA));
  init::orthogonal_(w);
  EXPECT_TRUE(w.is_cuda());
  EXPECT_TRUE(close(w.matmul(w.t()).cpu(), eye(8), 1e-5, 1e-5));
  init::dirac_(empty({2, 2, 3}, TensorOptions().device(kCUDA)));
}
