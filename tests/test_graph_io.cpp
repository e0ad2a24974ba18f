// Graph printers, the JSON round trip and every way a graph file can be bad.
#include <filesystem>
#include <fstream>

#include "frontend/compile/compile_internals.h"
#include "compiler/serialize_graph.h"
#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {

jit::Graph notes_graph() {
  Tensor x = randn({64, 1000}), y = randn({64, 10}), w1 = randn({1000, 100}), w2 = randn({100, 10});
  return jit::trace([&](const std::vector<Tensor>& t) {
    return std::vector<Tensor>{(t[0].mm(w1).clamp(0).mm(w2) - t[1]).pow(2).sum()};
  }, {x, y});
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

}  // namespace

TEST(GraphIO, TextShowsOpsAndTypes) {
  std::string t = jit::to_text(notes_graph());
  EXPECT_NE(t.find("Mm(%0, %2) : float32[64, 100]"), std::string::npos) << t;
  EXPECT_NE(t.find("ClampMin(%3, 0)"), std::string::npos) << t;
  EXPECT_NE(t.find("Sum(%10, dims=[], keepdim=false) : float32[]"), std::string::npos) << t;
}

TEST(GraphIO, JsonRoundTrip) {
  jit::Graph g = notes_graph();
  std::string json = jit::to_json(g);
  jit::Graph back = jit::graph_from_json(json);
  EXPECT_EQ(jit::to_text(back), jit::to_text(g));
  EXPECT_EQ(jit::to_json(back), json);
  std::string path = (std::filesystem::temp_directory_path() / "ember_graph.json").string();
  jit::save_graph(g, path);
  EXPECT_EQ(jit::to_text(jit::load_graph(path)), jit::to_text(g));
  std::filesystem::remove(path);
  // a loaded graph runs like the original
  jit::Program prog(back, {}, "loaded");
  std::vector<Tensor> in;
  for (int i : back.inputs) in.push_back(randn(back.values[i].sizes));
  EXPECT_EQ(prog.run(in)[0].sizes(), Shape{});
}

TEST(GraphIO, BadFilesAreRejectedWithAReason) {
  std::string good = jit::to_json(notes_graph(), -1);
  EXPECT_EMBER_ERROR(jit::graph_from_json("{not json"), "not valid JSON");
  EXPECT_EMBER_ERROR(jit::graph_from_json("{\"format\": \"other\"}"), "not an ember graph");
  EXPECT_EMBER_ERROR(jit::graph_from_json(replace(good, "\"version\":1", "\"version\":99")),
                     "unsupported schema version 99");
  EXPECT_EMBER_ERROR(jit::graph_from_json(replace(good, "\"op\":\"Mm\"", "\"op\":\"Frobnicate\"")),
                     "unknown op 'Frobnicate'");
  EXPECT_EMBER_ERROR(jit::graph_from_json(replace(good, "\"dtype\":\"float32\"", "\"dtype\":\"float7\"")),
                     "unknown dtype 'float7'");
  // the first Mm reads %5, which a later node produces: a cycle
  EXPECT_EMBER_ERROR(jit::graph_from_json(replace(good, "\"inputs\":[0,2]", "\"inputs\":[5,2]")),
                     "before it is defined");
  // a contradicting shape is caught by re-inference
  EXPECT_EMBER_ERROR(jit::graph_from_json(replace(good, "\"shape\":[64,100],\"strides\":[100,1]",
                                                  "\"shape\":[64,99],\"strides\":[99,1]")),
                     "but the op infers");
  EXPECT_EMBER_ERROR(jit::graph_from_json(replace(good, "\"inputs\":[0,2]", "\"inputs\":[0,999]")),
                     "does not exist");
  // Floats where integers belong (fuzz_graph_json: converting 1e300 to an int is undefined).
  EXPECT_EMBER_ERROR(jit::graph_from_json(replace(good, "\"version\":1", "\"version\":1e300")),
                     "version must be an integer (got 1e+300)");
  EXPECT_EMBER_ERROR(jit::graph_from_json(replace(good, "\"inputs\":[0,2]", "\"inputs\":[0,-2e19]")),
                     "a value id must be an integer");
  EXPECT_EMBER_ERROR(jit::graph_from_json(replace(good, "\"shape\":[64,100],\"strides\":[100,1]",
                                                  "\"shape\":[64,1e30],\"strides\":[100,1]")),
                     "a shape must be an integer");
  EXPECT_EMBER_ERROR(jit::graph_from_json(good.substr(0, good.size() / 2)), "not valid JSON");
  EXPECT_EMBER_ERROR(jit::load_graph("/nonexistent/ember.json"), "cannot open");
}

TEST(GraphIO, DotDrawsFusedGroupsAsClusters) {
  Tensor a = randn({16}), b = randn({16});
  auto f = compile([](const Tensor& x, const Tensor& y) { return ((x + y).relu() * 2).sum(); });
  f(a, b);
  std::string dot = jit::program_dot(jit::forward_program(f));
  EXPECT_NE(dot.find("digraph ember"), std::string::npos);
  EXPECT_NE(dot.find("subgraph cluster_0"), std::string::npos) << dot;
  EXPECT_NE(dot.find("fused_add_relu_mul_sum_f32"), std::string::npos) << dot;
  std::string summary = jit::summary_json(jit::forward_program(f));
  EXPECT_NE(summary.find("\"fused_groups\""), std::string::npos);
}

TEST(GraphIO, DumpDirectoryGetsEveryArtifact) {
  auto dir = std::filesystem::temp_directory_path() / "ember_dump_test";
  std::filesystem::remove_all(dir);
  setenv("EMBER_DUMP", dir.c_str(), 1);
  Tensor w = randn({8, 4}, TensorOptions().requires_grad(true));
  CompileOptions co;
  co.name = "dumped";
  auto f = compile([&](const Tensor& x) { return (x.mm(w).tanh() * 3).sum(); }, co);
  f(randn({5, 8}));
  unsetenv("EMBER_DUMP");
  for (const char* name : {"dumped_1.forward.traced.txt", "dumped_1.forward.traced.json", "dumped_1.forward.txt",
                           "dumped_1.forward.json", "dumped_1.forward.dot", "dumped_1.forward.summary.json",
                           "dumped_1.backward.txt"})
    EXPECT_TRUE(std::filesystem::exists(dir / name)) << name;
  bool kernel_file = false;
  for (auto& e : std::filesystem::directory_iterator(dir))
    kernel_file = kernel_file || e.path().string().find(".fused_") != std::string::npos;
  EXPECT_TRUE(kernel_file);
  std::filesystem::remove_all(dir);
}
