// Repro bundles (frontend/compile/repro_bundle.h) and bisect (compiler/bisect.h): a compiled
// program's graph, inputs and options written on request or when compiling fails, loaded back
// to the same results, and each fused kernel checked against its ops run alone.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "compiler/bisect.h"
#include "frontend/compile/compile_internals.h"
#include "frontend/compile/repro_bundle.h"
#include "test_util.h"
#include "tool_path.h"

using namespace ember;
using namespace ember::testing;
namespace fs = std::filesystem;

namespace {

struct ReproDir {
  std::string path;
  explicit ReproDir(const std::string& name) : path(temp_file("ember_repro_" + name)) {
    fs::remove_all(path);
    setenv("EMBER_REPRO_DIR", path.c_str(), 1);
  }
  ~ReproDir() {
    unsetenv("EMBER_REPRO_DIR");
    fs::remove_all(path);
  }
  std::vector<std::string> bundles() const {
    std::vector<std::string> out;
    if (fs::exists(path))
      for (auto& e : fs::directory_iterator(path)) out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

// A kernel made wrong on purpose: the real one, then +1 on what it writes.
class OffByOne : public jit::FusedKernel {
 public:
  OffByOne(const jit::Graph& g, std::unique_ptr<jit::FusedKernel> k) : FusedKernel(g, k->group()), inner_(std::move(k)) {}
  void run(const jit::Graph& g, std::vector<Tensor>& values) const override {
    inner_->run(g, values);
    for (int o : group().outputs) values[o].add_(1);
  }
  std::string source() const override { return inner_->source(); }

 private:
  std::unique_ptr<jit::FusedKernel> inner_;
};

std::string dump_tool() {
#ifdef EMBER_DUMP_PATH
  return tool_path("EMBER_DUMP_TOOL", EMBER_DUMP_PATH);
#else
  return "";
#endif
}

}  // namespace

TEST(ReproBundle, OnRequestEveryProgramsFirstRunIsBundledAndReplaysBitExactly) {
  ReproDir dir("request");
  auto f = compile([](const Tensor& a, const Tensor& b) { return ((a * b).exp() + 1).sum(1) * 0.5; });
  Tensor a = randn({8, 16}), b = randn({8, 16});
  Tensor y = f(a, b);
  f(randn({8, 16}), randn({8, 16}));  // later runs are not bundled again
  std::vector<std::string> bundles = dir.bundles();
  ASSERT_EQ(bundles.size(), 1u);
  for (const char* file : {"graph.json", "inputs.safetensors", "manifest.json"})
    EXPECT_TRUE(fs::exists(bundles[0] + "/" + file)) << file;
  jit::ReproBundle r = jit::load_repro_bundle(bundles[0]);
  EXPECT_EQ(r.program, "fn_forward");
  EXPECT_EQ(r.reason, "EMBER_REPRO_DIR");
  ASSERT_EQ(r.inputs.size(), 2u);
  EXPECT_TRUE(bitwise_equal(r.inputs[0], a));
  EXPECT_TRUE(bitwise_equal(r.inputs[1], b));
  jit::Program p(r.graph, r.options, r.program);
  EXPECT_TRUE(bitwise_equal(p.run(r.inputs)[0], y));
  BisectResult verdict = bisect_repro_bundle(bundles[0]);
  EXPECT_TRUE(verdict.all_agree) << verdict.report;
  EXPECT_NE(verdict.report.find("every fused kernel agrees"), std::string::npos) << verdict.report;
}

TEST(ReproBundle, AFailedCompileWritesABundleAndSaysWhere) {
  ReproDir dir("failure");
  CompileOptions co;
  co.strict = true;
  auto f = compile([](const Tensor& a, const Tensor& b) { return (a.neg() + b) * 2; }, co);
  std::string msg;
  try {
    f(randn({4}), randn({3, 4}));
  } catch (const Error& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("compile(strict)"), std::string::npos) << msg;
  size_t at = msg.find("repro bundle: ");
  ASSERT_NE(at, std::string::npos) << msg;
  std::string bundle = msg.substr(at + 14, msg.find(' ', at + 14) - at - 14);
  jit::ReproBundle r = jit::load_repro_bundle(bundle);
  EXPECT_TRUE(r.options.strict);
  EXPECT_TRUE(r.has_inputs);
  EXPECT_NE(r.reason.find("compile(strict)"), std::string::npos);
  EXPECT_EMBER_ERROR(jit::Program(r.graph, r.options, r.program), "compile(strict)");  // it reproduces
  r.options.strict = false;
  EXPECT_EQ(jit::Program(r.graph, r.options, r.program).run(r.inputs)[0].sizes(), Shape({3, 4}));
  std::string tool = dump_tool();
  if (!tool.empty()) {
    CommandResult c = run_command(tool + " --replay " + bundle + " 2>&1");
    EXPECT_EQ(c.code, 1) << c.out;  // the bundled strict options refuse again
    EXPECT_NE(c.out.find("compile(strict)"), std::string::npos) << c.out;
  }
}

TEST(ReproBundle, BisectNamesTheFirstKernelThatDiffers) {
  auto f = compile([](const Tensor& a, const Tensor& b) { return (a * 2 + b).relu().mm(b.t()).exp() - 1; });
  Tensor a = randn({6, 5}), b = randn({6, 5});
  f(a, b);
  const jit::Program& p = jit::forward_program(f);
  ASSERT_GE(p.kernels().size(), 2u) << jit::describe(p, false, false);
  jit::BisectReport good = jit::bisect(p, {a, b});
  EXPECT_EQ(good.first_bad, -1) << good.describe();
  for (const auto& k : good.kernels) EXPECT_TRUE(k.bitwise) << k.kernel;

  std::vector<int> run_order;
  for (const jit::Step& s : p.steps())
    if (s.kind == jit::Step::Kind::Fused) run_order.push_back(s.fused);
  auto& kernels = const_cast<std::vector<std::unique_ptr<jit::FusedKernel>>&>(p.kernels());
  auto& second = kernels[static_cast<size_t>(run_order[1])];
  second = std::make_unique<OffByOne>(p.graph(), std::move(second));
  jit::BisectReport bad = jit::bisect(p, {a, b});
  ASSERT_EQ(bad.first_bad, 1) << bad.describe();
  EXPECT_FALSE(bad.kernels[1].ok);
  EXPECT_NE(bad.describe().find("=> kernel " + second->name()), std::string::npos) << bad.describe();
  EXPECT_NE(bad.describe().find("DIFFERS beyond the promise"), std::string::npos) << bad.describe();
  EXPECT_TRUE(bad.kernels[0].ok);
}

TEST(ReproBundle, BadBundlesAreNamedErrors) {
  std::string dir = temp_file("ember_repro_bad");
  fs::remove_all(dir);
  EXPECT_EMBER_ERROR(jit::load_repro_bundle(dir), "no manifest.json");
  fs::create_directories(dir);
  std::ofstream(dir + "/manifest.json") << R"({"format": "ember.repro", "version": 99})";
  EXPECT_EMBER_ERROR(jit::load_repro_bundle(dir), "version 99 (this ember reads version 1)");
  std::ofstream(dir + "/manifest.json") << "{not json";
  EXPECT_EMBER_ERROR(jit::load_repro_bundle(dir), "malformed manifest.json");
  fs::remove_all(dir);
}
