// Exported compiled steps (ember/export.h): save() in this process, load_compiled here and
// ember-run in child processes that have none of the traced code; results bitwise equal to
// the original compiled calls, training continued from the saved state, specific errors.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ember/export.h"
#include "ember/numpy_io.h"
#include "ember/serialize.h"
#include "compiler/serialize_graph.h"
#include "frontend/compile/compile_internals.h"
#include "frontend/zip_archive.h"
#include "test_util.h"
#include "tool_path.h"
#ifdef EMBER_WITH_CUDA
#include "compiler/codegen/nvrtc.h"
#endif

using namespace ember;
using namespace ember::testing;
namespace fs = std::filesystem;

namespace {

// Per process: the CPU-ISA ctest runs execute these tests beside their own entries.
std::string scratch(const std::string& name) {
  return temp_file("ember_export_" + std::to_string(::getpid()) + "_" + name);
}
std::string artifact(const std::string& name) { return scratch(name + ".ember"); }

std::string ember_run() {
#ifdef EMBER_RUN_PATH
  return tool_path("EMBER_RUN_TOOL", EMBER_RUN_PATH);
#else
  return "";
#endif
}

nn::Sequential small_mlp() {
  return nn::Sequential(nn::Linear(6, 16), nn::ReLU(), nn::Linear(16, 3));
}

void copy_parameters(const nn::Module& from, nn::Module& to) {
  NoGradGuard g;
  auto src = from.parameters();
  auto dst = to.parameters();
  for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
}

// A whole training step: forward, loss, backward and an Adam update inside one compiled call.
struct Trainer {
  nn::Sequential model = small_mlp();
  optim::Adam opt{model->parameters(), optim::AdamOptions(1e-2)};
  decltype(compile(std::function<Tensor(const Tensor&, const Tensor&)>())) step = compile(
      std::function<Tensor(const Tensor&, const Tensor&)>([this](const Tensor& x, const Tensor& y) {
        opt.zero_grad();
        Tensor loss = nn::functional::mse_loss(model->forward(x), y);
        loss.backward();
        opt.step();
        return loss;
      }),
      CompileOptions{.name = "train_step"});
};

void rewrite_manifest(const std::string& from, const std::string& to, const std::string& old_text,
                      const std::string& new_text) {
  ZipReader in(from, "test");
  ZipWriter out(to, "test");
  for (const auto& name : in.names()) {
    std::string bytes = in.read(name);
    if (name == "manifest.json") {
      size_t at = bytes.find(old_text);
      ASSERT_NE(at, std::string::npos) << old_text;
      bytes.replace(at, old_text.size(), new_text);
    }
    out.add(name, bytes, false);
  }
  out.close();
}

std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace

TEST(Export, InferenceLoadsAndRunsBitwiseEqual) {
  manual_seed(1);
  nn::Sequential model = small_mlp();
  auto f = compile([&](const Tensor& x) { return ember::softmax(model->forward(x), 1); }, {.name = "classify"});
  Tensor x = randn({8, 6});
  Tensor expected;
  {
    NoGradGuard g;
    expected = f(x);
  }
  std::string path = artifact("inference");
  f.save(path, {.names = model->named_parameters().pairs()});
  LoadedFunction loaded = load_compiled(path);
  EXPECT_EQ(loaded.num_variants(), 1u);
  Tensor got = loaded({x})[0];
  EXPECT_TRUE(bitwise_equal(got, expected));
  EXPECT_FALSE(got.requires_grad());
  std::vector<std::string> names;
  for (const auto& [n, t] : loaded.state()) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
  EXPECT_NE(loaded.describe().find("compiled function 'classify'"), std::string::npos) << loaded.describe();
  // The loaded state is a copy: training the original further does not change it.
  for (const auto& [n, t] : loaded.state()) EXPECT_FALSE(t.is_same(model->named_parameters()[n]));
  fs::remove(path);
}

TEST(Export, TheArtifactHoldsTheGraphKernelSourcesAndState) {
  auto f = compile([](const Tensor& a, const Tensor& b) { return (a * b + 1).relu().sum(1); });
  Tensor a = randn({4, 5}), b = randn({4, 5});
  f(a, b);
  std::string path = artifact("members");
  f.save(path);
  ZipReader z(path, "test");
  EXPECT_TRUE(z.contains("manifest.json"));
  EXPECT_TRUE(z.contains("variant0/graph.json"));
  EXPECT_TRUE(z.contains("variant0/program.txt"));
  auto kernels = f.kernels();
  ASSERT_FALSE(kernels.empty());
  EXPECT_EQ(z.read("variant0/kernels/0_" + kernels[0].name + ".txt"), kernels[0].source);
  EXPECT_EQ(jit::graph_from_json(z.read("variant0/graph.json")).nodes.size(),
            jit::forward_program(f).traced().nodes.size());
  fs::remove(path);
}

TEST(Export, EveryVariantIsExportedAndChosenByItsGuards) {
  auto f = compile([](const Tensor& x) { return x.exp().sum(0); });
  Tensor x8 = randn({8, 3}), x4 = randn({4, 3}), xd = randn({4, 3}, kFloat64);
  Tensor y8 = f(x8), y4 = f(x4), yd = f(xd);
  std::string path = artifact("variants");
  f.save(path);
  LoadedFunction loaded = load_compiled(path);
  EXPECT_EQ(loaded.num_variants(), 3u);
  EXPECT_TRUE(bitwise_equal(loaded({x4})[0], y4));
  EXPECT_TRUE(bitwise_equal(loaded({x8})[0], y8));
  EXPECT_TRUE(bitwise_equal(loaded({xd})[0], yd));
  // A transposed view is made contiguous for the variant that wants it so.
  Tensor xt = x8.t().contiguous().t();
  EXPECT_TRUE(bitwise_equal(loaded({xt})[0], y8));
  EXPECT_EMBER_ERROR(loaded({randn({5, 3})}), "no variant accepts these inputs");
  EXPECT_EMBER_ERROR(loaded({randn({5, 3})}), "input 0 dim 0: expected 8, got 5");
  EXPECT_EMBER_ERROR(loaded({x8, x8}), "takes 1 tensors, got 2");
  EXPECT_EMBER_ERROR(loaded({randint(0, 3, {8, 3})}), "dtype: expected float32, got int64");
  fs::remove(path);
}

TEST(Export, ATrainingStepContinuesBitwiseInThisProcess) {
  manual_seed(2);
  Trainer t;
  Tensor x = randn({32, 6}), y = randn({32, 3});
  t.step(x, y);  // traced, and the first update
  std::string path = artifact("train");
  t.step.save(path, {.names = t.model->named_parameters().pairs()});
  LoadedFunction loaded = load_compiled(path);
  for (int s = 0; s < 10; ++s) {
    Tensor want = t.step(x, y);
    Tensor got = loaded({x, y})[0];
    EXPECT_TRUE(bitwise_equal(got, want)) << "step " << s;
  }
  auto state = loaded.state();
  for (const auto& [n, p] : t.model->named_parameters().pairs()) {
    const Tensor* mine = nullptr;
    for (const auto& [sn, st] : state)
      if (sn == n) mine = &st;
    ASSERT_TRUE(mine) << n;
    EXPECT_TRUE(bitwise_equal(*mine, p)) << n;
  }
  EXPECT_EQ(t.step.stats().compiles, 1);
  fs::remove(path);
}

TEST(Export, NamedStateCanBeBoundInsteadOfEmbedded) {
  manual_seed(3);
  Trainer t;
  Tensor x = randn({16, 6}), y = randn({16, 3});
  t.step(x, y);
  std::string path = artifact("bound");
  t.step.save(path, {.names = t.model->named_parameters().pairs(), .embed_state = false});
  EXPECT_EMBER_ERROR(load_compiled(path), "captured tensor '0.weight' (float32 [16, 6] on cpu) has no value");

  // The loaded step trains the very tensors it is given; Adam's unnamed state stays embedded.
  Trainer twin;
  copy_parameters(*t.model, *twin.model);
  LoadOptions lo;
  lo.state = twin.model->named_parameters().pairs();
  LoadedFunction loaded = load_compiled(path, lo);
  for (int s = 0; s < 5; ++s) EXPECT_TRUE(bitwise_equal(loaded({x, y})[0], t.step(x, y))) << "step " << s;
  for (const auto& [n, p] : t.model->named_parameters().pairs())
    EXPECT_TRUE(bitwise_equal(twin.model->named_parameters()[n], p)) << n;
  int bound = 0;
  for (const auto& s : loaded.state_info()) bound += !s.from_artifact;
  EXPECT_EQ(bound, 4);

  LoadOptions wrong;
  wrong.state = twin.model->named_parameters().pairs();
  wrong.state[0].second = randn({16, 7});
  EXPECT_EMBER_ERROR(load_compiled(path, wrong), "state '0.weight' given in LoadOptions has shape [16, 7], expected [16, 6]");
  LoadOptions unknown;
  unknown.state = {{"encoder.weight", randn({2})}};
  EXPECT_EMBER_ERROR(load_compiled(path, unknown), "LoadOptions::state has 'encoder.weight', which");
  fs::remove(path);
}

TEST(Export, AChildProcessWithoutTheModelCodeContinuesTraining) {
  std::string tool = ember_run();
  if (tool.empty()) GTEST_SKIP() << "ember-run is not built (EMBER_BUILD_TOOLS=OFF)";
  manual_seed(4);
  Trainer t;
  Tensor x = randn({32, 6}), y = randn({32, 3});
  t.step(x, y);
  std::string path = artifact("child"), xs = scratch("x.npy"), ys = scratch("y.npy");
  std::string s1 = scratch("s1.safetensors"), s2 = scratch("s2.safetensors"), loss_file = scratch("loss.npy");
  t.step.save(path, {.names = t.model->named_parameters().pairs()});
  save_npy(x, xs);
  save_npy(y, ys);
  Tensor last;
  for (int s = 0; s < 10; ++s) last = t.step(x, y);

  // Five steps from the embedded state, then five more from the state the first run wrote.
  CommandResult first = run_command(tool + " " + path + " --inputs " + xs + " " + ys + " --repeat 5 --save-state " + s1 + " 2>&1");
  ASSERT_EQ(first.code, 0) << first.out;
  EXPECT_NE(first.out.find("step 4: "), std::string::npos) << first.out;
  CommandResult second = run_command(tool + " " + path + " --state " + s1 + " --inputs " + xs + " " + ys +
                                     " --repeat 5 --out " + loss_file + " --save-state " + s2 + " 2>&1");
  ASSERT_EQ(second.code, 0) << second.out;
  EXPECT_TRUE(bitwise_equal(load_npy(loss_file), last));
  NamedTensorList after = load_tensors(s2);
  for (const auto& [n, p] : t.model->named_parameters().pairs()) {
    bool found = false;
    for (const auto& [sn, st] : after)
      if (sn == n) {
        found = true;
        EXPECT_TRUE(bitwise_equal(st, p)) << n;
      }
    EXPECT_TRUE(found) << n;
  }

  CommandResult described = run_command(tool + " " + path + " --describe 2>&1");
  EXPECT_EQ(described.code, 0) << described.out;
  EXPECT_NE(described.out.find("state 0.weight: float32 [16, 6] on cpu (from the artifact)"), std::string::npos)
      << described.out;
  CommandResult bad = run_command(tool + " " + path + " --inputs " + ys + " " + ys + " 2>&1");
  EXPECT_EQ(bad.code, 1) << bad.out;
  EXPECT_NE(bad.out.find("input 0 dim 1: expected 6, got 3"), std::string::npos) << bad.out;
  for (const auto& f : {path, xs, ys, s1, s2, loss_file}) fs::remove(f);
}

TEST(Export, BadFilesAndVersionsAreNamed) {
  auto f = compile([](const Tensor& x) { return x * 2 + 1; });
  EXPECT_EMBER_ERROR(f.save(artifact("never_called")), "has not been called yet");
  Tensor x = randn({3});
  f(x);
  std::string path = artifact("errors"), other = artifact("errors_other");
  f.save(path);
  EXPECT_EMBER_ERROR(load_compiled(artifact("does_not_exist")), "load_compiled: cannot read");

  std::string bytes = read_bytes(path);
  write_bytes(other, bytes.substr(0, bytes.size() / 2));
  EXPECT_EMBER_ERROR(load_compiled(other), "load_compiled: cannot read");
  write_bytes(other, "not a zip archive at all");
  EXPECT_EMBER_ERROR(load_compiled(other), "as a zip archive");
  save_npz({{"a", x}}, other);
  EXPECT_EMBER_ERROR(load_compiled(other), "has no manifest.json: not an artifact");

  rewrite_manifest(path, other, "\"version\": 1", "\"version\": 99");
  EXPECT_EMBER_ERROR(load_compiled(other), "is format version 99");
  rewrite_manifest(path, other, "\"format\": \"ember.compiled\"", "\"format\": \"ember.graph\"");
  EXPECT_EMBER_ERROR(load_compiled(other), "is not an ember.compiled artifact");
  rewrite_manifest(path, other, "\"user_outputs\"", "\"user_outputz\"");
  EXPECT_EMBER_ERROR(load_compiled(other), "malformed manifest.json");
  rewrite_manifest(path, other, "\"graph\": \"variant0/graph.json\"", "\"graph\": \"variant0/nothing.json\"");
  EXPECT_EMBER_ERROR(load_compiled(other), "has no member 'variant0/nothing.json'");
  EXPECT_TRUE(bitwise_equal(load_compiled(path)({x})[0], f(x)));  // the original is intact
  fs::remove(path);
  fs::remove(other);
}

#ifdef EMBER_WITH_CUDA
TEST(ExportCuda, CubinsTravelInTheArtifactAndServeTheLoadedKernels) {
  EMBER_REQUIRE_CUDA();
  Device d(kCUDA, 0);
  auto f = compile([](const Tensor& a, const Tensor& b) { return (a * b).exp().sum(1) + 1; });
  Tensor a = randn({64, 33}, TensorOptions().device(d)), b = randn({64, 33}, TensorOptions().device(d));
  Tensor y = f(a, b);
  std::string path = artifact("cuda");
  f.save(path);
  int cubins = 0;
  for (const auto& n : ZipReader(path, "test").names()) cubins += n.ends_with(".cubin");
  EXPECT_EQ(cubins, static_cast<int>(f.kernels().size()));
  // With an empty disk cache and no kernel in memory, loading compiles nothing: a compiled
  // kernel would be written to the disk cache.
  std::string cache = scratch("cuda_cache");
  fs::remove_all(cache);
  setenv("EMBER_CACHE_DIR", cache.c_str(), 1);
  jit::clear_memory_kernel_cache();
  LoadedFunction loaded = load_compiled(path);
  Tensor got = loaded({a, b})[0];
  unsetenv("EMBER_CACHE_DIR");
  EXPECT_TRUE(bitwise_equal(got, y));
  EXPECT_FALSE(fs::exists(cache + "/kernels") && !fs::is_empty(cache + "/kernels"));
  fs::remove_all(cache);
  fs::remove(path);
}
#endif
