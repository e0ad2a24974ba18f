// Derivatives of the activation rows of the op table, in libtorch's formulas (the
// *_backward kernels): where a parameter is a tensor (prelu's weight, and every operand in
// the table-driven gradcheck) it gets its gradient too.
#include "ember/functional.h"
#include "frontend/autograd/derivatives.h"
#include "kernels/op_list.h"

namespace ember::autograd {

namespace {
using G = std::vector<Tensor>;
}  // namespace

void register_activation_derivatives() {
  auto reg = [](OpId op, GradFormula f, uint32_t saves_in = 0, bool saves_out = false) {
    register_derivative(op, Derivative{f, saves_in, saves_out});
  };
  reg(OpId::Silu, [](const GradContext& c, const G& g) -> G {
    const Tensor& x = c.in[0];
    Tensor s = x.sigmoid();
    return {g[0] * s * (x * (1 - s) + 1)};
  }, kIn0);
  reg(OpId::Mish, [](const GradContext& c, const G& g) -> G {
    const Tensor& x = c.in[0];
    Tensor t = x.exp().log1p().tanh();
    return {g[0] * (t + x * x.sigmoid() * (1 - t * t))};
  }, kIn0);
  reg(OpId::LogSigmoid, [](const GradContext& c, const G& g) -> G {
    return {g[0] * c.in[0].neg().sigmoid()};
  }, kIn0);
  reg(OpId::Tanhshrink, [](const GradContext& c, const G& g) -> G {
    Tensor t = c.in[0].tanh();
    return {g[0] * t * t};
  }, kIn0);
  reg(OpId::Hardsigmoid, [](const GradContext& c, const G& g) -> G {
    const Tensor& x = c.in[0];
    return {where((x > -3) & (x < 3), g[0] / 6, 0.0)};
  }, kIn0);
  reg(OpId::Hardswish, [](const GradContext& c, const G& g) -> G {
    const Tensor& x = c.in[0];
    return {where(x < -3, 0.0, where(x <= 3, g[0] * (x / 3 + 0.5), g[0]))};
  }, kIn0);
  reg(OpId::Softsign, [](const GradContext& c, const G& g) -> G {
    Tensor d = c.in[0].abs() + 1;
    return {g[0] / (d * d)};
  }, kIn0);

  reg(OpId::LeakyRelu, [](const GradContext& c, const G& g) -> G {
    const Tensor &x = c.in[0], &slope = c.in[1];
    Tensor pos = x > 0;
    return {c.need(0) ? where(pos, g[0], g[0] * slope) : Tensor(),
            c.need(1) ? where(pos, 0.0, g[0] * x) : Tensor()};
  }, kIn0 | kIn1);
  reg(OpId::Celu, [](const GradContext& c, const G& g) -> G {
    const Tensor &x = c.in[0], &alpha = c.in[1];
    Tensor pos = x > 0, xa = x / alpha, e = xa.exp();
    return {c.need(0) ? where(pos, g[0], g[0] * e) : Tensor(),
            c.need(1) ? where(pos, 0.0, g[0] * (xa.expm1() - xa * e)) : Tensor()};
  }, kIn0 | kIn1);
  reg(OpId::Hardshrink, [](const GradContext& c, const G& g) -> G {
    const Tensor &x = c.in[0], &l = c.in[1];
    Tensor zero = (x >= l.neg()) & (x <= l);
    return {c.need(0) ? where(zero, 0.0, g[0]) : Tensor(), c.need(1) ? zeros_like(g[0]) : Tensor()};
  }, kIn0 | kIn1);
  reg(OpId::Softshrink, [](const GradContext& c, const G& g) -> G {
    const Tensor &x = c.in[0], &l = c.in[1];
    Tensor above = x > l, below = above.logical_not() & (x < l.neg());
    return {c.need(0) ? where(above | below, g[0], 0.0) : Tensor(),
            c.need(1) ? where(above, g[0].neg(), where(below, g[0], 0.0)) : Tensor()};
  }, kIn0 | kIn1);
  reg(OpId::Elu, [](const GradContext& c, const G& g) -> G {
    const Tensor &x = c.in[0], &negcoef = c.in[1], &poscoef = c.in[2];
    Tensor pos = x > 0;
    return {c.need(0) ? where(pos, g[0] * poscoef, g[0] * negcoef * x.exp()) : Tensor(),
            c.need(1) ? where(pos, 0.0, g[0] * x.expm1()) : Tensor(),
            c.need(2) ? where(pos, g[0] * x, 0.0) : Tensor()};
  }, kIn0 | kIn1 | kIn2);
  // Inside (min_val, max_val) only, as libtorch's hardtanh_backward; the limits get the
  // gradient of the clamp form where they are the result.
  reg(OpId::Hardtanh, [](const GradContext& c, const G& g) -> G {
    const Tensor &x = c.in[0], &lo = c.in[1], &hi = c.in[2];
    return {c.need(0) ? where((x > lo) & (x < hi), g[0], 0.0) : Tensor(),
            c.need(1) ? where((x < lo) & (lo < hi), g[0], 0.0) : Tensor(),
            c.need(2) ? where((x > hi) | (hi < lo), g[0], 0.0) : Tensor()};
  }, kIn0 | kIn1 | kIn2);
  reg(OpId::Threshold, [](const GradContext& c, const G& g) -> G {
    const Tensor &x = c.in[0], &th = c.in[1];
    Tensor replaced = x <= th;
    return {c.need(0) ? where(replaced, 0.0, g[0]) : Tensor(), c.need(1) ? zeros_like(g[0]) : Tensor(),
            c.need(2) ? where(replaced, g[0], 0.0) : Tensor()};
  }, kIn0 | kIn1);
}

}  // namespace ember::autograd
