// ember-bench from the outside: a --quick run writes the table and a JSON document of the
// shared schema, and every kind of bad argument is a one-line error with a non-zero exit.
// Never asserts on timings (speed is measured by benchmarks, not tests).
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "test_util.h"
#include "tool_path.h"

using namespace ember;

namespace {

#ifdef EMBER_BENCH_PATH
using Result = ember::testing::CommandResult;
using ember::testing::temp_file;

Result bench(const std::string& args) {
  std::string tool = ember::testing::tool_path("EMBER_BENCH_TOOL", EMBER_BENCH_PATH);
  return ember::testing::run_command(tool + " " + args + " 2>&1");
}

void expect_one_line_error(const Result& r, const std::string& needle) {
  EXPECT_NE(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("ember-bench: error: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(needle), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("terminate"), std::string::npos) << r.out;
  // Exactly one error line, and it is the last line.
  size_t at = r.out.find("ember-bench: error: ");
  EXPECT_EQ(at, r.out.rfind("ember-bench: error: ")) << r.out;
  if (at != std::string::npos) EXPECT_EQ(r.out.find('\n', at), r.out.size() - 1) << r.out;
}
#endif

}  // namespace

#ifdef EMBER_BENCH_PATH

TEST(EmberBench, QuickRunWritesTableAndJson) {
  std::string path = temp_file("ember_bench_quick.json");
  std::filesystem::remove(path);
  Result r = bench("--quick --device cpu --json '" + path + "'");
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* s : {"ember eager", "ember compiled", "two_layer_net", "chain:add,mul,clamp,pow", "copy bandwidth",
                        "Issue targets:", "[1/"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;

  std::ifstream f(path);
  ASSERT_TRUE(f) << "no JSON written";
  nlohmann::json j = nlohmann::json::parse(f);
  EXPECT_EQ(j["schema"], "ember-bench/1");
  EXPECT_FALSE(j["machine"]["cpu_model"].get<std::string>().empty());
  EXPECT_GE(j["machine"]["threads"].get<int>(), 1);
  EXPECT_FALSE(j["machine"]["git_commit"].get<std::string>().empty());
  EXPECT_FALSE(j["machine"]["versions"]["onednn"].get<std::string>().empty());
  EXPECT_GT(j["copy_bandwidth"]["gbps"].get<double>(), 0);
  ASSERT_TRUE(j["results"].is_array());
  std::set<std::string> labels;
  for (const auto& row : j["results"]) {
    ASSERT_TRUE(row["error"].is_null()) << row.dump();
    labels.insert(row["label"].get<std::string>());
    EXPECT_GT(row["time_us"]["median"].get<double>(), 0) << row.dump();
    EXPECT_LE(row["time_us"]["p10"].get<double>(), row["time_us"]["p90"].get<double>());
    if (row["impl"] == "ember") {
      EXPECT_GE(row["launches_per_call"].get<int64_t>(), 1) << row.dump();
      EXPECT_FALSE(row["peak_bytes"].is_null());
    }
    if (row["mode"] == "compiled") {
      ASSERT_TRUE(row["compile"].is_object()) << row.dump();
      EXPECT_GE(row["compile"]["fused_kernels"].get<int64_t>(), 1) << row.dump();
    }
    if (row["workload"] == "chain:add,mul,clamp,pow") {
      EXPECT_EQ(row["bytes_source"], "min_bytes");
      EXPECT_EQ(row["bytes_per_call"].get<int64_t>(), row["size"].get<int64_t>() * 12);
    }
    if (row["workload"] == "chain:add,mul,clamp,pow" && row["mode"] == "compiled")
      EXPECT_EQ(row["launches_per_call"].get<int64_t>(), 1) << "the 4-op chain should be one fused kernel";
  }
  EXPECT_TRUE(labels.count("ember eager"));
  EXPECT_TRUE(labels.count("ember compiled"));
  EXPECT_EQ(j["targets"].size(), 5u);
  std::filesystem::remove(path);
}

TEST(EmberBench, ListAndHelp) {
  Result list = bench("--list --filter 'two_layer|^chain:add$' --sizes 2^10,4096");
  EXPECT_EQ(list.code, 0) << list.out;
  EXPECT_NE(list.out.find("chain:add 2^10"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("chain:add 2^12"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("two_layer_net N=64"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find("chain:add,mul"), std::string::npos) << list.out;
  Result help = bench("--help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("Examples:"), std::string::npos);
  EXPECT_NE(help.out.find("--json"), std::string::npos);
}

TEST(EmberBench, BadArgumentsAreOneLineErrors) {
  expect_one_line_error(bench("--workload nosuch"), "unknown workload 'nosuch'");
  expect_one_line_error(bench("--workload chain:add,frobnicate"), "unknown chain op");
  expect_one_line_error(bench("--device tpu"), "unknown device 'tpu'");
  if (!cuda::is_available()) expect_one_line_error(bench("--device cuda --quick"), "not available");
  expect_one_line_error(bench("--quick --sizes 0"), "bad size '0'");
  expect_one_line_error(bench("--quick --sizes 2^10,abc"), "bad size 'abc'");
  expect_one_line_error(bench("--quick --sizes 2^99"), "bad size '2^99'");
  expect_one_line_error(bench("--quick --sizes 3^4"), "bad size '3^4'");
  expect_one_line_error(bench("--quick --json /nonexistent-dir/out.json"), "cannot write --json file");
  expect_one_line_error(bench("--quick --filter '['"), "bad --filter regex");
  expect_one_line_error(bench("--quick --filter zzz_nothing"), "no workload matches");
  expect_one_line_error(bench("--quick --repeat 0"), "--repeat must be at least 1");
  expect_one_line_error(bench("--quick --repeat many"), "repeat");
  expect_one_line_error(bench("--no-such-flag"), "no-such-flag");
}

#else

TEST(EmberBench, SkippedWithoutTools) { GTEST_SKIP() << "ember-bench is not built (EMBER_BUILD_TOOLS=OFF)"; }

#endif
