// CUDA code generation for fusion groups: every pointwise op in every dtype it accepts,
// and the reduction epilogues, generate source; with the CUDA toolkit, NVRTC compiles all
// of it (no GPU needed). Also the kernel cache: disk hits, damaged entries rebuilt, processes
// racing to write one entry, an unwritable cache directory.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <fstream>

#include "frontend/compile/compile_internals.h"
#include "compiler/codegen/cuda_source.h"
#include "ember/compile.h"
#include "frontend/dispatch.h"
#include "kernels/op_registry.h"
#include "test_util.h"
#ifdef EMBER_WITH_CUDA
#include "compiler/codegen/nvrtc.h"
#endif

using namespace ember;
using namespace ember::testing;

namespace {

struct Case {
  std::string label;
  jit::Graph graph;
  TraceFn fn;  // what was traced, and on what, to run it compiled on a GPU
  std::vector<Tensor> inputs;
};

// The groups of `g` as generated sources.
std::vector<jit::CudaKernelSource> sources(const jit::Graph& g) {
  std::vector<jit::CudaKernelSource> out;
  for (const auto& grp : jit::find_fusion_groups(g).groups) out.push_back(jit::generate_cuda_source(g, grp));
  return out;
}

Tensor input(ScalarType dt, const Shape& s) {
  if (dt == kBool) return randn(s) > 0;
  if (is_floating(dt)) return randn(s).to(dt);
  return randint(-4, 5, s, dt);
}

// op(x...) followed by a cast, so the op and the cast form one group.
std::vector<Case> pointwise_cases() {
  std::vector<Case> cases;
  const ScalarType dtypes[] = {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt32, kBool};
#define EMBER_CASE(N, ARITY, ...)                                                                    \
  for (ScalarType dt : dtypes) {                                                                    \
    std::vector<Tensor> in;                                                                         \
    for (int k = 0; k < ARITY; ++k) in.push_back(input(dt, {4, 6}));                                \
    if (OpId::N == OpId::Where) in[0] = input(kBool, {4, 6});                                       \
    if (OpId::N == OpId::MaskedFill) in = {input(dt, {4, 6}), input(kBool, {6}), input(dt, {}).to(Device(kCPU))}; \
    Attrs attrs;                                                                                    \
    if (OpId::N == OpId::Cast) attrs.set("dtype", kFloat64);                                        \
    try {                                                                                           \
      (void)run_op(OpId::N, in, attrs); /* skip dtypes the op refuses */                            \
    } catch (const Error&) {                                                                        \
      continue;                                                                                     \
    }                                                                                               \
    TraceFn fn = [attrs](const std::vector<Tensor>& t) {                                       \
      Tensor r = call1(OpId::N, t, attrs);                                                          \
      return std::vector<Tensor>{call1(OpId::Cast, {r}, Attrs().set("dtype", kFloat32))};           \
    };                                                                                              \
    cases.push_back({std::string(#N) + "/" + dtype_name(dt), jit::trace(fn, in), fn, in});          \
  }
  EMBER_POINTWISE_OPS(EMBER_CASE)
#undef EMBER_CASE
  return cases;
}

std::vector<Case> reduction_cases() {
  std::vector<Case> cases;
  auto add = [&](const std::string& label, const Shape& s, ScalarType dt,
                 std::function<Tensor(const Tensor&)> f) {
    TraceFn fn = [f](const std::vector<Tensor>& t) { return std::vector<Tensor>{f(t[0])}; };
    std::vector<Tensor> in = {randn(s).to(dt)};
    cases.push_back({label, jit::trace(fn, in), fn, in});
  };
  add("sum_all", {300, 70}, kFloat32, [](const Tensor& x) { return (x * 2 - 1).pow(2).sum(); });
  add("sum_dim_f64", {300, 70}, kFloat64, [](const Tensor& x) { return (x * 2).exp().sum({1}); });
  add("mean_keepdim_f16", {8, 300}, kFloat16, [](const Tensor& x) { return (x + 1).abs().mean({1}, true); });
  add("amax_small_dim", {5000, 3}, kFloat32, [](const Tensor& x) { return (x * 3).amax({1}); });
  add("amin_outer", {64, 9, 33}, kBFloat16, [](const Tensor& x) { return (x - 2).amin({0, 2}); });
  add("amax_all_f16", {7, 1000}, kFloat16, [](const Tensor& x) { return (x * x).amax(); });
  add("mean_small_dim_f64", {400, 5}, kFloat64, [](const Tensor& x) { return (x - 1).mean({-1}); });
  // The three schedules eager's reductions take (kernels/cuda/reduce_schedule.h).
  add("sum_block_per_output", {64, 1000}, kFloat32, [](const Tensor& x) { return (x * 2).sum({1}); });
  add("sum_all_split", {(1 << 14) + 3}, kFloat32, [](const Tensor& x) { return (x + 1).sum(); });
  add("sum_outer_split_f64", {20000, 16}, kFloat64, [](const Tensor& x) { return (x - 1).sum({0}); });
  add("sum_outer_coalesced", {300, 9000}, kFloat32, [](const Tensor& x) { return (x * x).sum({0}); });
  add("multi_output", {100}, kFloat32, [](const Tensor& x) {
    Tensor y = (x * 2).relu();
    return y.sum() + y.select(0, 3);
  });
  return cases;
}

}  // namespace

TEST(Codegen, EveryPointwiseOpGeneratesItsFunctor) {
  auto cases = pointwise_cases();
  EXPECT_GT(cases.size(), 150u);
  for (const auto& c : cases) {
    auto srcs = sources(c.graph);
    ASSERT_EQ(srcs.size(), 1u) << c.label;
    const std::string& s = srcs[0].source;
    std::string op = c.label.substr(0, c.label.find('/'));
    EXPECT_NE(s.find(op + "{}("), std::string::npos) << c.label << "\n" << s;
    EXPECT_NE(s.find("extern \"C\" __global__ void " + srcs[0].name), std::string::npos) << c.label;
  }
}

TEST(Codegen, ReductionEpiloguesGenerateOneKernel) {
  for (const auto& c : reduction_cases()) {
    auto srcs = sources(c.graph);
    ASSERT_EQ(srcs.size(), 1u) << c.label;
    EXPECT_TRUE(srcs[0].reduction) << c.label;
  }
}

TEST(Codegen, KernelNamesNameTheirOps) {
  auto g = jit::trace([](const std::vector<Tensor>& t) { return std::vector<Tensor>{(t[0] + t[1]).clamp(0, 1).pow(2)}; },
                      {randn({16}), randn({16})});
  auto srcs = sources(g);
  ASSERT_EQ(srcs.size(), 1u);
  EXPECT_EQ(srcs[0].name.rfind("fused_add_clamp_pow_f32_", 0), 0u) << srcs[0].name;
  EXPECT_EQ(srcs[0].vec, 4);
}

// index_t is 32-bit only where every index a kernel forms fits: the grid-stride loop's last
// i + step and a strided view's farthest element (not the element count alone).
TEST(Codegen, IndexWidthCoversTheFarthestReachableElement) {
  auto g = jit::trace([](const std::vector<Tensor>& t) { return std::vector<Tensor>{(t[0] * 2).exp()}; },
                      {randn({4, 6})});
  auto index_type = [&](const Shape& sizes, const Shape& in_strides, const Shape& out_strides) {
    jit::Graph h = g;
    for (int v : h.inputs) {
      h.values[v].sizes = sizes;
      h.values[v].strides = in_strides;
    }
    for (auto& v : h.values)
      if (v.kind == jit::ValueKind::Node) {
        v.sizes = sizes;
        v.strides = out_strides;
      }
    auto srcs = sources(h);
    EXPECT_EQ(srcs.size(), 1u);
    const std::string& s = srcs.at(0).source;
#ifdef EMBER_WITH_CUDA
    EXPECT_NO_THROW(jit::nvrtc_compile(s, srcs[0].name, jit::default_cuda_arch())) << s;
#endif
    if (s.find("typedef long long index_t;") != std::string::npos) return std::string("long long");
    if (s.find("typedef int index_t;") != std::string::npos) return std::string("int");
    return std::string("none");
  };
  EXPECT_EQ(index_type({4, 6}, {6, 1}, {6, 1}), "int");
  // 2^31 - 2^24 floats: fewer than 2^31 elements, but i + step passes 2^31 on a full grid.
  const int64_t big = (int64_t{1} << 31) - (int64_t{1} << 24);
  EXPECT_EQ(index_type({big}, {1}, {1}), "long long");
  EXPECT_EQ(index_type({int64_t{1} << 30}, {1}, {1}), "int");
  // A [2, 3] view of a big storage: rows 2^31 elements apart.
  EXPECT_EQ(index_type({2, 3}, {int64_t{1} << 31, 1}, {3, 1}), "long long");
  EXPECT_EQ(index_type({2, 3}, {int64_t{1} << 20, 1}, {3, 1}), "int");
}

#ifdef EMBER_WITH_CUDA

TEST(Codegen, NvrtcCompilesEverySource) {
  auto cases = pointwise_cases();
  auto red = reduction_cases();
  cases.insert(cases.end(), red.begin(), red.end());
  for (const auto& c : cases)
    for (const auto& s : sources(c.graph))
      EXPECT_NO_THROW(jit::nvrtc_compile(s.source, s.name, jit::default_cuda_arch())) << c.label << "\n" << s.source;
}

// What the test above only compiles, run: every generated kernel on a GPU against eager
// there, on contiguous inputs and on views one element off (unaligned: the scalar path).
// Bitwise equal, reductions too: a fused reduction takes eager's schedule and combine tree.
TEST(Codegen, EveryGeneratedKernelRunsOnCudaLikeEager) {
  EMBER_REQUIRE_CUDA();
  auto on_cuda = [](const std::vector<Tensor>& in, bool shifted) {
    std::vector<Tensor> out;
    for (const Tensor& t : in) {
      if (t.dim() == 0) {
        out.push_back(t);  // a CPU 0-dim scalar stays on the CPU, as in eager
        continue;
      }
      Tensor flat = t.flatten();
      Tensor padded = cat({flat.slice(0, 0, 1), flat}).to(Device(kCUDA));
      Tensor moved = shifted ? padded.slice(0, 1, flat.numel() + 1) : flat.to(Device(kCUDA));
      out.push_back(moved.view(t.sizes()));
    }
    return out;
  };
  auto run = [&](const std::vector<Case>& cases) {
    for (const auto& c : cases)
      for (bool shifted : {false, true}) {
        std::vector<Tensor> in = on_cuda(c.inputs, shifted);
        std::vector<Tensor> eager = c.fn(in);
        std::vector<Tensor> compiled = compile(c.fn)(in);
        ASSERT_EQ(eager.size(), compiled.size()) << c.label;
        for (size_t i = 0; i < eager.size(); ++i) {
          EXPECT_TRUE(bitwise_equal(compiled[i], eager[i])) << c.label << (shifted ? " shifted" : "");
        }
      }
  };
  run(pointwise_cases());
  run(reduction_cases());
}

// The kernel caches key on the whole source: a changed preamble is a miss, not a stale hit.
TEST(Codegen, AChangedPreambleIsACacheMiss) {
  auto g = jit::trace([](const std::vector<Tensor>& t) { return std::vector<Tensor>{(t[0] * 5).cos()}; }, {randn({8})});
  auto src = sources(g)[0];
  jit::nvrtc_compile(src.source, src.name, 90);
  EXPECT_EQ(jit::nvrtc_compile(src.source, src.name, 90).origin, jit::NvrtcResult::Origin::Memory);
  // Same kernel name, another source: compiled (or found on disk under its own key).
  auto changed = jit::nvrtc_compile("#define EMBER_PREAMBLE_CHANGED 1\n" + src.source, src.name, 90);
  EXPECT_NE(changed.origin, jit::NvrtcResult::Origin::Memory);
}

// A GPU newer than this NVRTC gets PTX for the newest architecture NVRTC knows below it
// (the driver compiles that PTX); a known architecture gets its own SASS.
TEST(Codegen, AnArchitectureNewerThanNvrtcGetsPtx) {
  EXPECT_EQ(jit::nvrtc_ptx_arch(90), 0);
  EXPECT_EQ(jit::nvrtc_options(90)[0], "--gpu-architecture=sm_90");
  int stand_in = jit::nvrtc_ptx_arch(999);
  EXPECT_GE(stand_in, 90);
  EXPECT_EQ(jit::nvrtc_options(999)[0], "--gpu-architecture=compute_" + std::to_string(stand_in));
  auto g = jit::trace([](const std::vector<Tensor>& t) { return std::vector<Tensor>{(t[0] * 7).tanh()}; }, {randn({8})});
  auto src = sources(g)[0];
  auto ptx = jit::nvrtc_compile(src.source, src.name, 999);
  std::string text(ptx.cubin->data());
  EXPECT_NE(text.find(".entry " + src.name), std::string::npos) << text.substr(0, 400);
  EXPECT_NE(jit::kernel_cache_key(src.source, 999), jit::kernel_cache_key(src.source, 90));
  EXPECT_EMBER_ERROR(jit::nvrtc_options(10), "cannot compile for sm_10");
}

TEST(Codegen, NvrtcFailureCarriesSourceAndLog) {
  try {
    jit::nvrtc_compile("extern \"C\" __global__ void broken() { undefined_thing(); }", "broken", 90);
    FAIL() << "expected an NVRTC error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("NVRTC failed to compile broken"), std::string::npos) << m;
    EXPECT_NE(m.find("undefined_thing"), std::string::npos) << m;  // in the log and the source
    EXPECT_NE(m.find("--- source ---"), std::string::npos) << m;
  }
}

TEST(Codegen, DiskCacheHitsAndRebuildsCorruptEntries) {
  auto dir = std::filesystem::temp_directory_path() / "ember_kernel_cache_test";
  std::filesystem::remove_all(dir);
  setenv("EMBER_CACHE_DIR", dir.c_str(), 1);
  auto g = jit::trace([](const std::vector<Tensor>& t) { return std::vector<Tensor>{(t[0] * 3).sin() + 1}; }, {randn({8})});
  auto src = sources(g)[0];
  jit::clear_memory_kernel_cache();
  auto cold = jit::nvrtc_compile(src.source, src.name, 90);
  EXPECT_EQ(cold.origin, jit::NvrtcResult::Origin::Compiled);
  auto mem = jit::nvrtc_compile(src.source, src.name, 90);
  EXPECT_EQ(mem.origin, jit::NvrtcResult::Origin::Memory);
  jit::clear_memory_kernel_cache();
  auto warm = jit::nvrtc_compile(src.source, src.name, 90);
  EXPECT_EQ(warm.origin, jit::NvrtcResult::Origin::Disk);
  EXPECT_EQ(*warm.cubin, *cold.cubin);
  // Corrupt every entry: the next compile rebuilds and rewrites it.
  for (auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) {
      std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(40);
      f.put('\x7f');
    }
  jit::clear_memory_kernel_cache();
  auto rebuilt = jit::nvrtc_compile(src.source, src.name, 90);
  EXPECT_EQ(rebuilt.origin, jit::NvrtcResult::Origin::Compiled);
  EXPECT_EQ(*rebuilt.cubin, *cold.cubin);
  jit::clear_memory_kernel_cache();
  EXPECT_EQ(jit::nvrtc_compile(src.source, src.name, 90).origin, jit::NvrtcResult::Origin::Disk);
  // Zero bytes, cut short, another format's magic, trailing bytes: each detected and rebuilt.
  std::vector<std::function<void(const std::filesystem::path&)>> damage = {
      [](const std::filesystem::path& p) { std::filesystem::resize_file(p, 0); },
      [](const std::filesystem::path& p) { std::filesystem::resize_file(p, std::filesystem::file_size(p) / 2); },
      [](const std::filesystem::path& p) {
        std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
        f.write("EMBRCUB0", 8);  // an older entry format
      },
      [](const std::filesystem::path& p) { std::ofstream(p, std::ios::binary | std::ios::app) << "x"; },
  };
  for (size_t d = 0; d < damage.size(); ++d) {
    for (auto& e : std::filesystem::recursive_directory_iterator(dir))
      if (e.is_regular_file()) damage[d](e.path());
    jit::clear_memory_kernel_cache();
    auto again = jit::nvrtc_compile(src.source, src.name, 90);
    EXPECT_EQ(again.origin, jit::NvrtcResult::Origin::Compiled) << "damage " << d;
    EXPECT_EQ(*again.cubin, *cold.cubin) << "damage " << d;
  }
  unsetenv("EMBER_CACHE_DIR");
  std::filesystem::remove_all(dir);
}

TEST(Codegen, ProcessesCompilingOneKernelAtOnceLeaveOneWholeEntry) {
  auto dir = std::filesystem::temp_directory_path() / ("ember_kernel_cache_race_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  setenv("EMBER_CACHE_DIR", dir.c_str(), 1);
  auto g = jit::trace([](const std::vector<Tensor>& t) { return std::vector<Tensor>{(t[0] * 7).exp() / 3}; }, {randn({8})});
  auto src = sources(g)[0];
  std::vector<pid_t> children;
  for (int c = 0; c < 4; ++c) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {  // each compiles and writes the same entry
      jit::clear_memory_kernel_cache();
      bool ok = jit::nvrtc_compile(src.source, src.name, 90).origin != jit::NvrtcResult::Origin::Memory;
      _exit(ok ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  int entries = 0, leftovers = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    e.path().extension() == ".cubin" ? ++entries : ++leftovers;
  }
  EXPECT_EQ(entries, 1);
  EXPECT_EQ(leftovers, 0);  // no temporary file is left behind
  jit::clear_memory_kernel_cache();
  auto read = jit::nvrtc_compile(src.source, src.name, 90);
  EXPECT_EQ(read.origin, jit::NvrtcResult::Origin::Disk);  // whole: it passed its checksum
  unsetenv("EMBER_CACHE_DIR");
  std::filesystem::remove_all(dir);
  jit::clear_memory_kernel_cache();
  EXPECT_EQ(*jit::nvrtc_compile(src.source, src.name, 90).cubin, *read.cubin);
}

TEST(Codegen, AnUnwritableDiskCacheDegradesToMemoryWithOneWarning) {
  // A cache "directory" below a regular file cannot be created, whoever runs the test.
  auto blocker = std::filesystem::temp_directory_path() / "ember_kernel_cache_blocker";
  std::filesystem::remove_all(blocker);
  std::ofstream(blocker) << "not a directory";
  setenv("EMBER_CACHE_DIR", (blocker / "cache").c_str(), 1);
  auto g = jit::trace([](const std::vector<Tensor>& t) { return std::vector<Tensor>{(t[0] * 5).cos() - 2}; }, {randn({8})});
  auto src = sources(g)[0];
  jit::clear_memory_kernel_cache();
  ::testing::internal::CaptureStderr();
  auto first = jit::nvrtc_compile(src.source, src.name, 90);
  jit::clear_memory_kernel_cache();
  auto second = jit::nvrtc_compile(src.source, src.name, 90);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(first.origin, jit::NvrtcResult::Origin::Compiled);
  EXPECT_EQ(second.origin, jit::NvrtcResult::Origin::Compiled);  // nothing on disk to read
  EXPECT_EQ(*first.cubin, *second.cubin);
  EXPECT_EQ(jit::nvrtc_compile(src.source, src.name, 90).origin, jit::NvrtcResult::Origin::Memory);
  size_t warnings = 0;
  for (size_t at = err.find("cannot write the kernel cache"); at != std::string::npos;
       at = err.find("cannot write the kernel cache", at + 1))
    ++warnings;
  EXPECT_EQ(warnings, 1u) << err;  // once per process
  unsetenv("EMBER_CACHE_DIR");
  std::filesystem::remove_all(blocker);
}

#else

TEST(Codegen, NvrtcCompilesEverySource) {
  GTEST_SKIP() << "built without the CUDA toolkit: NVRTC is not available";
}

#endif
