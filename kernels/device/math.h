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
#undef EMBER_MATH_UNARY

EMBER_HD float pow(float a, float b) { return ::powf(a, b); }
EMBER_HD double pow(double a, double b) { return ::pow(a, b); }
EMBER_HD float fmod(float a, float b) { return ::fmodf(a, b); }
EMBER_HD double fmod(double a, double b) { return ::fmod(a, b); }

}  // namespace math
}  // namespace dev
}  // namespace ember
