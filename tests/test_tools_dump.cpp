// ember-dump from the outside: outputs for the built-in workloads and one-line errors with
// a non-zero exit for every kind of bad input.
#include <filesystem>
#include <fstream>

#include "frontend/compile/compile_internals.h"
#include "compiler/serialize_graph.h"
#include "test_util.h"
#include "tool_path.h"

using namespace ember;

namespace {

using Result = ember::testing::CommandResult;
using ember::testing::temp_file;

#ifdef EMBER_DUMP_PATH
Result dump(const std::string& args) {
  std::string tool = ember::testing::tool_path("EMBER_DUMP_TOOL", EMBER_DUMP_PATH);
  return ember::testing::run_command(tool + " " + args + " 2>&1");
}
#endif

}  // namespace

#ifdef EMBER_DUMP_PATH

TEST(EmberDump, WorkloadsInEveryFormat) {
  Result text = dump("--model chain:add,clamp,pow --shapes 4096 --kernels");
  EXPECT_EQ(text.code, 0) << text.out;
  EXPECT_NE(text.out.find("kernel fused_add_clamp_pow_f32"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("launches per call 1"), std::string::npos) << text.out;
  Result net = dump("--model two_layer_net --passes");
  EXPECT_EQ(net.code, 0) << net.out;
  EXPECT_NE(net.out.find("after cse"), std::string::npos);
  EXPECT_NE(net.out.find("fused_sub_pow_sum_f32"), std::string::npos);
  Result grad = dump("--model transformer_mlp --shapes 8 --grad");
  EXPECT_EQ(grad.code, 0) << grad.out;
  EXPECT_NE(grad.out.find("transformer_mlp_backward"), std::string::npos) << grad.out;
  Result json = dump("--model loss --json");
  EXPECT_EQ(json.code, 0);
  EXPECT_NE(json.out.find("\"fused_groups\""), std::string::npos);
  Result dot = dump("--model dynamic_net:2 --dot");
  EXPECT_EQ(dot.code, 0);
  EXPECT_NE(dot.out.find("subgraph cluster_"), std::string::npos);
  Result help = dump("--help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("Examples:"), std::string::npos);
}

TEST(EmberDump, SavedGraphRoundTripAndRun) {
  auto g = jit::trace([](const std::vector<Tensor>& t) { return std::vector<Tensor>{(t[0] * 2).relu().sum()}; },
                      {randn({16, 8})});
  std::string path = temp_file("ember_dump_graph.json");
  jit::save_graph(g, path);
  Result r = dump("'" + path + "' --run 5");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("ran 5 times"), std::string::npos) << r.out;
  std::filesystem::remove(path);
}

TEST(EmberDump, BadInputsAreOneLineErrors) {
  auto expect_error = [](const Result& r, const std::string& needle) {
    EXPECT_NE(r.code, 0) << r.out;
    EXPECT_NE(r.out.find(needle), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("terminate"), std::string::npos) << r.out;
  };
  expect_error(dump("/nonexistent/graph.json"), "cannot open");
  std::string good = jit::to_json(jit::trace([](const std::vector<Tensor>& t) {
    return std::vector<Tensor>{(t[0] + 1).exp()};
  }, {randn({4})}), -1);
  auto write = [&](const std::string& name, const std::string& text) {
    std::string p = temp_file(name);
    std::ofstream(p) << text;
    return p;
  };
  auto replace = [](std::string s, const std::string& from, const std::string& to) {
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  expect_error(dump(write("v.json", replace(good, "\"version\":1", "\"version\":7"))), "unsupported schema version 7");
  expect_error(dump(write("op.json", replace(good, "\"op\":\"Exp\"", "\"op\":\"Warp\""))), "unknown op 'Warp'");
  expect_error(dump(write("cycle.json", replace(good, "\"inputs\":[0,1]", "\"inputs\":[3,1]"))), "before it is defined");
  // (nlohmann/json writes keys in sorted order)
  expect_error(dump(write("shape.json", replace(good, "\"id\":2,\"kind\":\"node\",\"offset\":0,\"shape\":[4]",
                                                "\"id\":2,\"kind\":\"node\",\"offset\":0,\"shape\":[5]"))),
               "but the op infers");
  expect_error(dump(write("garbage.json", "]]]")), "not valid JSON");
  expect_error(dump("--model no_such_model"), "unknown workload 'no_such_model'");
  expect_error(dump("--model chain:add,warp"), "unknown chain op 'warp'");
  expect_error(dump("--model loss --device tpu"), "invalid device 'tpu'");
  Result none = dump("");
  EXPECT_EQ(none.code, 2);
}

#else

TEST(EmberDump, WorkloadsInEveryFormat) { GTEST_SKIP() << "ember-dump is not built (EMBER_BUILD_TOOLS=OFF)"; }

#endif
