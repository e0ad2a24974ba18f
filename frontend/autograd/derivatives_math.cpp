// Derivatives of the pointwise math rows: log1p ... cosh, the rounding ops, atan2 and lerp.
// Gradients may come back in the broadcast shape; the engine sums them down to each input.
#include <cmath>

#include "ember/functional.h"
#include "frontend/autograd/derivatives.h"
#include "kernels/op_list.h"

namespace ember::autograd {

namespace {
using G = std::vector<Tensor>;
}  // namespace

void register_math_derivatives() {
  auto reg = [](OpId op, GradFormula f, uint32_t saves_in = 0, bool saves_out = false) {
    register_derivative(op, Derivative{f, saves_in, saves_out});
  };
  reg(OpId::Log1p, [](const GradContext& c, const G& g) -> G { return {g[0] / (c.in[0] + 1)}; }, kIn0);
  reg(OpId::Expm1, [](const GradContext& c, const G& g) -> G { return {g[0] * (c.out[0] + 1)}; }, 0, true);
  reg(OpId::Log2, [](const GradContext& c, const G& g) -> G { return {g[0] / (c.in[0] * M_LN2)}; }, kIn0);
  reg(OpId::Log10, [](const GradContext& c, const G& g) -> G { return {g[0] / (c.in[0] * M_LN10)}; }, kIn0);
  reg(OpId::Exp2, [](const GradContext& c, const G& g) -> G { return {g[0] * c.out[0] * M_LN2}; }, 0, true);
  reg(OpId::Tan, [](const GradContext& c, const G& g) -> G {
    return {g[0] * (c.out[0] * c.out[0] + 1)};
  }, 0, true);
  reg(OpId::Asin, [](const GradContext& c, const G& g) -> G {
    return {g[0] * (1 - c.in[0] * c.in[0]).rsqrt()};
  }, kIn0);
  reg(OpId::Acos, [](const GradContext& c, const G& g) -> G {
    return {(g[0] * (1 - c.in[0] * c.in[0]).rsqrt()).neg()};
  }, kIn0);
  reg(OpId::Atan, [](const GradContext& c, const G& g) -> G { return {g[0] / (c.in[0] * c.in[0] + 1)}; }, kIn0);
  reg(OpId::Sinh, [](const GradContext& c, const G& g) -> G { return {g[0] * c.in[0].cosh()}; }, kIn0);
  reg(OpId::Cosh, [](const GradContext& c, const G& g) -> G { return {g[0] * c.in[0].sinh()}; }, kIn0);
  // Piecewise constant: a zero gradient (libtorch's zeros_like(grad), so inf * 0 is no NaN).
  auto zero = [](const GradContext&, const G& g) -> G { return {zeros_like(g[0])}; };
  reg(OpId::Floor, zero);
  reg(OpId::Ceil, zero);
  reg(OpId::Round, zero);
  reg(OpId::Trunc, zero);
  reg(OpId::Frac, [](const GradContext&, const G& g) -> G { return {g[0]}; });
  reg(OpId::Atan2, [](const GradContext& c, const G& g) -> G {
    const Tensor &a = c.in[0], &b = c.in[1];
    Tensor r = g[0] / (a * a + b * b);
    return {c.need(0) ? r * b : Tensor(), c.need(1) ? (r * a).neg() : Tensor()};
  }, kIn0 | kIn1);
  reg(OpId::Lerp, [](const GradContext& c, const G& g) -> G {
    const Tensor &a = c.in[0], &b = c.in[1], &w = c.in[2];
    return {c.need(0) ? g[0] * (1 - w) : Tensor(), c.need(1) ? g[0] * w : Tensor(),
            c.need(2) ? g[0] * (b - a) : Tensor()};
  }, kIn0 | kIn1 | kIn2);
}

}  // namespace ember::autograd
