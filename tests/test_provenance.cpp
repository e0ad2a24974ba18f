// Provenance (compiler/graph.h NodeOrigin): every traced node records the nn module it ran in
// and the user's call site; backward ops carry their forward op's; dumps, JSON, DOT, kernel
// infos and NVTX labels show them.
#include "compiler/serialize_graph.h"
#include "compiler/step_name.h"
#include "frontend/compile/compile_internals.h"
#include "test_util.h"
#include "tool_path.h"

using namespace ember;
using namespace ember::testing;

// Outside the anonymous namespace, as user code would be (call sites name exported functions).
struct ProvenanceInnerImpl : nn::Module {
  nn::Linear proj{nullptr};
  ProvenanceInnerImpl() { proj = register_module("proj", nn::Linear(4, 4)); }
  Tensor forward(const Tensor& x) { return (proj(x) * 2 + 1).sigmoid(); }
};
EMBER_MODULE(ProvenanceInner);

struct ProvenanceOuterImpl : nn::Module {
  ProvenanceInner inner{nullptr};
  ProvenanceOuterImpl() { inner = register_module("inner", ProvenanceInner()); }
  Tensor forward(const Tensor& x) { return (inner(x).exp() - 3).tanh(); }
};
EMBER_MODULE(ProvenanceOuter);

namespace {

// The origins of the kernel whose ops are exactly `ops`.
std::vector<std::string> origins_of(const std::vector<CompiledKernelInfo>& kernels, const std::vector<std::string>& ops) {
  for (const auto& k : kernels)
    if (k.ops == ops) return k.origins;
  return {};
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(Provenance, FusedKernelsNameTheModuleAndCallSiteOfEachOp) {
  ProvenanceOuter model;
  auto f = compile([&](const Tensor& x) { return model(x); });
  Tensor x = randn({3, 4});
  f(x);
  auto kernels = f.kernels();
  std::vector<std::string> inner = origins_of(kernels, {"Mul", "Add", "Sigmoid", "Exp", "Sub", "Tanh"});
  ASSERT_EQ(inner.size(), 6u) << f.dump();
  EXPECT_TRUE(inner[0].starts_with("model.inner at ")) << inner[0];
  // Frames of the test binary, named where not inlined (ember_tests exports its symbols).
  EXPECT_TRUE(has(inner[0], "(ember_tests+0x")) << inner[0];
  // The user's code (the test, or the module's forward where -O1 did not inline it).
  EXPECT_TRUE(has(inner[0], "FusedKernelsNameTheModuleAndCallSiteOfEachOp_Test::TestBody()") ||
              has(inner[0], "ProvenanceInnerImpl::forward(")) << inner[0];
  EXPECT_TRUE(inner[3].starts_with("model at ")) << inner[3];
  EXPECT_NE(inner[3], inner[0]);
  std::string dump = f.dump();
  EXPECT_TRUE(has(dump, "== provenance")) << dump;
  EXPECT_TRUE(has(dump, "op FusedMm  model.inner.proj at ")) << dump;
}

TEST(Provenance, BackwardOpsCarryTheirForwardOpsOrigin) {
  ProvenanceOuter model;
  auto f = compile([&](const Tensor& x) { return model(x).sum(); });
  Tensor x = randn({3, 4}, TensorOptions().requires_grad(true));
  f(x).backward();
  ASSERT_TRUE(f.has_backward());
  int backward_of_inner = 0, unknown = 0;
  for (const auto& k : f.kernels(CompiledPart::Backward))
    for (const auto& o : k.origins) {
      backward_of_inner += o.starts_with("backward of model.inner at ");
      unknown += o.empty();
    }
  EXPECT_GT(backward_of_inner, 0) << f.dump();
  EXPECT_EQ(unknown, 0) << f.dump();
}

TEST(Provenance, SequentialChildrenAreNamedByTheirIndex) {
  nn::Sequential model(nn::Linear(4, 8), nn::Sigmoid(), nn::Linear(8, 2));
  auto f = compile([&](const Tensor& x) { return (model(x) * 3).exp(); });
  f(randn({5, 4}));
  const jit::Program& p = jit::forward_program(f);
  std::vector<std::string> seen;
  for (size_t n = 0; n < p.graph().nodes.size(); ++n) seen.push_back(jit::origin_text(p.graph(), static_cast<int>(n)));
  auto any = [&](const std::string& prefix) {
    for (const auto& s : seen)
      if (s.starts_with(prefix)) return true;
    return false;
  };
  EXPECT_TRUE(any("model.0 at ")) << jit::describe(p);
  EXPECT_TRUE(any("model.1 at ")) << jit::describe(p);
  EXPECT_TRUE(any("model.2 at ")) << jit::describe(p);
  // Outside any module only the call site is known.
  EXPECT_TRUE(any("at ")) << jit::describe(p);
}

TEST(Provenance, JsonKeepsItAndDotShowsItAsTooltips) {
  ProvenanceOuter model;
  auto f = compile([&](const Tensor& x) { return model(x); });
  f(randn({2, 4}));
  const jit::Graph& g = jit::forward_program(f).traced();
  jit::Graph back = jit::graph_from_json(jit::to_json(g));
  ASSERT_EQ(back.nodes.size(), g.nodes.size());
  for (size_t n = 0; n < g.nodes.size(); ++n)
    EXPECT_EQ(jit::origin_text(back, static_cast<int>(n)), jit::origin_text(g, static_cast<int>(n))) << n;
  EXPECT_TRUE(has(f.graph_dot(), "tooltip=\"model.inner at ")) << f.graph_dot();
}

TEST(Provenance, StepLabelsNameTheModuleForNvtx) {
  ProvenanceOuter model;
  auto f = compile([&](const Tensor& x) { return model(x); });
  f(randn({2, 4}));
  const jit::Program& p = jit::forward_program(f);
  std::vector<std::string> labels;
  for (const auto& s : p.steps()) labels.push_back(jit::step_label(p, s));
  bool kernel_in_inner = false, addmm_in_proj = false;
  for (const auto& l : labels) {
    kernel_in_inner = kernel_in_inner || (l.starts_with("fused_") && l.ends_with(" [model.inner]"));
    addmm_in_proj = addmm_in_proj || l == "FusedMm [model.inner.proj]";
  }
  EXPECT_TRUE(kernel_in_inner);
  EXPECT_TRUE(addmm_in_proj);
}

TEST(Provenance, NvtxRangesRunWhenAsked) {
#ifdef EMBER_DUMP_PATH
  std::string tool = tool_path("EMBER_DUMP_TOOL", EMBER_DUMP_PATH);
  CommandResult r = run_command("EMBER_NVTX=1 " + tool + " --model two_layer_net --run 3 2>&1");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(has(r.out, "ran 3 times")) << r.out;
#else
  GTEST_SKIP() << "ember-dump is not built";
#endif
}
