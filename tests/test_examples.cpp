// The notes' programs, with fewer steps: each loss must fall by a stated factor.
#include "notes/programs.h"
#include "test_util.h"

using namespace ember;
using namespace ember::testing;
using namespace ember::examples;

namespace {

class Examples : public ::testing::TestWithParam<Device> {
 protected:
  void SetUp() override {
    if (GetParam().is_cuda()) EMBER_REQUIRE_CUDA();
  }
  RunOptions opts(int steps) {
    RunOptions o;
    o.device = GetParam();
    o.steps = steps;
    return o;
  }
};

// The loss at the end is at most `factor` times the first loss.
void falls(const std::vector<double>& losses, double factor) {
  ASSERT_FALSE(losses.empty());
  for (double l : losses) ASSERT_TRUE(std::isfinite(l));
  EXPECT_LT(losses.back(), losses.front() * factor)
      << "loss " << losses.front() << " -> " << losses.back();
}

}  // namespace

TEST_P(Examples, ManualBackprop) { falls(manual_backprop(opts(100)), 1e-3); }
TEST_P(Examples, AutogradTwoLayer) { falls(autograd_two_layer(opts(100)), 1e-3); }
TEST_P(Examples, CustomModule) { falls(custom_module(opts(30)), 0.1); }
TEST_P(Examples, CustomFunction) { falls(custom_function(opts(100)), 1e-3); }
TEST_P(Examples, NnSequential) { falls(nn_sequential(opts(100)), 0.05); }
TEST_P(Examples, OptimAdam) { falls(optim_adam(opts(100)), 0.1); }
TEST_P(Examples, TwoLayerNet) { falls(two_layer_net(opts(100)), 0.05); }
TEST_P(Examples, DynamicNet) { falls(dynamic_net(opts(100)), 0.2); }
TEST_P(Examples, Regression) { falls(regression(opts(300)), 0.2); }

TEST_P(Examples, HandWrittenAndAutogradGradientsAgree) {
  // Programs 0 and 1 follow the same trajectory: autograd's gradients are the hand-written ones.
  auto manual = manual_backprop(opts(20)), autograd = autograd_two_layer(opts(20));
  for (size_t i = 0; i < manual.size(); ++i) EXPECT_NEAR(autograd[i], manual[i], 1e-3 * manual[i]) << i;
}

TEST_P(Examples, GradFnInspection) {
  std::string s = grad_fn_inspection(opts(1));
  EXPECT_NE(s.find("loss.grad_fn: MseLossBackward0"), std::string::npos) << s;
  EXPECT_NE(s.find("AddmmBackward"), std::string::npos) << s;
  EXPECT_NE(s.find("ReluBackward"), std::string::npos) << s;
  EXPECT_NE(s.find("AccumulateGrad [100, 1000]"), std::string::npos) << s;
}

INSTANTIATE_TEST_SUITE_P(Devices, Examples, ::testing::ValuesIn(all_devices()), device_name);
