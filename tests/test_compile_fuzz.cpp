// Differential testing of the compiler: 1,000 random pointwise/broadcast/reduction graphs
// run eagerly and compiled on the same inputs. Pointwise results must be bitwise equal
// (DESIGN.md's promise); fused reductions agree within a relative 1e-5 (float32) or 1e-12
// (float64), since they sum in a different order.
#include <random>

#include "frontend/compile/compile_internals.h"
#include "frontend/dispatch.h"
#include "op_table.h"
#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {

struct Program {
  struct Step {
    int op;      // index into float_ops() or int_ops() below
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

// The ops a step may apply: every pointwise op of the table in float graphs; in int64 graphs
// those that stay integers and exact (no Float rule, no math library).
const std::vector<TableOp>& float_ops() {
  static const std::vector<TableOp> ops = pointwise_table();
  return ops;
}
const std::vector<TableOp>& int_ops() {
  static const std::vector<TableOp> ops = [] {
    std::vector<TableOp> out;
    for (const auto& op : pointwise_table())
      if (op.rule != DtypeRule::Float && op.rule != DtypeRule::Cast && op.numerics == Numerics::Exact)
        out.push_back(op);
    return out;
  }();
  return ops;
}

// Applies step `s` to values: the step's op of the table on operands shaped by its columns.
// Domain: log's, sqrt's and pow's base are made positive, divisors kept away from 0, pow's
// exponent small; math-library functions read values clamped to [-10, 10] (exp stays finite).
// Rules: Where's condition and masked_fill's mask are comparisons, masked_fill's value a
// number and its input broadcast to the mask's shape, Cast goes to a narrower float and back;
// bool results are cast back to the graph's dtype. One in four binary ops takes a number.
Tensor apply(const Program::Step& s, const std::vector<Tensor>& v, bool is_float) {
  const TableOp& op = is_float ? float_ops()[s.op] : int_ops()[s.op];
  Tensor a = v[s.a];
  Tensor b = s.b >= 0 ? v[s.b] : a;
  ScalarType dt = a.dtype();
  Scalar c = is_float ? Scalar(s.c) : Scalar(static_cast<int64_t>(s.c));
  if (op.rule == DtypeRule::Cast)
    return call1(OpId::Cast, {a}, Attrs().set("dtype", dt == kFloat64 ? kFloat32 : kFloat16)).to(dt) * 2;
  std::vector<Tensor> in;
  if (op.rule == DtypeRule::Where) {
    in = {a > b, a, b * c};
  } else if (op.rule == DtypeRule::First) {
    in = {a + b * 0, b < c, scalar_operand(is_float ? 1.5 : 2.0)};
  } else {
    in = {a, b, a + c};
    in.resize(static_cast<size_t>(op.arity));
    if (op.arity == 2 && (s.a + s.b + s.op) % 4 == 0) in[1] = scalar_operand(c);
    switch (op.domain) {
      case Domain::Positive: in[0] = in[0].abs() + 1; break;
      case Domain::NonZero: in.back() = in.back().abs() + 0.5; break;
      case Domain::Unit: in[0] = in[0].clamp(-0.9, 0.9); break;
      case Domain::Power:
        in[0] = is_float ? in[0].abs() + 0.5 : in[0];
        in[1] = is_float ? in[1].clamp(-2, 2) : in[1].abs().clamp_max(3);
        break;
      default: break;
    }
    if (op.numerics == Numerics::Libm && is_float)
      for (auto& t : in) t = t.clamp(-10, 10);
  }
  Tensor r = call1(op.id, in);
  return r.dtype() == dt ? r : r.to(dt);
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
    s.op = pick(static_cast<int>(is_float ? float_ops().size() : int_ops().size()));
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
      Step st{pick(4) == 0 ? 1 + pick(3) : 0, {pick(static_cast<int>(float_ops().size())), 0, 0, static_cast<double>(pick(7)) - 2.75}};
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
