// Anomaly mode (ember/autograd/anomaly_mode.h, libtorch's DetectAnomalyGuard): the first op
// producing NaN is named, eagerly with its call site and compiled with its kernel and source
// ops, or the input that already held NaN; backward names the function returning NaN/Inf
// gradients and the forward call that made it. Off, nothing is inspected.
#include <limits>

#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class AnomalyMode : public ::testing::TestWithParam<Device> {
 protected:
  void SetUp() override {
    if (GetParam().is_cuda()) EMBER_REQUIRE_CUDA();
  }
  Tensor t(std::vector<double> v, bool grad = false) const {
    return tensor(v, TensorOptions().dtype(kFloat32).device(GetParam())).requires_grad_(grad);
  }
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_P(AnomalyMode, TheOpThatMadeNaNIsNamedWithItsCallSite) {
  Tensor x = t({1, -1});
  EXPECT_TRUE(x.log().isnan().any().item<bool>());  // off: no inspection
  autograd::DetectAnomalyGuard guard;
  std::string e = error_of([&] { x.log(); });
  EXPECT_NE(e.find("anomaly detected: Log produced NaN at element 1 of output 0 (float32 [2]) from inputs without NaN"),
            std::string::npos) << e;
  EXPECT_NE(e.find("called from:\n    "), std::string::npos) << e;
  EXPECT_NE(e.find("TheOpThatMadeNaNIsNamedWithItsCallSite_Test::TestBody()"), std::string::npos) << e;  // the caller's frames
  EXPECT_NE(e.find("ember_tests+0x"), std::string::npos) << e;
  EXPECT_EQ(e.find("libember"), std::string::npos) << e;
  EXPECT_TRUE(x.exp().isfinite().all().item<bool>());  // finite results pass
  EXPECT_TRUE(x.masked_fill(x < 0, -std::numeric_limits<double>::infinity()).isinf().any().item<bool>());  // -inf masks are not anomalies
}

TEST_P(AnomalyMode, ANaNFromOutsideIsBlamedOnTheInputThatHeldIt) {
  Tensor x = t({kNaN, 1});
  autograd::DetectAnomalyGuard guard;
  EXPECT_EMBER_ERROR(x + 1, "input 0 of Add (float32 [2]) holds NaN at element 0, and so does its output 0");
  EXPECT_FALSE(x.nan_to_num().isnan().any().item<bool>());  // consuming a NaN into finite values is fine
}

TEST_P(AnomalyMode, AnInPlaceOpThatMakesNaNLeavesItsTargetAsItWas) {
  Tensor x = t({4, -1});
  int64_t version = x._version();
  autograd::DetectAnomalyGuard guard;
  EXPECT_EMBER_ERROR(x.sqrt_(), "Sqrt produced NaN at element 1");
  EXPECT_TRUE(x.equal(t({4, -1})));
  EXPECT_EQ(x._version(), version);
}

TEST_P(AnomalyMode, BackwardNamesTheFunctionAndTheForwardCall) {
  autograd::DetectAnomalyGuard guard;
  Tensor x = t({0, 4}, true);
  Tensor y = x.sqrt().sum();
  std::string e = error_of([&] { y.backward(); });
  EXPECT_NE(e.find("Function 'SqrtBackward0' returned inf values in its 0th output. (inf at element 0 of float32 [2])"),
            std::string::npos) << e;
  EXPECT_NE(e.find("the gradients it received were finite"), std::string::npos) << e;
  EXPECT_NE(e.find("traceback of the forward call that created it:\n    "), std::string::npos) << e;
  EXPECT_NE(e.find("BackwardNamesTheFunctionAndTheForwardCall_Test::TestBody()"), std::string::npos) << e;

  Tensor z = t({1, 2}, true);
  Tensor w = z * 3;
  e = error_of([&] { w.backward(t({kNaN, 1})); });
  EXPECT_NE(e.find("Function 'MulBackward1' returned nan values in its 0th output."), std::string::npos) << e;
  EXPECT_NE(e.find("the gradient it received for its output 0 (float32 [2]) already held NaN at element 0"),
            std::string::npos) << e;
}

TEST_P(AnomalyMode, CompiledNamesTheKernelAndItsSourceOps) {
  auto f = compile([](const Tensor& x) { return (x * 2).log() + 1; });
  Tensor x = t({1, -1});
  EXPECT_TRUE(f(x).isnan().any().item<bool>());  // off: the compiled program runs as always
  autograd::DetectAnomalyGuard guard;
  std::string e = error_of([&] { f(x); });
  EXPECT_NE(e.find("anomaly detected in compiled graph 'fn_forward': kernel fused_"), std::string::npos) << e;
  EXPECT_NE(e.find("(source ops: Mul, Log, Add) produced NaN at element 1 of %"), std::string::npos) << e;
  EXPECT_NE(e.find("(float32 [2]) from inputs without NaN"), std::string::npos) << e;
  e = error_of([&] { f(t({kNaN, 1})); });
  EXPECT_NE(e.find("(float32 [2], graph input 0), which kernel fused_"), std::string::npos) << e;
  EXPECT_NE(e.find("the NaN came from outside the compiled graph"), std::string::npos) << e;
  EXPECT_TRUE(f(t({1, 2})).isfinite().all().item<bool>());
}

TEST_P(AnomalyMode, ACompileOptionChecksThatFunctionAlone) {
  auto checked = compile([](const Tensor& x) { return (x * 2).log() + 1; }, {.detect_anomaly = true, .name = "checked"});
  auto unchecked = compile([](const Tensor& x) { return (x * 2).log() + 1; });
  Tensor x = t({1, -1});
  EXPECT_FALSE(autograd::AnomalyMode::is_enabled());
  std::string e = error_of([&] { checked(x); });
  EXPECT_NE(e.find("anomaly detected in compiled graph 'checked_forward': kernel fused_"), std::string::npos) << e;
  EXPECT_TRUE(unchecked(x).isnan().any().item<bool>());
  EXPECT_TRUE(checked(t({1, 2})).isfinite().all().item<bool>());
}

TEST_P(AnomalyMode, WithoutNaNChecksOnlyCallSitesAreRecorded) {
  {
    autograd::DetectAnomalyGuard guard(/*check_nan=*/false);
    EXPECT_TRUE(autograd::AnomalyMode::is_enabled());
    EXPECT_FALSE(autograd::AnomalyMode::should_check_nan());
    EXPECT_TRUE(t({-1}).log().isnan().all().item<bool>());
  }
  EXPECT_FALSE(autograd::AnomalyMode::is_enabled());
  EXPECT_TRUE(autograd::AnomalyMode::should_check_nan());
}

INSTANTIATE_TEST_SUITE_P(Devices, AnomalyMode, ::testing::ValuesIn(all_devices()), device_name);
