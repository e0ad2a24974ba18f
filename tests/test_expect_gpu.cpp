// EMBER_EXPECT_GPU=1 (what a GPU check run sets): a CUDA test that skips fails instead, with
// the reason CUDA is unavailable, so a GPU machine whose driver cannot run ember's CUDA never
// passes as a green run of skips. And every CUDA test is named so that the GPU check finds it.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <climits>

#include "runtime/cuda/cuda_unavailable.h"
#include "test_util.h"

namespace {

bool gpu_expected() {
  const char* e = std::getenv("EMBER_EXPECT_GPU");
  return e && std::string(e) == "1";
}

bool named_as_cuda_test(const ::testing::TestInfo& info) {
  std::string name = std::string(info.test_suite_name()) + "." + info.name();
  if (info.value_param()) name += info.value_param();
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name.find("cuda") != std::string::npos || name.find("gpu") != std::string::npos;
}

// End events reach listeners in reverse order, so this runs before the result printer.
// A test that skips for want of a device must say "cuda" or "gpu" in its name or parameter:
// that is how scripts/gpu_check.sh picks the tests a GPU machine runs.
class SkippedCudaTests : public ::testing::EmptyTestEventListener {
  void OnTestEnd(const ::testing::TestInfo& info) override {
    const ::testing::TestResult* r = info.result();
    if (!r->Skipped()) return;
    for (int i = 0; i < r->total_part_count(); ++i) {
      const ::testing::TestPartResult& part = r->GetTestPartResult(i);
      if (!part.skipped()) continue;
      std::string message = part.message();
      if (message.rfind("no CUDA device available", 0) == 0 && !named_as_cuda_test(info))
        ADD_FAILURE() << "this test needs a GPU, so its name or parameter must say cuda or gpu: "
                         "scripts/gpu_check.sh selects the tests a GPU machine runs by name";
      if (gpu_expected() && message.find("CUDA") != std::string::npos) {
        ADD_FAILURE() << "EMBER_EXPECT_GPU=1, but this CUDA test skipped: " << message << " ("
                      << ember::cuda::unavailable_reason() << ")";
        return;
      }
    }
  }
};

const bool registered = [] {
  ::testing::UnitTest::GetInstance()->listeners().Append(new SkippedCudaTests);
  return true;
}();

std::string this_binary() {
  char path[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  return n > 0 ? std::string(path, static_cast<size_t>(n)) : std::string();
}

}  // namespace

TEST(ExpectGpu, ASkippedCudaTestFailsWhenAGpuIsExpected) {
  if (ember::cuda::is_available()) GTEST_SKIP() << "a GPU is present: no skip to turn into a failure";
  EXPECT_NE(std::string(ember::cuda::unavailable_reason()), "");
  std::string run = this_binary() + " --gtest_filter=Transformer.CudaMatchesCpu 2>&1";
  ember::testing::CommandResult plain = ember::testing::run_command("EMBER_EXPECT_GPU= " + run);
  EXPECT_EQ(plain.code, 0) << plain.out;
  EXPECT_NE(plain.out.find("[  SKIPPED ]"), std::string::npos) << plain.out;
  ember::testing::CommandResult expected = ember::testing::run_command("EMBER_EXPECT_GPU=1 " + run);
  EXPECT_NE(expected.code, 0) << expected.out;
  EXPECT_NE(expected.out.find("EMBER_EXPECT_GPU=1, but this CUDA test skipped: no CUDA device available ("),
            std::string::npos)
      << expected.out;
  EXPECT_NE(expected.out.find("[  FAILED  ] Transformer.CudaMatchesCpu"), std::string::npos) << expected.out;
}

// Run only by the test below: a device test whose name does not say so.
TEST(NamingRule, DISABLED_NeedsADevice) { EMBER_REQUIRE_CUDA(); }

TEST(ExpectGpu, ACudaTestNotNamedSoFails) {
  if (ember::cuda::is_available()) GTEST_SKIP() << "a GPU is present: the test would run, not skip";
  ember::testing::CommandResult r = ember::testing::run_command(
      "EMBER_EXPECT_GPU= " + this_binary() +
      " --gtest_also_run_disabled_tests --gtest_filter=NamingRule.DISABLED_NeedsADevice 2>&1");
  EXPECT_NE(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("its name or parameter must say cuda or gpu"), std::string::npos) << r.out;
}
