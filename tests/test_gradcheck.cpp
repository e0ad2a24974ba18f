// Every differentiable op's derivative against central finite differences in float64.
#include "frontend/autograd/derivatives.h"
#include "frontend/dispatch.h"
#include "op_table.h"
#include "test_util.h"

using namespace ember;
using namespace ember::testing;
using autograd::gradcheck;
using TL = std::vector<Tensor>;

namespace {

TensorOptions f64() { return TensorOptions().dtype(kFloat64).requires_grad(true); }

// Random values with magnitude in [lo, hi] and random sign (keeps away from kinks at 0).
Tensor away_from_zero(const Shape& s, double lo = 0.3, double hi = 1.5, bool positive = false) {
  Tensor mag = rand(s, kFloat64) * (hi - lo) + lo;
  Tensor sign = positive ? ones(s, kFloat64) : where(rand(s, kFloat64) < 0.5, -1.0, 1.0);
  return (mag * sign).detach().requires_grad_(true);
}

Tensor rnd(const Shape& s) { return randn(s, f64()); }

void check(const std::function<Tensor(const TL&)>& fn, const TL& inputs) {
  EXPECT_NO_THROW(gradcheck(fn, inputs)) << [&] {
    try {
      gradcheck(fn, inputs);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  }();
}

class Gradcheck : public ::testing::Test {
 protected:
  void SetUp() override { manual_seed(1234); }
};

}  // namespace

// Every pointwise op of the table that has a derivative (comparisons and logical ops have
// none), in float64 with broadcast operands ({2, 3}, {3}, {2, 1}) drawn from the op's domain:
// away from 0 (the kinks of abs, relu, sign), positive where the domain says so. Where's
// condition and masked_fill's mask (rules Where and First) are fixed bool tensors and
// masked_fill's value is 0-dim.
TEST_F(Gradcheck, EveryPointwiseOpOfTheTable) {
  const Shape shapes[] = {{2, 3}, {3}, {2, 1}};
  int checked = 0;
  for (const auto& op : pointwise_table()) {
    if (!autograd::derivative_for(op.id)) continue;
    SCOPED_TRACE(op.name);
    std::vector<Tensor> fixed(static_cast<size_t>(op.arity));
    std::vector<size_t> slots;
    TL diff;
    for (int k = 0; k < op.arity; ++k) {
      const Shape& s = op.arity == 1 ? shapes[0] : shapes[k];
      if ((op.rule == DtypeRule::Where && k == 0) || (op.rule == DtypeRule::First && k == 1)) {
        fixed[k] = rand(s, kFloat64) < 0.5;
        continue;
      }
      bool positive = (k == 0 && (op.domain == Domain::Positive || op.domain == Domain::Power ||
                                  op.domain == Domain::NonNegative));
      bool unit = k == 0 && op.domain == Domain::Unit;  // asin, acos: |x| < 1
      Tensor t = op.rule == DtypeRule::First && k == 2 ? tensor(0.7, f64())
                                                       : away_from_zero(s, positive ? 0.5 : 0.3,
                                                                        positive ? 2.0 : (unit ? 0.8 : 1.5), positive);
      slots.push_back(static_cast<size_t>(k));
      diff.push_back(t);
    }
    Attrs attrs;
    if (op.rule == DtypeRule::Cast) attrs.set("dtype", kFloat64);
    check([&](const TL& t) {
      std::vector<Tensor> in = fixed;
      for (size_t i = 0; i < slots.size(); ++i) in[slots[i]] = t[i];
      return call1(op.id, in, attrs);
    }, diff);
    ++checked;
  }
  EXPECT_GE(checked, 25);
}

TEST_F(Gradcheck, UnaryPointwiseForms) {
  Tensor x = away_from_zero({2, 3});
  check([](const TL& t) { return t[0].sign() + t[0]; }, {x});
  check([](const TL& t) { return t[0].clone(); }, {x});
  // Through float32 the finite differences need a coarser step.
  EXPECT_NO_THROW(gradcheck([](const TL& t) { return t[0].to(kFloat32).to(kFloat64); }, {x},
                            {1e-2, 1e-4, 1e-3}));
}

TEST_F(Gradcheck, BinaryPointwiseWithBroadcasting) {
  Tensor a = rnd({2, 3}), b = rnd({3}), c = rnd({2, 1});
  Tensor nz = away_from_zero({3});
  check([](const TL& t) { return t[0] + t[1]; }, {a, b});
  check([](const TL& t) { return t[0].add(t[1], 2.5); }, {a, c});
  check([](const TL& t) { return t[0] - t[1]; }, {a, c});
  check([](const TL& t) { return t[0].sub(t[1], 0.5); }, {a, b});
  check([](const TL& t) { return t[0] / t[1]; }, {a, nz});
  check([](const TL& t) { return 2.0 / t[0]; }, {nz});
  check([](const TL& t) { return 3.0 - t[0] * 2; }, {a});
}

TEST_F(Gradcheck, Pow) {
  Tensor base = away_from_zero({2, 3}, 0.5, 2.0, true);
  Tensor expo = rnd({2, 3});
  check([](const TL& t) { return t[0].pow(2); }, {away_from_zero({4})});
  check([](const TL& t) { return t[0].pow(2.5); }, {base});
  check([](const TL& t) { return t[0].pow(-1.5); }, {base});
  check([](const TL& t) { return t[0].pow(t[1]); }, {base, expo});
  check([](const TL& t) { return pow(2.0, t[0]); }, {expo});
}

TEST_F(Gradcheck, MaximumMinimumAndClamp) {
  Tensor a = rnd({5}), b = (a.detach() + away_from_zero({5}).detach()).requires_grad_(true);
  check([](const TL& t) { return maximum(t[0], t[1]); }, {a, b});
  check([](const TL& t) { return minimum(t[0], t[1]); }, {a, b});
  Tensor x = tensor({-1.7, -0.6, 0.35, 0.8, 1.9}, f64());
  check([](const TL& t) { return t[0].clamp(-0.5, 0.5); }, {x});
  check([](const TL& t) { return t[0].clamp_min(0.1); }, {x});
  check([](const TL& t) { return t[0].clamp_max(0.1); }, {x});
  Tensor lo = tensor({-1.0, -1.0, 0.0, 1.0, 1.0}, f64()), hi = tensor({0.0, 0.0, 1.0, 2.0, 1.5}, f64());
  check([](const TL& t) { return t[0].clamp(std::optional<Tensor>(t[1]), std::optional<Tensor>(t[2])); }, {x, lo, hi});
  check([](const TL& t) { return t[0].clamp_min(t[1]); }, {x, lo});
}

TEST_F(Gradcheck, ClampPassesGradientAtTheBoundary) {
  // libtorch: d clamp(x, min)/dx = 1 where x >= min, so x == min passes the gradient.
  Tensor x = tensor({0.0, -1.0, 2.0}, f64());
  x.clamp(0).sum().backward();
  EXPECT_TRUE(close(x.grad(), tensor({1.0, 0.0, 1.0}, kFloat64)));
  Tensor y = tensor({0.0, 1.0, 2.0}, f64());
  y.clamp(0.0, 1.0).sum().backward();
  EXPECT_TRUE(close(y.grad(), tensor({1.0, 1.0, 0.0}, kFloat64)));
  Tensor r = tensor({0.0, 1.0}, f64());
  r.relu().sum().backward();  // relu at 0 has gradient 0 in libtorch
  EXPECT_TRUE(close(r.grad(), tensor({0.0, 1.0}, kFloat64)));
}

TEST_F(Gradcheck, WhereAndMaskedFill) {
  Tensor cond = tensor({true, false, true});
  Tensor a = rnd({2, 3}), b = rnd({3});
  check([cond](const TL& t) { return where(cond, t[0], t[1]); }, {a, b});
  Tensor v = tensor(0.7, f64());
  check([cond](const TL& t) { return t[0].masked_fill(cond, t[1]); }, {a, v});
  check([cond](const TL& t) { return t[0].masked_fill(cond, 2.0); }, {a});
}

TEST_F(Gradcheck, Reductions) {
  Tensor x = rnd({3, 4});
  check([](const TL& t) { return t[0].sum(); }, {x});
  check([](const TL& t) { return t[0].sum({1}); }, {x});
  check([](const TL& t) { return t[0].sum({0, 1}, true); }, {x});
  check([](const TL& t) { return t[0].mean(); }, {x});
  check([](const TL& t) { return t[0].mean({-1}, true); }, {x});
  Tensor p = away_from_zero({3, 4});
  check([](const TL& t) { return t[0].prod(); }, {p});
  check([](const TL& t) { return t[0].prod(1); }, {p});
  Tensor z = tensor({{0.5, 0.0, 2.0}, {0.0, 0.0, 1.5}}, f64());  // one zero, then two zeros
  check([](const TL& t) { return t[0].prod(1, true); }, {z});
  check([](const TL& t) { return t[0].max(); }, {x});
  check([](const TL& t) { return t[0].amin({0}); }, {x});
  check([](const TL& t) { return std::get<0>(t[0].max(1)); }, {x});
  check([](const TL& t) { return std::get<0>(t[0].min(0, true)); }, {x});
  check([](const TL& t) { return logsumexp(t[0], {1}); }, {x});
  check([](const TL& t) { return softmax(t[0], 1); }, {x});
  check([](const TL& t) { return log_softmax(t[0], 0); }, {x});
}

TEST_F(Gradcheck, MatrixProducts) {
  Tensor a = rnd({3, 4}), b = rnd({4, 2}), bias = rnd({2});
  check([](const TL& t) { return t[0].mm(t[1]); }, {a, b});
  check([](const TL& t) { return t[0].t().mm(t[1].t().t()); }, {rnd({4, 3}), b});
  check([](const TL& t) { return t[0].addmm(t[1], t[2], 0.5, 2.0); }, {bias, a, b});
  check([](const TL& t) { return t[0].bmm(t[1]); }, {rnd({2, 3, 4}), rnd({2, 4, 2})});
  check([](const TL& t) { return t[0].matmul(t[1]); }, {rnd({2, 1, 3, 4}), rnd({3, 4, 2})});
  check([](const TL& t) { return t[0].matmul(t[1]); }, {rnd({2, 3, 4}), rnd({4})});
  check([](const TL& t) { return t[0].mv(t[1]); }, {a, rnd({4})});
  check([](const TL& t) { return t[0].dot(t[1]); }, {rnd({5}), rnd({5})});
  check([](const TL& t) { return nn::functional::linear(t[0], t[1], t[2]); }, {rnd({5, 4}), rnd({3, 4}), rnd({3})});
}

TEST_F(Gradcheck, ViewsAndShapes) {
  Tensor x = rnd({2, 3, 4});
  check([](const TL& t) { return t[0].view({6, 4}); }, {x});
  check([](const TL& t) { return t[0].transpose(0, 2).reshape({-1}); }, {x});
  check([](const TL& t) { return t[0].permute({2, 0, 1}); }, {x});
  check([](const TL& t) { return t[0].slice(2, 1, 4, 2); }, {x});
  check([](const TL& t) { return t[0].select(1, -1); }, {x});
  check([](const TL& t) { return t[0].narrow(2, 1, 2).unsqueeze(0).squeeze(); }, {x});
  check([](const TL& t) { return t[0].flatten(1); }, {x});
  check([](const TL& t) { return t[0].expand({3, 2, 4}); }, {rnd({2, 1})});
  check([](const TL& t) { return t[0].repeat({2, 1, 3}); }, {rnd({2, 2})});
  check([](const TL& t) { return cat({t[0], t[1]}, 1); }, {rnd({2, 3}), rnd({2, 2})});
  check([](const TL& t) { return stack({t[0], t[1]}, 0); }, {rnd({2, 3}), rnd({2, 3})});
  check([](const TL& t) { return t[0].split(2, 1)[1]; }, {rnd({2, 5})});
  check([](const TL& t) { return t[0].chunk(3, 0)[2] * 2; }, {rnd({6, 2})});
}

TEST_F(Gradcheck, GatherScatterFamily) {
  Tensor x = rnd({3, 4});
  Tensor idx = tensor({{0, 2}, {1, 1}, {3, 0}});
  check([idx](const TL& t) { return t[0].gather(1, idx); }, {x});
  check([](const TL& t) { return t[0].index_select(0, tensor({2, 0, 2})); }, {x});
  Tensor src = rnd({3, 2});
  Tensor perm = tensor({{0, 2}, {1, 3}, {3, 0}});
  check([perm](const TL& t) { return t[0].scatter(1, perm, t[1]); }, {x, src});
  check([idx](const TL& t) { return t[0].scatter_add(1, idx, t[1]); }, {x, src});
  check([](const TL& t) { return t[0].index_add(0, tensor({2, 0}), t[1]); }, {x, rnd({2, 4})});
  Tensor mask = tensor({{true, false, true, false}, {false, false, true, true}, {true, true, true, false}});
  check([mask](const TL& t) { return t[0].masked_select(mask); }, {x});
  check([mask](const TL& t) { return t[0].masked_scatter(mask, t[1]); }, {x, rnd({8})});
  check([](const TL& t) { return slice_scatter(t[0], t[1], 1, 1, 3); }, {x, rnd({3, 2})});
  check([](const TL& t) { return select_scatter(t[0], t[1], 0, 1); }, {x, rnd({4})});
}

TEST_F(Gradcheck, Indexing) {
  Tensor x = away_from_zero({4, 3});
  check([](const TL& t) { return t[0].index({t[0].detach() > 0}); }, {x});
  check([](const TL& t) { return t[0].index({indexing::Slice(1, 3), tensor({2, 0})}); }, {x});
  check([](const TL& t) { return t[0].index({tensor({-1, 0}), indexing::Slice()}); }, {x});
  check([](const TL& t) {
    Tensor y = t[0].clone();
    y.index_put_({y.detach() < 0}, 0);
    return y;
  }, {x});
}

TEST_F(Gradcheck, Losses) {
  Tensor in = rnd({4, 3}), target = randn({4, 3}, kFloat64);
  check([target](const TL& t) { return nn::functional::mse_loss(t[0], target); }, {in});
  check([target](const TL& t) { return nn::functional::mse_loss(t[0], target, kSum); }, {in});
  check([target](const TL& t) { return nn::functional::l1_loss(t[0], target + 5); }, {in});
  Tensor cls = tensor({2, 0, 1, 2});
  check([cls](const TL& t) { return nn::functional::cross_entropy(t[0], cls); }, {in});
  check([cls](const TL& t) { return nn::functional::cross_entropy(t[0], cls, kNone); }, {in});
}

TEST_F(Gradcheck, NotesNetworkMatchesFiniteDifferences) {
  // The notes' two-layer network at a reduced size, all weights at once.
  Tensor x = randn({8, 20}, kFloat64), y = randn({8, 3}, kFloat64);
  Tensor w1 = rnd({20, 6}), w2 = rnd({6, 3});
  check([x, y](const TL& t) { return (x.mm(t[0]).clamp(0).mm(t[1]) - y).pow(2).sum(); }, {w1, w2});
}

TEST_F(Gradcheck, ToCudaAndBackRoundTrip) {
  EMBER_REQUIRE_CUDA();
  check([](const TL& t) { return (t[0].to(Device(kCUDA)) * 2).to(Device(kCPU)); }, {rnd({3})});
}

TEST_F(Gradcheck, ReportsAWrongDerivative) {
  struct BadSquare : autograd::Function<BadSquare> {
    static Tensor forward(autograd::AutogradContext* ctx, Tensor x) {
      ctx->save_for_backward({x});
      return x * x;
    }
    static autograd::variable_list backward(autograd::AutogradContext* ctx, autograd::variable_list g) {
      return {g[0] * ctx->get_saved_variables()[0] * 3};  // should be 2x
    }
  };
  EXPECT_EMBER_ERROR(gradcheck([](const TL& t) { return BadSquare::apply(t[0]); }, {rnd({3})}),
                     "Jacobian mismatch");
}
