// Derivatives of the pointwise ops. Gradients may come back in the broadcast shape; the
// engine sums them down to each input's shape and casts them to its dtype.
#include "frontend/autograd/derivatives.h"
#include "frontend/dispatch.h"
#include "ember/functional.h"
#include "kernels/op_list.h"

namespace ember::autograd {

namespace {

using G = std::vector<Tensor>;

Tensor zero_where(const Tensor& cond, const Tensor& g) { return g.masked_fill(cond.expand(g.sizes()), 0); }

}  // namespace

void register_pointwise_derivatives() {
  auto reg = [](OpId op, GradFormula f, uint32_t saves_in = 0, bool saves_out = false) {
    register_derivative(op, Derivative{f, saves_in, saves_out});
  };
  register_math_derivatives();
  register_activation_derivatives();
  reg(OpId::Cast, [](const GradContext&, const G& g) -> G { return {g[0]}; });
  reg(OpId::Neg, [](const GradContext&, const G& g) -> G { return {g[0].neg()}; });
  reg(OpId::Abs, [](const GradContext& c, const G& g) -> G { return {g[0] * c.in[0].sign()}; }, kIn0);
  reg(OpId::Sign, [](const GradContext&, const G& g) -> G { return {g[0] * 0}; });
  reg(OpId::Exp, [](const GradContext& c, const G& g) -> G { return {g[0] * c.out[0]}; }, 0, true);
  reg(OpId::Log, [](const GradContext& c, const G& g) -> G { return {g[0] / c.in[0]}; }, kIn0);
  reg(OpId::Sqrt, [](const GradContext& c, const G& g) -> G { return {g[0] / (c.out[0] * 2)}; }, 0, true);
  reg(OpId::Rsqrt, [](const GradContext& c, const G& g) -> G {
    return {g[0] * c.out[0].pow(3) * -0.5};
  }, 0, true);
  reg(OpId::Reciprocal, [](const GradContext& c, const G& g) -> G {
    return {g[0] * (c.out[0] * c.out[0]).neg()};
  }, 0, true);
  reg(OpId::Relu, [](const GradContext& c, const G& g) -> G {
    return {zero_where(c.out[0] <= 0, g[0])};
  }, 0, true);
  reg(OpId::Sigmoid, [](const GradContext& c, const G& g) -> G {
    return {g[0] * c.out[0] * (1 - c.out[0])};
  }, 0, true);
  reg(OpId::Tanh, [](const GradContext& c, const G& g) -> G {
    return {g[0] * (1 - c.out[0] * c.out[0])};
  }, 0, true);
  reg(OpId::Sin, [](const GradContext& c, const G& g) -> G { return {g[0] * c.in[0].cos()}; }, kIn0);
  reg(OpId::Cos, [](const GradContext& c, const G& g) -> G { return {g[0] * c.in[0].sin().neg()}; }, kIn0);
  reg(OpId::Erf, [](const GradContext& c, const G& g) -> G {
    return {g[0] * (c.in[0] * c.in[0]).neg().exp() * 1.1283791670955126};
  }, kIn0);
  reg(OpId::Gelu, [](const GradContext& c, const G& g) -> G {
    return {call1(OpId::GeluBackward, {g[0], c.in[0]})};
  }, kIn0);

  reg(OpId::Add, [](const GradContext&, const G& g) -> G { return {g[0], g[0]}; });
  reg(OpId::Sub, [](const GradContext& c, const G& g) -> G {
    return {g[0], c.need(1) ? g[0].neg() : Tensor()};
  });
  reg(OpId::Mul, [](const GradContext& c, const G& g) -> G {
    return {c.need(0) ? g[0] * c.in[1] : Tensor(), c.need(1) ? g[0] * c.in[0] : Tensor()};
  }, kIn0 | kIn1);
  reg(OpId::Div, [](const GradContext& c, const G& g) -> G {
    const Tensor &a = c.in[0], &b = c.in[1];
    return {c.need(0) ? g[0] / b : Tensor(), c.need(1) ? (g[0] * a / (b * b)).neg() : Tensor()};
  }, kIn0 | kIn1);
  reg(OpId::Pow, [](const GradContext& c, const G& g) -> G {
    const Tensor &a = c.in[0], &b = c.in[1];
    Tensor ga, gb;
    if (c.need(0)) {
      if (b.impl().wrapped_number) {  // keep the exponent exact in float64
        Scalar e = b.item();
        ga = e.to_double() == 0 ? g[0] * 0 : g[0] * a.pow(Scalar(e.to_double() - 1)) * e;
      } else {
        ga = where(b == 0, 0.0, g[0] * b * a.pow(b - 1));
      }
    }
    // a^b recomputed rather than saved: libtorch's PowBackward0 (x.pow(2)) saves only x, so
    // changing the result in place later must not be an error.
    if (c.need(1)) gb = where((a == 0) & (b >= 0), 0.0, g[0] * a.pow(b) * a.log());
    return {ga, gb};
  }, kIn0 | kIn1);
  // d/db of a - q b is -q, q = floor(a / b) for remainder and trunc(a / b) for fmod; q is
  // recovered from the output as (a - out) / b (libtorch: -grad * a.div(b, rounding_mode)).
  auto quotient_grad = [](const GradContext& c, const G& g) -> G {
    const Tensor &a = c.in[0], &b = c.in[1];
    return {g[0], c.need(1) ? (g[0] * ((a - c.out[0]) / b)).neg() : Tensor()};
  };
  reg(OpId::Remainder, quotient_grad, kIn0 | kIn1, true);
  reg(OpId::Fmod, quotient_grad, kIn0 | kIn1, true);
  // Ties split the gradient evenly, as libtorch does.
  reg(OpId::Maximum, [](const GradContext& c, const G& g) -> G {
    const Tensor &a = c.in[0], &b = c.in[1];
    Tensor half = g[0] / 2, tie = a == b, a_wins = a > b;
    return {c.need(0) ? where(tie, half, where(a_wins, g[0], 0.0)) : Tensor(),
            c.need(1) ? where(tie, half, where(a_wins, 0.0, g[0])) : Tensor()};
  }, kIn0 | kIn1);
  reg(OpId::Minimum, [](const GradContext& c, const G& g) -> G {
    const Tensor &a = c.in[0], &b = c.in[1];
    Tensor half = g[0] / 2, tie = a == b, a_wins = a < b;
    return {c.need(0) ? where(tie, half, where(a_wins, g[0], 0.0)) : Tensor(),
            c.need(1) ? where(tie, half, where(a_wins, 0.0, g[0])) : Tensor()};
  }, kIn0 | kIn1);
  // At the boundary the gradient passes to the input (libtorch: self >= min).
  reg(OpId::ClampMin, [](const GradContext& c, const G& g) -> G {
    Tensor pass = c.in[0] >= c.in[1];
    return {zero_where(pass.logical_not(), g[0]), c.need(1) ? zero_where(pass, g[0]) : Tensor()};
  }, kIn0 | kIn1);
  reg(OpId::ClampMax, [](const GradContext& c, const G& g) -> G {
    Tensor pass = c.in[0] <= c.in[1];
    return {zero_where(pass.logical_not(), g[0]), c.need(1) ? zero_where(pass, g[0]) : Tensor()};
  }, kIn0 | kIn1);
  reg(OpId::Clamp, [](const GradContext& c, const G& g) -> G {
    const Tensor &x = c.in[0], &lo = c.in[1], &hi = c.in[2];
    Tensor pass = (x >= lo) & (x <= hi);
    // min(max(x, lo), hi): where lo > hi the result is hi, so hi gets the gradient.
    return {zero_where(pass.logical_not(), g[0]),
            c.need(1) ? zero_where(((x < lo) & (lo < hi)).logical_not(), g[0]) : Tensor(),
            c.need(2) ? zero_where(((x > hi) | (hi < lo)).logical_not(), g[0]) : Tensor()};
  }, kIn0 | kIn1 | kIn2);
  // softplus(x, beta, threshold) = log1p(exp(beta x)) / beta where beta x <= threshold, else x:
  // d/dx = sigmoid(beta x) (1 past the threshold), d/dbeta = (x sigmoid(beta x) - out) / beta
  // (0 past it), d/dthreshold = 0.
  reg(OpId::Softplus, [](const GradContext& c, const G& g) -> G {
    const Tensor &x = c.in[0], &beta = c.in[1], &threshold = c.in[2];
    Tensor bx = x * beta;
    Tensor linear = bx > threshold, s = bx.sigmoid();
    return {c.need(0) ? where(linear, g[0], g[0] * s) : Tensor(),
            c.need(1) ? where(linear, 0.0, g[0] * (x * s - c.out[0]) / beta) : Tensor(),
            c.need(2) ? g[0] * 0 : Tensor()};
  }, kIn0 | kIn1 | kIn2, true);
  reg(OpId::Where, [](const GradContext& c, const G& g) -> G {
    const Tensor& cond = c.in[0];
    return {Tensor(), c.need(1) ? where(cond, g[0], 0.0) : Tensor(),
            c.need(2) ? where(cond, 0.0, g[0]) : Tensor()};
  }, kIn0);
  reg(OpId::MaskedFill, [](const GradContext& c, const G& g) -> G {
    const Tensor& mask = c.in[1];
    return {c.need(0) ? g[0].masked_fill(mask, 0) : Tensor(), Tensor(),
            c.need(2) ? where(mask, g[0], 0.0).sum() : Tensor()};
  }, kIn1);
}

}  // namespace ember::autograd
