#pragma once
// Per-element values of random fills and ramps, shared by the CPU loops and CUDA kernels.
#include "cast.h"
#include "philox.h"

namespace ember {
namespace dev {

template <class S> struct UniformBits { static constexpr int value = 24; };
template <> struct UniformBits<Half> { static constexpr int value = 11; };
template <> struct UniformBits<BFloat16> { static constexpr int value = 8; };

// kind: 0 uniform [a, b), 1 normal (mean a, std b), 2 integers in [a, b).
template <class S>
EMBER_HD S random_value(int kind, double a, double b, u64 seed, u64 counter) {
  Philox p = philox4x32(counter, seed);
  if (kind == 2) return convert<S>(philox_randint(p, (long long)a, (long long)b));
  if (kind == 1) return convert<S>(a + b * philox_normal(p));
  if constexpr (sizeof(S) == 8) {
    return convert<S>(a + philox_uniform(p) * (b - a));
  } else {
    // Only as many random bits as S has significand bits, so that a draw is exact in S and
    // [0, 1) never rounds up to 1 in float16/bfloat16 (libtorch's uniform_real does the same).
    float lo = (float)a, hi = (float)b;
    float u = (float)(p.v[0] >> (32 - UniformBits<S>::value)) * (1.0f / (float)(1u << UniformBits<S>::value));
    return convert<S>(lo + u * (hi - lo));
  }
}

// linspace/arange: the second half counts back from `end` (libtorch's symmetric ramp).
EMBER_HD double ramp_value(double start, double step, double end, bool symmetric, long long i,
                           long long n) {
  if (!symmetric || i < n / 2) return start + step * (double)i;
  return end - step * (double)(n - 1 - i);
}

}  // namespace dev
}  // namespace ember
