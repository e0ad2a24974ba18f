#pragma once
// The pointwise rows of ember's op table (kernels/op_list.h includes this file and adds the
// structured ops). They are public because the Tensor methods and free functions of the
// regular pointwise ops are generated from them (ember/tensor.h, ember/functional.h); the
// columns other than Name and the API name mean nothing to a user of the library.
//
// X(Name, arity, dtype rule, numerics, domain, API form, API name)
//
// Rules: Promote (common dtype), NoBool (common, bool refused), Float (common, integers become
// the default float), Compare (common, result bool), Logical (bool), First (dtype of input 0),
// Where (inputs 1-2 promoted), Cast (attr dtype).
//
// Numerics (also the tests' tolerance class): Exact (integer arithmetic or correctly rounded
// IEEE operations: the same bits on every backend) or Libm (calls a math library: exp, tanh,
// pow... may differ in the last ulp between libm, SLEEF and CUDA's libdevice; the CPU
// vectorises the unary ones with SLEEF).
//
// Domain, the inputs on which the op is real, finite and smooth enough for the tests to
// compare and differentiate it (tests/test_util.h domain_range):
//   Any          every real input.
//   Positive     input 0 > 0 (log, sqrt, rsqrt).
//   NonZero      the last input != 0 (a divisor).
//   Power        input 0 > 0 and input 1 a small exponent (>= 0 on integers, whose powers
//                wrap and may not be negative).
//   NonNegative  input 0 >= 0 (Cast: negative floats to unsigned are undefined in C++).
//   Unit         input 0 in (-1, 1) (asin, acos; tan away from its poles).
//
// API form, what ember/tensor.h and ember/functional.h generate for the API name `name`:
//   Unary   Tensor::name() const, Tensor::name_() const (in place), ember::name(x)
//   Binary  Tensor::name(const Tensor&) const, ember::name(a, b)
//   Free    ember::name(x) only
//   Query   Tensor::name() const and ember::name(x), no in-place form (isnan: bool result)
//   None    nothing: the op's wrappers are written by hand (scalar overloads, alpha,
//           attributes, operators), and the API name is `_`.
#define EMBER_POINTWISE_OPS(X)                                      \
  X(Cast, 1, Cast, Exact, NonNegative, None, _)                     \
  X(Neg, 1, NoBool, Exact, Any, Unary, neg)                         \
  X(Abs, 1, NoBool, Exact, Any, Unary, abs)                         \
  X(Sign, 1, NoBool, Exact, Any, Unary, sign)                       \
  X(Exp, 1, Float, Libm, Any, Unary, exp)                           \
  X(Log, 1, Float, Libm, Positive, Unary, log)                      \
  X(Sqrt, 1, Float, Exact, Positive, Unary, sqrt)                   \
  X(Rsqrt, 1, Float, Exact, Positive, Unary, rsqrt)                 \
  X(Reciprocal, 1, Float, Exact, NonZero, Unary, reciprocal)        \
  X(Relu, 1, NoBool, Exact, Any, Unary, relu)                       \
  X(Sigmoid, 1, Float, Libm, Any, Unary, sigmoid)                   \
  X(Tanh, 1, Float, Libm, Any, Unary, tanh)                         \
  X(Sin, 1, Float, Libm, Any, Unary, sin)                           \
  X(Cos, 1, Float, Libm, Any, Unary, cos)                           \
  X(Erf, 1, Float, Libm, Any, Unary, erf)                           \
  X(Gelu, 1, Float, Libm, Any, Free, gelu)                          \
  X(LogicalNot, 1, Logical, Exact, Any, Unary, logical_not)         \
  X(Log1p, 1, Float, Libm, Positive, Unary, log1p)                  \
  X(Expm1, 1, Float, Libm, Any, Unary, expm1)                       \
  X(Log2, 1, Float, Libm, Positive, Unary, log2)                    \
  X(Log10, 1, Float, Libm, Positive, Unary, log10)                  \
  X(Exp2, 1, Float, Libm, Any, Unary, exp2)                         \
  X(Tan, 1, Float, Libm, Unit, Unary, tan)                          \
  X(Asin, 1, Float, Libm, Unit, Unary, asin)                        \
  X(Acos, 1, Float, Libm, Unit, Unary, acos)                        \
  X(Atan, 1, Float, Libm, Any, Unary, atan)                         \
  X(Sinh, 1, Float, Libm, Any, Unary, sinh)                         \
  X(Cosh, 1, Float, Libm, Any, Unary, cosh)                         \
  X(Floor, 1, NoBool, Exact, Any, Unary, floor)                     \
  X(Ceil, 1, NoBool, Exact, Any, Unary, ceil)                       \
  X(Round, 1, NoBool, Exact, Any, Unary, round)                     \
  X(Trunc, 1, NoBool, Exact, Any, Unary, trunc)                     \
  X(Frac, 1, NoBool, Exact, Any, Unary, frac)                       \
  X(Isnan, 1, Compare, Exact, Any, Query, isnan)                    \
  X(Isinf, 1, Compare, Exact, Any, Query, isinf)                    \
  X(Isfinite, 1, Compare, Exact, Any, Query, isfinite)              \
  X(Silu, 1, Float, Libm, Any, Unary, silu)                         \
  X(Mish, 1, Float, Libm, Any, Unary, mish)                         \
  X(LogSigmoid, 1, Float, Libm, Any, Free, log_sigmoid)             \
  X(Tanhshrink, 1, Float, Libm, Any, Free, tanhshrink)              \
  X(Hardsigmoid, 1, Float, Exact, Any, Unary, hardsigmoid)          \
  X(Hardswish, 1, Float, Exact, Any, Unary, hardswish)              \
  X(Softsign, 1, Float, Exact, Any, Free, softsign)                 \
  X(Add, 2, Promote, Exact, Any, None, _)                           \
  X(Sub, 2, NoBool, Exact, Any, None, _)                            \
  X(Mul, 2, Promote, Exact, Any, None, _)                           \
  X(Div, 2, Float, Exact, NonZero, None, _)                         \
  X(Pow, 2, NoBool, Libm, Power, None, _)                           \
  X(Remainder, 2, NoBool, Exact, NonZero, None, _)                  \
  X(Fmod, 2, NoBool, Exact, NonZero, None, _)                       \
  X(Maximum, 2, Promote, Exact, Any, Binary, maximum)               \
  X(Minimum, 2, Promote, Exact, Any, Binary, minimum)               \
  X(ClampMin, 2, NoBool, Exact, Any, None, _)                       \
  X(ClampMax, 2, NoBool, Exact, Any, None, _)                       \
  X(Lt, 2, Compare, Exact, Any, None, _)                            \
  X(Le, 2, Compare, Exact, Any, None, _)                            \
  X(Gt, 2, Compare, Exact, Any, None, _)                            \
  X(Ge, 2, Compare, Exact, Any, None, _)                            \
  X(Eq, 2, Compare, Exact, Any, None, _)                            \
  X(Ne, 2, Compare, Exact, Any, None, _)                            \
  X(LogicalAnd, 2, Logical, Exact, Any, Binary, logical_and)        \
  X(LogicalOr, 2, Logical, Exact, Any, Binary, logical_or)          \
  X(LogicalXor, 2, Logical, Exact, Any, Binary, logical_xor)        \
  X(GeluBackward, 2, Float, Libm, Any, None, _)                     \
  X(Atan2, 2, Float, Libm, Any, Binary, atan2)                      \
  X(LeakyRelu, 2, Float, Exact, Any, None, _)                       \
  X(Celu, 2, Float, Libm, NonZero, None, _)                         \
  X(Hardshrink, 2, Float, Exact, Any, None, _)                      \
  X(Softshrink, 2, Float, Exact, Any, None, _)                      \
  X(Clamp, 3, NoBool, Exact, Any, None, _)                          \
  X(Softplus, 3, Float, Libm, Any, None, _)                         \
  X(Elu, 3, Float, Libm, Any, None, _)                              \
  X(Hardtanh, 3, NoBool, Exact, Any, None, _)                       \
  X(Threshold, 3, NoBool, Exact, Any, None, _)                      \
  X(Lerp, 3, Float, Exact, Any, None, _)                            \
  X(Where, 3, Where, Exact, Any, None, _)                           \
  X(MaskedFill, 3, First, Exact, Any, None, _)

// The generated wrappers. EMBER_POINTWISE_METHOD declares Tensor methods (used inside class
// Tensor), EMBER_POINTWISE_FREE declares the free functions (inside namespace ember).
#define EMBER_POINTWISE_METHOD_Unary(name) \
  Tensor name() const;                     \
  const Tensor& name##_() const;
#define EMBER_POINTWISE_METHOD_Binary(name) Tensor name(const Tensor& other) const;
#define EMBER_POINTWISE_METHOD_Free(name)
#define EMBER_POINTWISE_METHOD_Query(name) Tensor name() const;
#define EMBER_POINTWISE_METHOD_None(name)
#define EMBER_POINTWISE_METHOD(N, ARITY, RULE, NUM, DOMAIN, API, name) \
  EMBER_POINTWISE_METHOD_##API(name)

#define EMBER_POINTWISE_FREE_Unary(name) Tensor name(const Tensor& x);
#define EMBER_POINTWISE_FREE_Binary(name) Tensor name(const Tensor& a, const Tensor& b);
#define EMBER_POINTWISE_FREE_Free(name) Tensor name(const Tensor& x);
#define EMBER_POINTWISE_FREE_Query(name) Tensor name(const Tensor& x);
#define EMBER_POINTWISE_FREE_None(name)
#define EMBER_POINTWISE_FREE(N, ARITY, RULE, NUM, DOMAIN, API, name) EMBER_POINTWISE_FREE_##API(name)
