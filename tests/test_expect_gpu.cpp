// EMBER_EXPECT_GPU=1 (what a GPU check run sets): a CUDA test that skips fails instead, with
// the reason CUDA is unavailable, so a GPU machine whose driver cannot run ember's CUDA never
// passes as a green run of skips.
#include <unistd.h>

#include <climits>

#include "runtime/cuda/cuda_unavailable.h"
#include "test_util.h"

namespace {

bool gpu_expected() {
  const char* e = std::getenv("EMBER_EXPECT_GPU");
  return e && std::string(e) == "1";
}

// End events reach listeners in reverse order, so this runs before the result printer.
class SkippedCudaTestsFail : public ::testing::EmptyTestEventListener {
  void OnTestEnd(const ::testing::TestInfo& info) override {
    const ::testing::TestResult* r = info.result();
    if (!r->Skipped()) return;
    for (int i = 0; i < r->total_part_count(); ++i) {
      const ::testing::TestPartResult& part = r->GetTestPartResult(i);
      if (part.skipped() && std::string(part.message()).find("CUDA") != std::string::npos) {
        ADD_FAILURE() << "EMBER_EXPECT_GPU=1, but this CUDA test skipped: " << part.message() << " ("
                      << ember::cuda::unavailable_reason() << ")";
        return;
      }
    }
  }
};

const bool registered = [] {
  if (gpu_expected()) ::testing::UnitTest::GetInstance()->listeners().Append(new SkippedCudaTestsFail);
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
