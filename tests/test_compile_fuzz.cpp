// Differential testing of the compiler: 1,000 random pointwise/broadcast/reduction graphs
// run eagerly and compiled on the same inputs. Pointwise results must be bitwise equal
// (DESIGN.md's promise); fused reductions agree within a relative 1e-5 (float32) or 1e-12
// (float64), since they sum in a different order.
#include <random>

#include "frontend/compile/compile_internals.h"
#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {

struct Program {
  struct Step {
    int op;      // index into the op list below
    int a, b;    // operands (value indices), -1 for none
    double c;    // scalar operand
  };
  std::vector<Shape> input_shapes;
  ScalarType dtype;
  std::vector<Step> steps;
  int reduction = -1;  // 0 sum, 1 mean, 2 amax, 3 amin
  int64_t red_dim = -1;
  bool keepdim = false;
  int extra_output = -1;  // an intermediate also returned
};

constexpr int kFloatOps = 24, kIntOps = 10;

// Applies step `s` to values; float and integer graphs use different op lists.
Tensor apply(const Program::Step& s, const std::vector<Tensor>& v, bool is_float) {
  const Tensor& a = v[s.a];
  const Tensor& b = s.b >= 0 ? v[s.b] : a;
  if (!is_float) {
    int64_t k = static_cast<int64_t>(s.c);
    switch (s.op) {
      case 0: return a + b;
      case 1: return a - b * k;
      case 2: return a * b;
      case 3: return maximum(a, b);
      case 4: return minimum(a, b).neg();
      case 5: return a.abs().clamp(k, k + 3);
      case 6: return where(a > b, a, b + k);
      case 7: return (a < k).logical_or(b == a).to(a.dtype()) + a;
      case 8: return a.clamp_min(k) - 2;
      default: return a.clamp_max(k) * 3;
    }
  }
  double c = s.c;
  switch (s.op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return a / (b.abs() + 0.5);
    case 4: return maximum(a, b);
    case 5: return minimum(a, b);
    case 6: return a.clamp_min(c);
    case 7: return a.clamp_max(c);
    case 8: return a.clamp(c - 1, c + 1);
    case 9: return a.pow(2);
    case 10: return a.abs().pow(c > 0 ? 1.5 : 0.5);
    case 11: return a.clamp(-10, 10).exp();
    case 12: return (a.abs() + 1).log();
    case 13: return a.sigmoid();
    case 14: return a.tanh();
    case 15: return a.neg() * c;
    case 16: return a.relu() + c;
    case 17: return where(a > b, a, b * c);
    case 18: return a.sin() + b.cos();
    case 19: return a.erf();
    case 20: return gelu(a);
    case 21: return a.to(a.dtype() == kFloat64 ? kFloat32 : kFloat16).to(a.dtype()) * 2;
    case 22: return (a + b * 0).masked_fill(b < c, 1.5);
    default: return a.abs().sqrt() - b.reciprocal().clamp(-4, 4);
  }
}

Program random_program(std::mt19937& rng) {
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  Program p;
  int dtype_kind = pick(10);
  p.dtype = dtype_kind < 6 ? kFloat32 : (dtype_kind < 8 ? kFloat64 : (dtype_kind < 9 ? kFloat16 : kInt64));
  int nd = 1 + pick(3);
  Shape base;
  for (int d = 0; d < nd; ++d) base.push_back(1 + pick(pick(4) == 0 ? 40 : 6));
  int inputs = 1 + pick(3);
  for (int i = 0; i < inputs; ++i) {
    Shape s = base;
    if (i > 0 && pick(2)) {
      for (auto& d : s)
        if (pick(3) == 0) d = 1;
      if (pick(3) == 0 && s.size() > 1) s.erase(s.begin());
    }
    p.input_shapes.push_back(s);
  }
  bool is_float = p.dtype != kInt64;
  int nops = 2 + pick(7);
  int nvalues = inputs;
  for (int k = 0; k < nops; ++k) {
    Program::Step s;
    s.op = pick(is_float ? kFloatOps : kIntOps);
    s.a = k == 0 ? 0 : nvalues - 1 - pick(std::min(nvalues, 3));
    s.b = pick(nvalues);
    s.c = static_cast<double>(pick(7)) - 3 + (is_float ? 0.25 : 0.0);
    p.steps.push_back(s);
    ++nvalues;
  }
  if (is_float && pick(3) == 0) {
    p.reduction = pick(4);
    p.red_dim = pick(2) ? -1 : pick(nd);
    p.keepdim = pick(2);
  }
  if (pick(3) == 0) p.extra_output = inputs + pick(nops);
  return p;
}

std::vector<Tensor> run(const Program& p, const std::vector<Tensor>& in) {
  std::vector<Tensor> v = in;
  bool is_float = p.dtype != kInt64;
  for (const auto& s : p.steps) v.push_back(apply(s, v, is_float));
  Tensor out = v.back();
  if (p.reduction >= 0) {
    IntList dims = p.red_dim < 0 ? IntList{} : IntList{p.red_dim};
    switch (p.reduction) {
      case 0: out = out.sum(dims, p.keepdim); break;
      case 1: out = out.mean(dims, p.keepdim); break;
      case 2: out = out.amax(dims, p.keepdim); break;
      default: out = out.amin(dims, p.keepdim); break;
    }
  }
  std::vector<Tensor> outs{out};
  if (p.extra_output >= 0) outs.push_back(v[p.extra_output]);
  return outs;
}

void differential(Device device, int count, uint64_t seed) {
  std::mt19937 rng(static_cast<uint32_t>(seed));
  int reductions = 0, bitwise = 0, fused_kernels = 0, fused_reductions = 0;
  for (int g = 0; g < count; ++g) {
    Program p = random_program(rng);
    manual_seed(seed + g);
    std::vector<Tensor> in;
    for (const auto& s : p.input_shapes) {
      Tensor t = p.dtype == kInt64 ? randint(-5, 6, s, TensorOptions().device(device))
                                   : (randn(s, TensorOptions().device(device)) * 3).to(p.dtype);
      in.push_back(t);
    }
    auto eager = run(p, in);
    auto f = compile([&p](const std::vector<Tensor>& args) { return run(p, args); });
    std::vector<Tensor> compiled;
    try {
      compiled = f(in);
    } catch (const Error& e) {
      FAIL() << "graph " << g << " failed to compile/run: " << e.what();
    }
    ASSERT_EQ(compiled.size(), eager.size());
    for (const auto& k : jit::forward_program(f).kernels()) {
      ++fused_kernels;
      fused_reductions += k->group().reduction >= 0;
    }
    for (size_t k = 0; k < eager.size(); ++k) {
      bool reduced = k == 0 && p.reduction >= 0;
      if (reduced) {
        ++reductions;
        double tol = p.dtype == kFloat64 ? 1e-12 : (p.dtype == kFloat16 ? 1e-3 : 1e-5);
        EXPECT_TRUE(close(compiled[k], eager[k], tol, tol)) << "graph " << g << " output " << k << "\n" << f.dump();
      } else {
        ++bitwise;
        EXPECT_TRUE(bitwise_equal(compiled[k], eager[k])) << "graph " << g << " output " << k << "\n" << f.dump();
      }
    }
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(reductions, count / 10);
  EXPECT_GT(bitwise, count / 2);
  // The graphs really were fused (most of them into one kernel).
  EXPECT_GT(fused_kernels, count * 3 / 4);
  EXPECT_GT(fused_reductions, count / 20);
}

// Random steps that read and update a captured state tensor in place (copy_, add_, mul_)
// between pointwise ops, some of which read the state before and some after an update:
// compiled calls must leave the state and the outputs bitwise equal to eager ones, call
// after call (the state is written back, often computed straight into its memory).
void in_place_differential(Device device, int count, uint64_t seed) {
  std::mt19937 rng(static_cast<uint32_t>(seed));
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  auto o = TensorOptions().device(device);
  for (int g = 0; g < count; ++g) {
    Shape shape{1 + pick(9), 1 + pick(40)};
    manual_seed(seed + g);
    Tensor s0 = randn(shape, o), x = randn(shape, o), row = randn({shape[1]}, o);
    struct Step {
      int kind;  // 0: pointwise op, 1: state.copy_(v), 2: state.add_(v), 3: state.mul_(c)
      Program::Step op;
    };
    std::vector<Step> steps;
    int nvalues = 3;  // x, row, then the state handle itself
    for (int k = 0, n = 3 + pick(8); k < n; ++k) {
      Step st{pick(4) == 0 ? 1 + pick(3) : 0, {pick(kFloatOps), 0, 0, static_cast<double>(pick(7)) - 2.75}};
      st.op.a = pick(nvalues);
      st.op.b = pick(nvalues);
      steps.push_back(st);
      if (st.kind == 0) ++nvalues;
    }
    auto program = [&](Tensor& state, const Tensor& xx, const Tensor& rr) {
      std::vector<Tensor> v{xx, rr, state};
      for (const auto& st : steps) {
        if (st.kind == 0) v.push_back(apply(st.op, v, true));
        else if (st.kind == 1) state.copy_(v[st.op.a]);
        else if (st.kind == 2) state.add_(v[st.op.a]);
        else state.mul_(st.op.c);
      }
      return std::vector<Tensor>{v.back() + 0.0, state * 1.0};
    };
    Tensor se = s0.clone(), sc = s0.clone();
    auto f = compile([&](const Tensor& xx, const Tensor& rr) { return program(sc, xx, rr); });
    for (int call = 0; call < 2; ++call) {
      auto want = program(se, x, row);
      std::vector<Tensor> got;
      try {
        got = f(x, row);
      } catch (const Error& e) {
        FAIL() << "graph " << g << " failed to compile/run: " << e.what();
      }
      for (size_t k = 0; k < want.size(); ++k)
        EXPECT_TRUE(bitwise_equal(got[k], want[k])) << "graph " << g << " call " << call << " output " << k << "\n" << f.dump();
      EXPECT_TRUE(bitwise_equal(sc, se)) << "graph " << g << " call " << call << "\n" << f.dump();
      if (::testing::Test::HasFailure()) return;
    }
  }
}

}  // namespace

TEST(CompileFuzz, InPlaceStateUpdatesOnCpu) { in_place_differential(Device(kCPU), 300, 77); }

TEST(CompileFuzz, InPlaceStateUpdatesOnCuda) {
  EMBER_REQUIRE_CUDA();
  in_place_differential(Device(kCUDA), 300, 78);
}

TEST(CompileFuzz, ThousandRandomGraphsOnCpu) { differential(Device(kCPU), 1000, 2024); }

TEST(CompileFuzz, ThousandRandomGraphsOnCuda) {
  EMBER_REQUIRE_CUDA();
  differential(Device(kCUDA), 1000, 4048);
}
