#pragma once
// float16 and bfloat16 storage types. Arithmetic happens in float (like libtorch's opmath);
// the conversions are done in integer code so host and device round identically.
#include "config.h"

namespace ember {
namespace dev {

EMBER_HD u16 float_to_half_bits(float f) {
  u32 x = float_bits(f);
  u32 sign = (x >> 16) & 0x8000u;
  u32 a = x & 0x7FFFFFFFu;
  if (a >= 0x7F800000u) return (u16)(sign | (a > 0x7F800000u ? 0x7E00u : 0x7C00u));
  if (a >= 0x477FF000u) return (u16)(sign | 0x7C00u);  // rounds past 65504: infinity
  if (a < 0x38800000u) {                                // half subnormal or zero
    if (a < 0x33000000u) return (u16)sign;
    u32 e = a >> 23;
    u32 m = (a & 0x7FFFFFu) | 0x800000u;
    u32 s = 126u - e;
    u32 q = m >> s, rem = m & ((1u << s) - 1u), halfway = 1u << (s - 1u);
    if (rem > halfway || (rem == halfway && (q & 1u))) ++q;
    return (u16)(sign | q);
  }
  u32 q = (((a >> 23) - 112u) << 10) | ((a & 0x7FFFFFu) >> 13);
  u32 rem = a & 0x1FFFu;
  if (rem > 0x1000u || (rem == 0x1000u && (q & 1u))) ++q;
  return (u16)(sign | q);
}

EMBER_HD float half_bits_to_float(u16 h) {
  u32 sign = (u32)(h & 0x8000u) << 16;
  u32 e = (h >> 10) & 0x1Fu, m = h & 0x3FFu;
  if (e == 0x1Fu) return bits_float(sign | 0x7F800000u | (m << 13));
  if (e == 0) {
    float v = (float)m * 5.9604644775390625e-8f;  // m * 2^-24, exact
    return sign ? -v : v;
  }
  return bits_float(sign | ((e + 112u) << 23) | (m << 13));
}

EMBER_HD u16 float_to_bf16_bits(float f) {
  u32 x = float_bits(f);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return (u16)((x >> 16) | 0x40u);  // quiet NaN
  x += 0x7FFFu + ((x >> 16) & 1u);
  return (u16)(x >> 16);
}

EMBER_HD float bf16_bits_to_float(u16 b) { return bits_float((u32)b << 16); }

}  // namespace dev

struct Half {
  dev::u16 x;
  Half() = default;
  EMBER_HD Half(float f) : x(dev::float_to_half_bits(f)) {}
  EMBER_HD Half(double d) : x(dev::float_to_half_bits((float)d)) {}
  EMBER_HD Half(int i) : x(dev::float_to_half_bits((float)i)) {}
  EMBER_HD Half(long long i) : x(dev::float_to_half_bits((float)i)) {}
  EMBER_HD Half(long i) : x(dev::float_to_half_bits((float)i)) {}
  EMBER_HD operator float() const { return dev::half_bits_to_float(x); }
  static EMBER_HD Half from_bits(dev::u16 b) { Half h; h.x = b; return h; }
};

struct BFloat16 {
  dev::u16 x;
  BFloat16() = default;
  EMBER_HD BFloat16(float f) : x(dev::float_to_bf16_bits(f)) {}
  EMBER_HD BFloat16(double d) : x(dev::float_to_bf16_bits((float)d)) {}
  EMBER_HD BFloat16(int i) : x(dev::float_to_bf16_bits((float)i)) {}
  EMBER_HD BFloat16(long long i) : x(dev::float_to_bf16_bits((float)i)) {}
  EMBER_HD BFloat16(long i) : x(dev::float_to_bf16_bits((float)i)) {}
  EMBER_HD operator float() const { return dev::bf16_bits_to_float(x); }
  static EMBER_HD BFloat16 from_bits(dev::u16 b) { BFloat16 h; h.x = b; return h; }
};

}  // namespace ember
