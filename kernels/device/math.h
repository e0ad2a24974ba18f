#pragma once
// One spelling of each math function for float and double, resolving to the CUDA math
// library on the device and to libm on the host. No fast-math variants: eager kernels and
// NVRTC-generated kernels must round identically.
#include "config.h"

namespace ember {
namespace dev {
namespace math {

#define EMBER_MATH_UNARY(name, fname, dname)                 \
  EMBER_HD float name(float x) { return ::fname(x); }        \
  EMBER_HD double name(double x) { return ::dname(x); }

EMBER_MATH_UNARY(exp, expf, exp)
EMBER_MATH_UNARY(log, logf, log)
EMBER_MATH_UNARY(log1p, log1pf, log1p)
EMBER_MATH_UNARY(sqrt, sqrtf, sqrt)
EMBER_MATH_UNARY(tanh, tanhf, tanh)
EMBER_MATH_UNARY(sin, sinf, sin)
EMBER_MATH_UNARY(cos, cosf, cos)
EMBER_MATH_UNARY(erf, erff, erf)
EMBER_MATH_UNARY(fabs, fabsf, fabs)
EMBER_MATH_UNARY(expm1, expm1f, expm1)
EMBER_MATH_UNARY(log2, log2f, log2)
EMBER_MATH_UNARY(log10, log10f, log10)
EMBER_MATH_UNARY(exp2, exp2f, exp2)
EMBER_MATH_UNARY(tan, tanf, tan)
EMBER_MATH_UNARY(asin, asinf, asin)
EMBER_MATH_UNARY(acos, acosf, acos)
EMBER_MATH_UNARY(atan, atanf, atan)
EMBER_MATH_UNARY(sinh, sinhf, sinh)
EMBER_MATH_UNARY(cosh, coshf, cosh)
// Correctly rounded everywhere (no library differences): rint rounds half to even.
EMBER_MATH_UNARY(floor, floorf, floor)
EMBER_MATH_UNARY(ceil, ceilf, ceil)
EMBER_MATH_UNARY(trunc, truncf, trunc)
EMBER_MATH_UNARY(rint, rintf, rint)
#undef EMBER_MATH_UNARY

EMBER_HD float pow(float a, float b) { return ::powf(a, b); }
EMBER_HD double pow(double a, double b) { return ::pow(a, b); }
EMBER_HD float fmod(float a, float b) { return ::fmodf(a, b); }
EMBER_HD double fmod(double a, double b) { return ::fmod(a, b); }
EMBER_HD float atan2(float a, float b) { return ::atan2f(a, b); }
EMBER_HD double atan2(double a, double b) { return ::atan2(a, b); }
// C's fmin: a NaN operand yields the other one.
EMBER_HD float fmin(float a, float b) { return ::fminf(a, b); }
EMBER_HD double fmin(double a, double b) { return ::fmin(a, b); }

}  // namespace math
}  // namespace dev
}  // namespace ember
