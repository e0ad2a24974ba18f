#pragma once
// Counter-based random numbers (Philox4x32-10). Element i of a draw depends only on
// (seed, offset + i), and the transforms to uniform/normal use only IEEE +,-,*,/ and sqrt,
// so CPU and CUDA produce bit-identical values for the same seed.
#include "math.h"

namespace ember {
namespace dev {

struct Philox {
  u32 v[4];
};

EMBER_HD Philox philox4x32(u64 counter, u64 seed) {
  u32 c0 = (u32)counter, c1 = (u32)(counter >> 32), c2 = 0, c3 = 0;
  u32 k0 = (u32)seed, k1 = (u32)(seed >> 32);
  for (int r = 0; r < 10; ++r) {
    u64 p0 = (u64)0xD2511F53u * c0;
    u64 p1 = (u64)0xCD9E8D57u * c2;
    u32 hi0 = (u32)(p0 >> 32), lo0 = (u32)p0;
    u32 hi1 = (u32)(p1 >> 32), lo1 = (u32)p1;
    u32 n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  Philox out;
  out.v[0] = c0; out.v[1] = c1; out.v[2] = c2; out.v[3] = c3;
  return out;
}

// [0, 1) with 53 random bits.
EMBER_HD double uniform53(u32 a, u32 b) {
  return ((double)(a >> 5) * 67108864.0 + (double)(b >> 6)) * (1.0 / 9007199254740992.0);
}

// log(x) for x > 0, finite: x = m * 2^e with m in [sqrt(1/2), sqrt(2)), atanh series.
EMBER_HD double portable_log(double x) {
  int e = 0;
  while (x >= 1.4142135623730951) { x *= 0.5; ++e; }
  while (x < 0.7071067811865476) { x *= 2.0; --e; }
  double s = (x - 1.0) / (x + 1.0), s2 = s * s, term = 0.0;
  for (int k = 12; k >= 1; --k) term = term * s2 + 1.0 / (double)(2 * k + 1);
  return 2.0 * s * (1.0 + s2 * term) + (double)e * 0.6931471805599453;
}

// sin and cos of a in [0, pi/4] by Taylor series.
EMBER_HD double taylor_sin(double a) {
  double a2 = a * a, t = 0.0;
  for (int k = 9; k >= 1; --k) t = (1.0 - t * a2 / (double)((2 * k) * (2 * k + 1)));
  return a * t;
}
EMBER_HD double taylor_cos(double a) {
  double a2 = a * a, t = 0.0;
  for (int k = 9; k >= 1; --k) t = (1.0 - t * a2 / (double)((2 * k - 1) * (2 * k)));
  return t;
}

// cos(2 * pi * u) for u in [0, 1).
EMBER_HD double cos_2pi(double u) {
  double t = u * 4.0;
  int q = (int)t;
  double f = t - (double)q;  // exact
  const double half_pi = 1.5707963267948966;
  double c;  // cos(f * pi/2), reduced to [0, pi/4]
  if (f <= 0.5) c = taylor_cos(f * half_pi);
  else c = taylor_sin((1.0 - f) * half_pi);
  double s;  // sin(f * pi/2)
  if (f <= 0.5) s = taylor_sin(f * half_pi);
  else s = taylor_cos((1.0 - f) * half_pi);
  switch (q & 3) {
    case 0: return c;
    case 1: return -s;
    case 2: return -c;
    default: return s;
  }
}

// Standard normal by Box-Muller from one Philox block.
EMBER_HD double philox_normal(const Philox& p) {
  double u1 = 1.0 - uniform53(p.v[0], p.v[1]);  // (0, 1]
  double u2 = uniform53(p.v[2], p.v[3]);
  return math::sqrt(-2.0 * portable_log(u1)) * cos_2pi(u2);
}

EMBER_HD double philox_uniform(const Philox& p) { return uniform53(p.v[0], p.v[1]); }
// [0, 1) with 24 random bits: never rounds up to 1 in float.
EMBER_HD float philox_uniform_float(const Philox& p) {
  return (float)(p.v[0] >> 8) * (1.0f / 16777216.0f);
}

EMBER_HD long long philox_randint(const Philox& p, long long low, long long high) {
  u64 range = (u64)(high - low);
  u64 r = ((u64)p.v[0] << 32) | p.v[1];
  return low + (long long)(r % range);
}

}  // namespace dev
}  // namespace ember
