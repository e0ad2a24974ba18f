#pragma once
// Shared helpers for the GoogleTest suites.
#include <gtest/gtest.h>

#include <ember/ember.h>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bitwise_difference.h"

namespace ember::testing {

// CUDA tests are always built; without a device they skip with a visible reason.
#define EMBER_REQUIRE_CUDA()                                                           \
  do {                                                                                 \
    if (!::ember::cuda::is_available()) GTEST_SKIP() << "no CUDA device available";    \
  } while (0)

// A file name in the system's temporary directory.
inline std::string temp_file(const std::string& name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

// A shell command's exit code and its output (what it writes to stdout; add 2>&1 for stderr).
struct CommandResult {
  int code;
  std::string out;
};

inline CommandResult run_command(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = pclose(p);
  return {WEXITSTATUS(status), out};
}

// Devices to run device-parameterised tests on (CUDA is included and skipped when absent).
inline std::vector<Device> all_devices() { return {Device(kCPU), Device(kCUDA, 0)}; }

inline std::string device_name(const ::testing::TestParamInfo<Device>& info) {
  return info.param.is_cpu() ? "cpu" : "cuda";
}

// Values of any tensor as float64 on the CPU, row-major.
inline std::vector<double> values(const Tensor& t) {
  Tensor h = t.detach().to(Device(kCPU)).to(kFloat64).contiguous();
  const double* p = h.data_ptr<double>();
  return std::vector<double>(p, p + h.numel());
}

// |a - b| <= atol + rtol * |b| elementwise, NaNs equal, with a readable failure.
inline ::testing::AssertionResult close(const Tensor& a, const Tensor& b, double rtol = 1e-5,
                                        double atol = 1e-6) {
  if (a.sizes() != b.sizes())
    return ::testing::AssertionFailure() << "shapes differ: " << shape_str(a.sizes()) << " vs "
                                         << shape_str(b.sizes());
  auto va = values(a), vb = values(b);
  for (size_t i = 0; i < va.size(); ++i) {
    double x = va[i], y = vb[i];
    if (std::isnan(x) && std::isnan(y)) continue;
    if (x == y) continue;
    if (!(std::fabs(x - y) <= atol + rtol * std::fabs(y)))
      return ::testing::AssertionFailure() << "element " << i << ": " << x << " vs " << y;
  }
  return ::testing::AssertionSuccess();
}

// Bitwise equality of two tensors' bytes (same dtype and shape).
inline ::testing::AssertionResult bitwise_equal(const Tensor& a, const Tensor& b) {
  std::string why = bitwise_difference(a, b);
  if (!why.empty()) return ::testing::AssertionFailure() << why;
  return ::testing::AssertionSuccess();
}

// Expects `stmt` to throw ember::Error whose message contains `needle`.
#define EXPECT_EMBER_ERROR(stmt, needle)                                                   \
  do {                                                                                     \
    try {                                                                                  \
      stmt;                                                                                \
      ADD_FAILURE() << "expected ember::Error containing '" << (needle) << "'";            \
    } catch (const ::ember::Error& e) {                                                    \
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)                     \
          << "message was: " << e.what();                                                  \
    }                                                                                      \
  } while (0)

}  // namespace ember::testing
