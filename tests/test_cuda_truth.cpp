// The GPU tests written from reading the CUDA code (issue "GPU truth"): each checks a path
// that no CPU test reaches, and each skips without a GPU. scripts/gpu_check.sh runs them.
#include <cmath>
#include <limits>

#include "ember/compile.h"
#include "frontend/compile/compile_internals.h"
#include "runtime/cuda/cuda_context.h"
#include "test_util.h"
#ifdef EMBER_WITH_CUDA
#include <cuda_runtime_api.h>
#endif

using namespace ember;
using namespace ember::testing;

namespace {

const Device kGpu(kCUDA, 0);

TensorOptions on_gpu(ScalarType dt = kFloat32) { return TensorOptions().dtype(dt).device(kGpu); }

// Same NaN positions, values within tolerance elsewhere.
::testing::AssertionResult close_with_nans(const Tensor& got, const Tensor& want, double rtol, double atol) {
  Tensor g = got.to(kFloat64).cpu(), w = want.to(kFloat64).cpu();
  Tensor nan = w.ne(w);
  if (!g.ne(g).equal(nan)) return ::testing::AssertionFailure() << "NaN positions differ";
  return close(g.masked_fill(nan, 0), w.masked_fill(nan, 0), rtol, atol);
}

}  // namespace

// A full reduction over more elements than one block's pass, twice, then again after other
// kernels filled the caches: the same bits every time (results never depend on timing).
TEST(CudaReduce, FullSumsOverLargeInputsRepeatAfterCacheChurn) {
  EMBER_REQUIRE_CUDA();
  Tensor x = randn({(int64_t{1} << 20) + 7}, on_gpu());
  auto fused = compile([](const Tensor& x) { return (x * 2 + 1).sum(); });
  Tensor eager = x.sum(), first = fused(x);
  EXPECT_TRUE(bitwise_equal(x.sum(), eager));
  EXPECT_TRUE(bitwise_equal(fused(x), first));
  for (int i = 0; i < 5; ++i) {
    auto other = compile([i](const Tensor& x) { return (x - float(i)).abs().amax(); });
    (void)other(x);
  }
  EXPECT_TRUE(bitwise_equal(fused(x), first));
  EXPECT_TRUE(bitwise_equal(x.sum(), eager));
  double reference = x.cpu().to(kFloat64).sum().item<double>();
  EXPECT_NEAR(eager.item<double>(), reference, 1e-3 * std::sqrt(double(x.numel())));
  EXPECT_NEAR(first.item<double>(), 2 * reference + double(x.numel()), 2e-3 * std::sqrt(double(x.numel())));
}

// A fused pointwise -> reduction kernel takes eager's schedule and combine tree, so it gives
// eager's bits: a thread per output (short rows; outputs adjacent along an outer reduction), a
// block per output, and chunks then a combine (a full sum, an outer sum into few outputs), in
// every accumulation width.
TEST(CudaReduce, FusedReductionsEqualEagerBitwiseInEverySchedule) {
  EMBER_REQUIRE_CUDA();
  struct Case {
    Shape shape;
    std::vector<int64_t> dims;  // empty: all
  };
  std::vector<Case> cases = {{{1000, 50}, {1}},       {{300, 10000}, {0}},   {{64, 1000}, {1}},
                             {{2000, 3000}, {1}},     {{100000, 64}, {0}},   {{(1 << 20) + 7}, {}},
                             {{2, 3, 50000}, {0, 2}}, {{7, 9000, 5}, {1}}};
  for (ScalarType dt : {kFloat32, kFloat16, kFloat64, kInt32}) {
    for (const Case& c : cases) {
      Tensor x = (randn(c.shape, on_gpu()) * 4).to(dt);
      auto eager = [&c](const Tensor& x) {
        Tensor y = x * 2 + 1;
        return c.dims.empty() ? y.sum() : y.sum(c.dims);
      };
      auto mean = [&c](const Tensor& x) {
        Tensor y = (x * 2 + 1).to(kFloat32);
        return c.dims.empty() ? y.mean() : y.mean(c.dims);
      };
      std::string what = dtype_name(dt) + std::string(" ") + shape_str(c.shape);
      EXPECT_TRUE(bitwise_equal(compile(eager)(x), eager(x))) << "sum " << what;
      EXPECT_TRUE(bitwise_equal(compile(mean)(x), mean(x))) << "mean " << what;
    }
  }
}

// Reductions with more outputs than a grid dimension holds (65,536, 2^24), along the inner
// and the outer dimension.
TEST(CudaReduce, ManyOutputsAlongEitherDimension) {
  EMBER_REQUIRE_CUDA();
  for (int64_t rows : {int64_t{70000}, (int64_t{1} << 24) + 5}) {
    Tensor x = randn({rows, 3});
    EXPECT_TRUE(close(x.to(kGpu).sum(1).cpu(), x.sum(1), 1e-5, 1e-5)) << rows;
    Tensor t = randn({3, rows});
    EXPECT_TRUE(close(t.to(kGpu).sum(0).cpu(), t.sum(0), 1e-5, 1e-5)) << rows;
    EXPECT_TRUE(close(t.to(kGpu).amax(0).cpu(), t.amax(0), 0, 0)) << rows;
  }
}

// Long reductions into few outputs run as chunks then a combine (kernels/cuda/reduce_schedule.h):
// a full sum and sums over an outer dim, against the CPU, and the same bits every time.
TEST(CudaReduce, LongReductionsIntoFewOutputsSplitIntoChunks) {
  EMBER_REQUIRE_CUDA();
  Tensor x = randn({100000, 64});
  Tensor g = x.to(kGpu);
  EXPECT_TRUE(close(g.sum(0).cpu(), x.to(kFloat64).sum(0).to(kFloat32), 1e-4, 1e-3));
  EXPECT_TRUE(close(g.mean(0).cpu(), x.to(kFloat64).mean(0).to(kFloat32), 1e-4, 1e-6));
  EXPECT_TRUE(g.amax(0).cpu().equal(x.amax(0)));
  EXPECT_TRUE(g.amin().cpu().equal(x.amin()));
  EXPECT_TRUE(bitwise_equal(g.sum(0), g.sum(0)));
  Tensor big = randn({(int64_t{1} << 24) + 3}, on_gpu());
  double reference = big.cpu().to(kFloat64).sum().item<double>();
  EXPECT_NEAR(big.sum().item<double>(), reference, 1.0);  // |sum| ~ 4096, sum of |x| ~ 1.3e7
  EXPECT_TRUE(bitwise_equal(big.sum(), big.sum()));
  Tensor with_nan = g.clone();
  with_nan.select(0, 77777).select(0, 5).fill_(std::numeric_limits<double>::quiet_NaN());
  EXPECT_TRUE(std::isnan(with_nan.amax(0).select(0, 5).item<float>()));
  EXPECT_TRUE(std::isnan(with_nan.sum().item<float>()));
}

// The matmul epilogue (bias, relu) fused by compile, for every dtype and the layouts that
// move cuBLASLt's alignment and orientation: a view one element off, a transposed weight,
// one row, one column, and NaN through the relu (eager keeps NaN; so must the epilogue).
TEST(CudaFusedMm, EveryDtypeAndLayoutMatchesEager) {
  EMBER_REQUIRE_CUDA();
  auto linear_relu = [](const Tensor& x, const Tensor& w, const Tensor& b) { return addmm(b, x, w).relu(); };
  auto plain_relu = [](const Tensor& x, const Tensor& w) { return x.mm(w).relu(); };
  struct Layout {
    const char* name;
    int64_t m, k, n;
    bool shifted, transposed, nan;
  };
  const Layout layouts[] = {{"aligned", 64, 48, 32, false, false, false}, {"A one element off", 33, 17, 9, true, false, false},
                            {"B transposed", 40, 24, 16, false, true, false}, {"m=1", 1, 64, 24, false, false, false},
                            {"n=1", 24, 64, 1, false, false, false},          {"NaN", 16, 16, 16, false, false, true}};
  for (ScalarType dt : {kFloat32, kFloat16, kBFloat16}) {
    double tol = dt == kFloat32 ? 1e-4 : 2e-2;
    for (const Layout& l : layouts) {
      std::string what = std::string(l.name) + " " + dtype_name(dt);
      Tensor x = randn({l.m, l.k + 1}, on_gpu(dt));
      x = l.shifted ? x.slice(1, 1, l.k + 1) : x.slice(1, 0, l.k);
      if (l.nan) x.select(0, 2).select(0, 3).fill_(std::numeric_limits<double>::quiet_NaN());
      Tensor w = l.transposed ? randn({l.n, l.k}, on_gpu(dt)).t() : randn({l.k, l.n}, on_gpu(dt));
      Tensor b = randn({l.n}, on_gpu(dt));
      EXPECT_TRUE(close_with_nans(compile(linear_relu)(x, w, b), linear_relu(x, w, b), tol, tol)) << what;
      EXPECT_TRUE(close_with_nans(compile(plain_relu)(x, w), plain_relu(x, w), tol, tol)) << what;
    }
  }
}

// A replayed graph reads the inputs of each call, not those it was captured with.
TEST(CudaGraphs, ReplaysFollowChangedInputs) {
  EMBER_REQUIRE_CUDA();
  CompileOptions co;
  co.cuda_graphs = true;
  Tensor w = randn({32, 8}, on_gpu());
  auto f = compile([&](const Tensor& x) { return (x.mm(w) * 2).tanh(); }, co);
  for (int call = 0; call < 5; ++call) {
    Tensor x = randn({16, 32}, on_gpu());
    EXPECT_TRUE(bitwise_equal(f(x), (x.mm(w) * 2).tanh())) << "call " << call;
  }
}

// Programs with index ops and Adam steps: whether or not a graph captures them, results are
// eager's.
TEST(CudaGraphs, IndexOpsAndAdamStepsStayCorrect) {
  EMBER_REQUIRE_CUDA();
  CompileOptions co;
  co.cuda_graphs = true;
  Tensor table = randn({50, 8}, on_gpu());
  auto gather = compile([&](const Tensor& idx) { return table.index_select(0, idx) * 3; }, co);
  for (int call = 0; call < 4; ++call) {
    Tensor idx = randint(0, 50, {12}, TensorOptions().dtype(kInt64).device(kGpu));
    EXPECT_TRUE(bitwise_equal(gather(idx), table.index_select(0, idx) * 3)) << call;
  }
  Tensor p = randn({64}, on_gpu().requires_grad(true)), q = p.detach().clone().requires_grad_(true);
  optim::Adam opt({p}, optim::AdamOptions(0.01)), opt_eager({q}, optim::AdamOptions(0.01));
  auto step = compile([&](const Tensor& x) {
    opt.zero_grad();
    Tensor loss = (p * x).pow(2).sum();
    loss.backward();
    opt.step();
    return loss.detach();
  }, co);
  for (int t = 0; t < 5; ++t) {
    Tensor x = randn({64}, on_gpu());
    Tensor lc = step(x);
    opt_eager.zero_grad();
    Tensor le = (q * x).pow(2).sum();
    le.backward();
    opt_eager.step();
    EXPECT_NEAR(lc.item<double>(), le.item<double>(), 1e-5 * std::abs(le.item<double>())) << t;
  }
  EXPECT_TRUE(close(p, q, 1e-5, 1e-6));
}

// Capturing and dropping 100 compiled functions returns their private pools: reserved
// memory stays where the first cycle left it.
TEST(CudaGraphs, ReservedMemoryStaysFlatOver100CaptureCycles) {
  EMBER_REQUIRE_CUDA();
  CompileOptions co;
  co.cuda_graphs = true;
  Tensor x = randn({256, 256}, on_gpu());
  auto cycle = [&] {
    auto f = compile([](const Tensor& x) { return (x.mm(x) + 1).relu().sum(0); }, co);
    for (int i = 0; i < 3; ++i) (void)f(x);
  };
  cycle();
  cuda::synchronize();
  int64_t after_first = memory_stats(kGpu).reserved_bytes;
  for (int i = 0; i < 100; ++i) cycle();
  cuda::synchronize();
  EXPECT_LE(memory_stats(kGpu).reserved_bytes, after_first + (int64_t{4} << 20));
}

#ifdef EMBER_WITH_CUDA
// Work under a StreamGuard runs on that stream, with memory from that stream's pool; the
// stream is reused across guards, and ember's own stream is back afterwards.
TEST(CudaStreams, AStreamGuardIsReusedAndRestored) {
  EMBER_REQUIRE_CUDA();
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), cudaSuccess);
  void* ember_stream = cuda::current_stream(0);
  Tensor x = randn({1 << 16}, on_gpu());
  auto fused = compile([](const Tensor& x) { return (x * 3).sin() + 1; });
  Tensor want = (x * 3).sin() + 1;
  cuda::synchronize();
  for (int round = 0; round < 3; ++round) {
    cuda::StreamGuard guard(0, stream);
    EXPECT_EQ(cuda::current_stream(0), stream);
    EXPECT_TRUE(bitwise_equal(fused(x), want)) << round;
    EXPECT_TRUE(bitwise_equal((x * 3).sin() + 1, want)) << round;
  }
  EXPECT_EQ(cuda::current_stream(0), ember_stream);
  EXPECT_TRUE(bitwise_equal(fused(x), want));
  cuda::synchronize();
  cudaStreamDestroy(stream);
}
#else
TEST(CudaStreams, AStreamGuardIsReusedAndRestored) { GTEST_SKIP() << "no CUDA device available (built without CUDA)"; }
#endif

// Running out of device memory is an ember::Error naming the request; after empty_cache the
// device works and memory can be had again.
TEST(CudaMemory, OutOfMemoryIsAnErrorThenEmptyCacheRecovers) {
  EMBER_REQUIRE_CUDA();
  Tensor kept = ones({1 << 20}, on_gpu());
  EXPECT_EMBER_ERROR(empty({int64_t{1} << 48}, on_gpu()), "out of memory: tried to allocate");
  empty_cache(kGpu);
  Tensor again = ones({int64_t{1} << 28}, on_gpu());  // 1 GiB
  EXPECT_EQ(again.sum().item<double>(), double(int64_t{1} << 28));
  EXPECT_EQ(kept.sum().item<double>(), double(1 << 20));
}

// Index arithmetic past 2^31: eager pointwise over more int8 elements than an int holds, a
// reduction over them, and a fused chain whose grid-stride loop passes 2^31.
TEST(CudaLarge, PointwiseAndReductionsPast2To31Elements) {
  EMBER_REQUIRE_CUDA();
  const int64_t n = (int64_t{1} << 31) + 17;
  Tensor x = full({n}, 3, on_gpu(kInt8));
  Tensor y = x + 1;
  EXPECT_TRUE(y.slice(0, n - 5, n).cpu().equal(full({5}, 4, TensorOptions().dtype(kInt8))));
  EXPECT_EQ(y.sum().item<int64_t>(), 4 * n);
  x = Tensor();
  y = Tensor();
  empty_cache(kGpu);
  const int64_t m = (int64_t{1} << 31) - (int64_t{1} << 24);
  Tensor f = full({m}, 1.5, on_gpu());
  auto chain = compile([](const Tensor& f) { return (f * 2 + 1).clamp(0, 3.5); });
  Tensor out = chain(f);
  // Every element written (a wrapped index would leave some unwritten or fault).
  EXPECT_EQ(out.amin().item<float>(), 3.5f);
  EXPECT_EQ(out.amax().item<float>(), 3.5f);
  EXPECT_NEAR(out.sum().item<double>(), 3.5 * double(m), 1e-5 * 3.5 * double(m));
}

// The pieces of the example models, trained compiled and eager on CUDA from the same
// parameters: losses and every gradient bitwise equal, three calls each (the promise the
// CNN, GPT and LSTM examples check over whole runs; this names the piece that breaks it).
namespace {

using Piece = std::function<Tensor(const Tensor& x, const std::vector<Tensor>& params)>;

void expect_trains_bitwise(const std::string& name, const Piece& f, const std::function<Tensor()>& input,
                           const std::vector<Tensor>& params) {
  std::vector<Tensor> e, c;
  for (const Tensor& p : params) {
    e.push_back(p.detach().clone().requires_grad_(true));
    c.push_back(p.detach().clone().requires_grad_(true));
  }
  auto compiled = compile([&](const Tensor& x) { return f(x, c); });
  for (int call = 0; call < 3; ++call) {
    Tensor x = input();
    Tensor le = f(x, e), lc = compiled(x);
    EXPECT_TRUE(bitwise_equal(lc, le)) << name << ": loss, call " << call;
    le.backward();
    lc.backward();
    for (size_t i = 0; i < e.size(); ++i) {
      EXPECT_TRUE(bitwise_equal(c[i].grad(), e[i].grad()))
          << name << ": gradient of parameter " << i << " " << shape_str(e[i].sizes()) << ", call " << call
          << ", max |diff| " << (c[i].grad() - e[i].grad()).abs().max().item<double>();
      c[i].mutable_grad() = Tensor();
      e[i].mutable_grad() = Tensor();
    }
  }
}

}  // namespace

TEST(CudaCompiled, ModelPiecesTrainBitwiseLikeEager) {
  EMBER_REQUIRE_CUDA();
  manual_seed(11);
  auto rn = [](Shape s) { return [s] { return randn(s, on_gpu()); }; };
  Tensor w = randn({64, 32}, on_gpu()) * 0.2, b = randn({64}, on_gpu()), g = randn({32}, on_gpu());
  expect_trains_bitwise("linear over [4, 16, 32]", [](const Tensor& x, const std::vector<Tensor>& p) {
    return nn::functional::linear(x, p[0], p[1]).pow(2).sum();
  }, rn({4, 16, 32}), {w, b});
  expect_trains_bitwise("linear (addmm + bias) over [64, 32]", [](const Tensor& x, const std::vector<Tensor>& p) {
    return nn::functional::linear(x, p[0], p[1]).relu().pow(2).mean();
  }, rn({64, 32}), {w, b});
  expect_trains_bitwise("layer_norm", [](const Tensor& x, const std::vector<Tensor>& p) {
    return layer_norm(x, {32}, p[0], p[1]).pow(2).sum();
  }, rn({4, 16, 32}), {g, randn({32}, on_gpu())});
  expect_trains_bitwise("gelu and a broadcast scale", [](const Tensor& x, const std::vector<Tensor>& p) {
    return (nn::functional::gelu(x) * p[0]).sum();
  }, rn({4, 16, 32}), {g});
  expect_trains_bitwise("causal attention", [](const Tensor& x, const std::vector<Tensor>& p) {
    Tensor q = x * p[0], k = x.flip({2}), v = x * 0.5;
    return scaled_dot_product_attention(q, k, v, std::nullopt, 0.0, true).pow(2).sum();
  }, rn({4, 2, 16, 32}), {g});
  Tensor targets = randint(0, 50, {64}, TensorOptions().dtype(kInt64).device(kGpu));
  expect_trains_bitwise("cross_entropy", [targets](const Tensor& x, const std::vector<Tensor>& p) {
    return nn::functional::cross_entropy(x.mm(p[0]), targets);
  }, rn({64, 32}), {randn({32, 50}, on_gpu())});
  expect_trains_bitwise("embedding", [](const Tensor& x, const std::vector<Tensor>& p) {
    return embedding(p[0], x).pow(2).sum();
  }, [] { return randint(0, 50, {4, 16}, TensorOptions().dtype(kInt64).device(kGpu)); }, {randn({50, 32}, on_gpu())});
}

// scatter_add and index_add add without atomics (kernels/cuda/index.cu): many contributions to
// few destinations give the CPU's bits, in every dtype, every time; out-of-range positions are
// skipped and reported; embedding's and max-pool's backward (index_add / scatter_add) follow.
TEST(CudaIndex, AccumulatingOpsAreDeterministicAndEqualTheCpu) {
  EMBER_REQUIRE_CUDA();
  manual_seed(5);
  for (ScalarType dt : {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt32, kInt8, kBool}) {
    std::string what = dtype_name(dt);
    Tensor src = (randn({4000, 33}) * 3).to(dt), base = (randn({7, 33}) * 3).to(dt);
    Tensor rows = randint(0, 7, {4000}, TensorOptions().dtype(kInt64));
    Tensor want = base.index_add(0, rows, src);
    Tensor got = base.to(kGpu).index_add(0, rows.to(kGpu), src.to(kGpu));
    EXPECT_TRUE(bitwise_equal(got.cpu(), want)) << "index_add " << what;
    EXPECT_TRUE(bitwise_equal(base.to(kGpu).index_add(0, rows.to(kGpu), src.to(kGpu)), got)) << "again " << what;
    Tensor where = randint(0, 7, {4000, 33}, TensorOptions().dtype(kInt64));
    Tensor scattered = base.scatter_add(0, where, src);
    Tensor on_gpu_result = base.to(kGpu).scatter_add(0, where.to(kGpu), src.to(kGpu));
    EXPECT_TRUE(bitwise_equal(on_gpu_result.cpu(), scattered)) << "scatter_add " << what;
    Tensor columns = randint(0, 5, {7, 33}, TensorOptions().dtype(kInt64));
    EXPECT_TRUE(bitwise_equal(base.to(kGpu).scatter_add(1, columns.to(kGpu), base.to(kGpu)).cpu(),
                              base.scatter_add(1, columns, base)))
        << "scatter_add along dim 1 " << what;
  }
  Tensor table = randn({50, 16}, TensorOptions().requires_grad(true));
  Tensor ids = randint(0, 50, {64, 32}, TensorOptions().dtype(kInt64));
  embedding(table, ids).pow(2).sum().backward();
  Tensor cuda_table = table.detach().to(kGpu).requires_grad_(true);
  embedding(cuda_table, ids.to(kGpu)).pow(2).sum().backward();
  EXPECT_TRUE(bitwise_equal(cuda_table.grad().cpu(), table.grad())) << "embedding backward";
  Tensor x = randn({2, 3, 17, 17}, on_gpu()).requires_grad_(true);
  max_pool2d(x, 3, 1).sum().backward();
  Tensor first = x.grad().clone();
  x.mutable_grad() = Tensor();
  max_pool2d(x, 3, 1).sum().backward();
  EXPECT_TRUE(bitwise_equal(x.grad(), first)) << "overlapping max-pool backward";
  Tensor small = zeros({3}, on_gpu());
  small.index_add_(0, tensor({0, 9, 2}).to(kGpu), ones({3}, on_gpu()));
  EXPECT_EMBER_ERROR(small.cpu(), "index_add: index 9 is out of bounds");
}
