// Row groups (compiler/row_fusion.cpp, compiler/codegen/cpu_row_fused.cpp): softmax,
// log_softmax, layer_norm and rms_norm compile to one CPU kernel each, one pass over the rows,
// and agree with eager bitwise: every dtype, rows shorter and longer than a block, broadcast
// and strided inputs, the shapes that run as their ops instead, and the backward graphs.
#include <functional>

#include "frontend/compile/compile_internals.h"
#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {

using Layer = std::function<Tensor(const Tensor&, const Tensor&, const Tensor&)>;

struct NamedLayer {
  const char* name;
  Layer fn;
};

std::vector<NamedLayer> layers() {
  return {
      {"softmax", [](const Tensor& x, const Tensor&, const Tensor&) { return softmax(x, -1); }},
      {"log_softmax", [](const Tensor& x, const Tensor&, const Tensor&) { return log_softmax(x, -1); }},
      {"layer_norm", [](const Tensor& x, const Tensor& w, const Tensor& b) { return layer_norm(x, {x.size(-1)}, w, b); }},
      {"rms_norm", [](const Tensor& x, const Tensor& w, const Tensor&) { return rms_norm(x, {x.size(-1)}, w); }},
  };
}

int row_kernels(const CompiledFunctionBase& f) {
  int n = 0;
  for (const auto& k : jit::forward_program(f).kernels()) n += k->group().row_length > 0;
  return n;
}

// Eager and compiled on the same inputs, bitwise; returns how many row kernels compiled.
int check_layer(const NamedLayer& layer, const Tensor& x, const Tensor& w, const Tensor& b) {
  Tensor want = layer.fn(x, w, b);
  auto f = compile([&](const Tensor& xx, const Tensor& ww, const Tensor& bb) { return layer.fn(xx, ww, bb); });
  Tensor got = f(x, w, b);
  EXPECT_TRUE(bitwise_equal(got, want)) << layer.name << " " << shape_str(x.sizes()) << " " << x.dtype() << "\n"
                                        << f.dump();
  return row_kernels(f);
}

}  // namespace

TEST(RowFusion, EachLayerIsOneKernelOnePassPerCall) {
  for (const auto& layer : layers()) {
    Tensor x = randn({16, 96}) * 3, w = randn({96}), b = randn({96});
    auto f = compile([&](const Tensor& xx, const Tensor& ww, const Tensor& bb) { return layer.fn(xx, ww, bb); });
    f(x, w, b);
    const auto& program = jit::forward_program(f);
    ASSERT_EQ(program.kernels().size(), 1u) << layer.name << "\n" << f.dump();
    EXPECT_GT(program.kernels()[0]->group().row_length, 0) << layer.name;
    int64_t before = kernel_launch_count();
    f(x, w, b);
    EXPECT_EQ(kernel_launch_count() - before, 1) << layer.name << "\n" << f.dump();
    EXPECT_NE(f.dump().find("fused_rows_"), std::string::npos);
  }
}

TEST(RowFusion, BitwiseEqualToEagerOverShapesAndDtypes) {
  // Rows of 3 to 5,000 elements: many rows per block, one row per block, several blocks.
  std::vector<Shape> shapes{{8, 64}, {300, 3}, {3, 5000}, {4, 7, 33}, {1, 100}, {2, 3, 4103}, {9000, 2}};
  for (ScalarType dt : {kFloat32, kFloat64, kFloat16, kBFloat16})
    for (const Shape& s : shapes)
      for (const auto& layer : layers()) {
        manual_seed(static_cast<uint64_t>(s.back()));
        Tensor x = (randn(s) * 3).to(dt), w = randn({s.back()}).to(dt), b = randn({s.back()}).to(dt);
        EXPECT_EQ(check_layer(layer, x, w, b), 1) << layer.name << " " << shape_str(s) << " " << dt;
      }
}

// Rows of one element have nothing to fuse; zero rows run nothing: both still agree.
// fuzz_compile found layer_norm of an expanded row minimum (every row constant) giving -1 and 1
// compiled, 0 eager: the row kernel folded the row value's slot as if it held a whole row. Such
// reductions now stay out of row groups.
TEST(RowFusion, ReductionsOfAnExpandedRowValueMatchEager) {
  using Pair = std::function<std::vector<Tensor>(const Tensor&)>;
  const std::vector<std::pair<const char*, Pair>> cases = {
      {"layer_norm(amin expanded)",
       [](const Tensor& x) {
         Tensor m = x.amin({1}, true);
         return std::vector<Tensor>{layer_norm(m.expand(x.sizes()), {x.size(-1)}), m};
       }},
      {"softmax(amax expanded)", [](const Tensor& x) { return std::vector<Tensor>{softmax(x.amax({-1}, true).expand_as(x), -1)}; }},
      {"sum(mean expanded) * x",
       [](const Tensor& x) {
         Tensor e = x.mean({-1}, true).expand_as(x);
         return std::vector<Tensor>{e.sum({-1}, true) * x + e};
       }},
  };
  for (ScalarType dt : {kFloat32, kFloat16, kFloat64, kBFloat16}) {
    for (const Shape& shape : {Shape{5, 2}, Shape{7, 33}, Shape{3, 300}}) {
      Tensor x = (randn(shape) * 4).to(dt);
      for (const auto& [name, fn_ref] : cases) {
        const Pair& fn = fn_ref;
        std::vector<Tensor> want = fn(x);
        auto f = compile([&](const std::vector<Tensor>& in) { return fn(in[0]); });
        std::vector<Tensor> got = f(std::vector<Tensor>{x});
        ASSERT_EQ(got.size(), want.size());
        // No longer row groups: their reductions are tiled ones, equal to eager within rounding.
        double tol = dt == kFloat64 ? 1e-12 : dt == kFloat32 ? 1e-5 : dt == kFloat16 ? 4e-3 : 3e-2;
        for (size_t k = 0; k < got.size(); ++k)
          EXPECT_TRUE(close(got[k], want[k], tol, tol)) << name << " output " << k << " " << shape_str(shape) << " "
                                                           << dt << "\n" << f.dump();
      }
    }
  }
}

TEST(RowFusion, DegenerateShapes) {
  for (const auto& layer : layers()) {
    EXPECT_EQ(check_layer(layer, randn({5, 1}), randn({1}), randn({1})), 0) << layer.name;
    check_layer(layer, randn({0, 8}), randn({8}), randn({8}));
  }
}

// A [T, C] operand broadcast over a batch is gathered per block; a transposed input (its rows
// are strided) and few rows of more than 131,072 elements (which the eager reduction splits
// across threads) run as the group's ops: every case is bitwise equal to eager.
TEST(RowFusion, GatheredStridedAndSplitRows) {
  Tensor x = randn({3, 5, 40}), pos = randn({5, 40}), w = randn({40}), b = randn({40});
  for (const auto& layer : layers()) {
    NamedLayer shifted{layer.name, [&](const Tensor& xx, const Tensor& ww, const Tensor& bb) { return layer.fn(xx + pos, ww, bb); }};
    EXPECT_EQ(check_layer(shifted, x, w, b), 1) << layer.name;
    Tensor xt = randn({40, 6}).t();
    check_layer(layer, xt, randn({40}), randn({40}));
    Tensor wide = randn({1, 140000});
    check_layer(layer, wide, randn({140000}), randn({140000}));
  }
}

// The backward graphs hold row groups too (softmax's y * (g - sum(g * y))): the input
// gradient is bitwise equal to eager's; the weight gradients (a sum over rows, a tiled fused
// reduction) within the reduction tolerance.
TEST(RowFusion, BackwardMatchesEager) {
  for (const auto& layer : layers()) {
    manual_seed(3);
    Tensor x0 = randn({24, 48}) * 2, w0 = randn({48}), b0 = randn({48}), g = randn({24, 48});
    auto run = [&](bool compiled) {
      Tensor x = x0.clone().requires_grad_(), w = w0.clone().requires_grad_(), b = b0.clone().requires_grad_();
      auto body = [&](const Tensor& xx, const Tensor& ww, const Tensor& bb) { return layer.fn(xx, ww, bb) * g; };
      if (!compiled) {
        Tensor y = body(x, w, b);
        y.sum().backward();
        return std::vector<Tensor>{y.detach(), x.grad(), w.grad(), b.grad()};
      }
      auto f = compile(body);
      Tensor y = f(x, w, b);
      y.sum().backward();
      const jit::Program* backward = jit::backward_program(f);
      int rows = 0;
      for (const auto& k : backward ? backward->kernels() : decltype(backward->kernels()){}) rows += k->group().row_length > 0;
      EXPECT_GE(rows, 1) << layer.name << "\n" << f.dump();
      return std::vector<Tensor>{y.detach(), x.grad(), w.grad(), b.grad()};
    };
    auto want = run(false), got = run(true);
    EXPECT_TRUE(bitwise_equal(got[0], want[0])) << layer.name;
    EXPECT_TRUE(bitwise_equal(got[1], want[1])) << layer.name;
    for (int k = 2; k < 4; ++k)
      if (want[k].defined()) EXPECT_TRUE(close(got[k], want[k], 1e-5, 1e-5)) << layer.name << " grad " << k;
  }
}
