#pragma once
// The scalar definition of every pointwise op, shared by the CPU loops, the nvcc-built CUDA
// kernels and NVRTC-generated fused kernels. A functor's name equals its op's name in the
// op table (runtime/op_list.h). Arguments arrive already converted to the compute type T.
#include "math.h"

namespace ember {
namespace dev {

// min(max(x, 0), 6), NaN-propagating (a helper of Hardsigmoid and Hardswish, not an op).
struct Clamp6 {
  template <class T>
  EMBER_HD T operator()(T x) const {
    T t = x < T(0) ? T(0) : x;
    return t > T(6) ? T(6) : t;
  }
};

// Rounding ops are the identity on integers (libtorch's floor of an int tensor).
#define EMBER_ROUNDING(Name, fn)                                      \
  struct Name {                                                       \
    static constexpr int arity = 1;                                   \
    template <class T>                                                \
    EMBER_HD T operator()(T x) const {                                \
      if constexpr (is_integral<T>::value) return x;                  \
      else return math::fn(x);                                        \
    }                                                                 \
  };
EMBER_ROUNDING(Floor, floor)
EMBER_ROUNDING(Ceil, ceil)
EMBER_ROUNDING(Round, rint)
EMBER_ROUNDING(Trunc, trunc)
#undef EMBER_ROUNDING

// x - trunc(x), libtorch's frac (0 on integers).
struct Frac {
  static constexpr int arity = 1;
  template <class T>
  EMBER_HD T operator()(T x) const { return x - Trunc{}(x); }
};

#define EMBER_UNARY(Name, expr)                              \
  struct Name {                                              \
    static constexpr int arity = 1;                          \
    template <class T>                                       \
    EMBER_HD T operator()(T x) const { return expr; }        \
  };
#define EMBER_BINARY(Name, R, expr)                          \
  struct Name {                                              \
    static constexpr int arity = 2;                          \
    template <class T>                                       \
    EMBER_HD R operator()(T a, T b) const { return expr; }   \
  };

EMBER_UNARY(Cast, x)
EMBER_UNARY(Neg, wrapping_neg(x))
EMBER_UNARY(Abs, x < T(0) ? wrapping_neg(x) : x)
EMBER_UNARY(Sign, x > T(0) ? T(1) : (x < T(0) ? T(-1) : x))
EMBER_UNARY(Exp, math::exp(x))
EMBER_UNARY(Log, math::log(x))
EMBER_UNARY(Sqrt, math::sqrt(x))
EMBER_UNARY(Rsqrt, T(1) / math::sqrt(x))
EMBER_UNARY(Reciprocal, T(1) / x)
EMBER_UNARY(Relu, x < T(0) ? T(0) : x)
EMBER_UNARY(Sigmoid, T(1) / (T(1) + math::exp(-x)))
EMBER_UNARY(Tanh, math::tanh(x))
EMBER_UNARY(Sin, math::sin(x))
EMBER_UNARY(Cos, math::cos(x))
EMBER_UNARY(Erf, math::erf(x))
EMBER_UNARY(Gelu, T(0.5) * x * (T(1) + math::erf(x * T(0.70710678118654752440))))
EMBER_UNARY(LogicalNot, !x)
EMBER_UNARY(Log1p, math::log1p(x))
EMBER_UNARY(Expm1, math::expm1(x))
EMBER_UNARY(Log2, math::log2(x))
EMBER_UNARY(Log10, math::log10(x))
EMBER_UNARY(Exp2, math::exp2(x))
EMBER_UNARY(Tan, math::tan(x))
EMBER_UNARY(Asin, math::asin(x))
EMBER_UNARY(Acos, math::acos(x))
EMBER_UNARY(Atan, math::atan(x))
EMBER_UNARY(Sinh, math::sinh(x))
EMBER_UNARY(Cosh, math::cosh(x))
// x - x is 0 for finite x and NaN for inf and NaN (no fast-math anywhere folds it); integers
// are always finite.
EMBER_UNARY(Isnan, x != x)
EMBER_UNARY(Isinf, x == x && (x - x) != (x - x))
EMBER_UNARY(Isfinite, (x - x) == (x - x))
// libtorch's kernels: silu x / (1 + exp(-x)), mish x tanh(log1p(exp(x))), log_sigmoid
// min(x, 0) - log1p(exp(-|x|)) (stable for large |x|; NaN stays NaN through the exp).
EMBER_UNARY(Silu, x / (T(1) + math::exp(-x)))
EMBER_UNARY(Mish, x * math::tanh(math::log1p(math::exp(x))))
EMBER_UNARY(LogSigmoid, math::fmin(x, T(0)) - math::log1p(math::exp(-math::fabs(x))))
EMBER_UNARY(Tanhshrink, x - math::tanh(x))
// relu6(x + 3) / 6 and x relu6(x + 3) / 6 in libtorch's order; NaN propagates.
EMBER_UNARY(Hardsigmoid, Clamp6{}(x + T(3)) / T(6))
EMBER_UNARY(Hardswish, x * Clamp6{}(x + T(3)) / T(6))
EMBER_UNARY(Softsign, x / (T(1) + (x < T(0) ? -x : x)))

EMBER_BINARY(Add, T, wrapping_add(a, b))
EMBER_BINARY(Sub, T, wrapping_sub(a, b))
EMBER_BINARY(Mul, T, wrapping_mul(a, b))
EMBER_BINARY(Div, T, a / b)
EMBER_BINARY(Maximum, T, a != a ? a : (b != b ? b : (a > b ? a : b)))
EMBER_BINARY(Minimum, T, a != a ? a : (b != b ? b : (a < b ? a : b)))
EMBER_BINARY(ClampMin, T, a < b ? b : a)
EMBER_BINARY(ClampMax, T, a > b ? b : a)
EMBER_BINARY(Lt, bool, a < b)
EMBER_BINARY(Le, bool, a <= b)
EMBER_BINARY(Gt, bool, a > b)
EMBER_BINARY(Ge, bool, a >= b)
EMBER_BINARY(Eq, bool, a == b)
EMBER_BINARY(Ne, bool, a != b)
EMBER_BINARY(LogicalAnd, bool, a && b)
EMBER_BINARY(LogicalOr, bool, a || b)
EMBER_BINARY(LogicalXor, bool, bool(a) != bool(b))
// d/dx gelu(x) * g, with the same erf form as Gelu.
EMBER_BINARY(GeluBackward, T,
             a * (T(0.5) * (T(1) + math::erf(b * T(0.70710678118654752440))) +
                  b * T(0.39894228040143267794) * math::exp(T(-0.5) * b * b)))
EMBER_BINARY(Atan2, T, math::atan2(a, b))
// leaky_relu(x, negative_slope) and prelu(x, weight): x > 0 ? x : x * slope.
EMBER_BINARY(LeakyRelu, T, a > T(0) ? a : a * b)
// celu(x, alpha) = x > 0 ? x : alpha (exp(x / alpha) - 1), as libtorch's elu with
// input_scale 1 / alpha.
EMBER_BINARY(Celu, T, a > T(0) ? a : math::expm1(a * (T(1) / b)) * b)
EMBER_BINARY(Hardshrink, T, (a >= -b && a <= b) ? T(0) : a)
// a * 0 in the middle, as libtorch (NaN stays NaN, -0 for negative x).
EMBER_BINARY(Softshrink, T, a > b ? a - b : (a < -b ? a + b : a * T(0)))

#undef EMBER_UNARY
#undef EMBER_BINARY

struct Pow {
  static constexpr int arity = 2;
  template <class T>
  EMBER_HD T operator()(T a, T b) const {
    if constexpr (is_integral<T>::value) {
      if (b < 0) return a == 1 ? T(1) : (a == -1 ? ((b & 1) ? T(-1) : T(1)) : T(0));
      T r = 1;
      while (b) {
        if (b & 1) r = wrapping_mul(r, a);
        a = wrapping_mul(a, a);
        b >>= 1;
      }
      return r;
    } else {
      // Exact shortcuts (pow(a, 1) is a, pow(a, 2) is a * a correctly rounded): x.pow(2)'s
      // backward raises to 1.
      if (b == T(2)) return a * a;
      if (b == T(1)) return a;
      return math::pow(a, b);
    }
  }
};

// C's truncated remainder: the result has the sign of a. An integer divisor of 0 gives 0
// here (the eager CPU ops refuse it first, as libtorch's ZeroDivisionError); -1 is
// special-cased because INT_MIN % -1 traps.
struct Fmod {
  static constexpr int arity = 2;
  template <class T>
  EMBER_HD T operator()(T a, T b) const {
    if constexpr (is_integral<T>::value) {
      return (b == T(0) || b == T(-1)) ? T(0) : T(a % b);
    } else {
      return math::fmod(a, b);
    }
  }
};

// Python's floored remainder: the result has the sign of b (libtorch's formula).
struct Remainder {
  static constexpr int arity = 2;
  template <class T>
  EMBER_HD T operator()(T a, T b) const {
    T r = Fmod{}(a, b);
    return (r != T(0) && ((r < T(0)) != (b < T(0)))) ? T(r + b) : r;
  }
};

// NaN-propagating like libtorch; if lo > hi every element becomes hi.
struct Clamp {
  static constexpr int arity = 3;
  template <class T>
  EMBER_HD T operator()(T x, T lo, T hi) const {
    T t = x < lo ? lo : x;
    return t > hi ? hi : t;
  }
};

// libtorch's softplus(x, beta, threshold): x where beta * x > threshold (linear), else
// log1p(exp(beta * x)) / beta, in the same form as libtorch's kernel.
struct Softplus {
  static constexpr int arity = 3;
  template <class T>
  EMBER_HD T operator()(T x, T beta, T threshold) const {
    T bx = x * beta;
    return bx > threshold ? x : math::log1p(math::exp(bx)) / beta;
  }
};

// libtorch's elu(x, alpha, scale) with input_scale 1: x > 0 ? x * poscoef : expm1(x) * negcoef,
// negcoef = alpha * scale, poscoef = scale (ELU: scale 1; SELU: its two constants).
struct Elu {
  static constexpr int arity = 3;
  template <class T>
  EMBER_HD T operator()(T x, T negcoef, T poscoef) const {
    return x > T(0) ? x * poscoef : math::expm1(x) * negcoef;
  }
};

// hardtanh(x, min_val, max_val): the values of clamp (NaN stays NaN); the gradient differs
// (0 on the boundary, none to the limits in libtorch).
struct Hardtanh {
  static constexpr int arity = 3;
  template <class T>
  EMBER_HD T operator()(T x, T lo, T hi) const { return Clamp{}(x, lo, hi); }
};

// threshold(x, threshold, value): x > threshold ? x : value.
struct Threshold {
  static constexpr int arity = 3;
  template <class T>
  EMBER_HD T operator()(T x, T threshold, T value) const { return x <= threshold ? value : x; }
};

// lerp(start, end, weight) in libtorch's two forms, exact at weight 0 and weight 1.
struct Lerp {
  static constexpr int arity = 3;
  template <class T>
  EMBER_HD T operator()(T a, T b, T w) const {
    return (w < T(0.5) && w > T(-0.5)) ? a + w * (b - a) : b - (b - a) * (T(1) - w);
  }
};

struct Where {
  static constexpr int arity = 3;
  template <class T>
  EMBER_HD T operator()(T cond, T a, T b) const { return cond != T(0) ? a : b; }
};

struct MaskedFill {
  static constexpr int arity = 3;
  template <class T>
  EMBER_HD T operator()(T x, T mask, T value) const { return mask != T(0) ? value : x; }
};

}  // namespace dev
}  // namespace ember
