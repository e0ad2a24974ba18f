#pragma once
// float16 and bfloat16 storage types (ember::Half, ember::BFloat16). Arithmetic happens in
// float (like libtorch's opmath); the conversions are done in integer code so host and
// device round identically. This header includes nothing: nvcc, g++ and NVRTC (it is
// embedded for generated kernels as "ember/half.h") compile the same text.

#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define EMBER_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define EMBER_HOST_DEVICE inline
#endif

namespace ember {
namespace half_bits {

typedef unsigned int u32;
typedef unsigned short u16;

EMBER_HOST_DEVICE u32 float_bits(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  u32 u;
  __builtin_memcpy(&u, &f, 4);
  return u;
#endif
}

EMBER_HOST_DEVICE float bits_float(u32 u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float f;
  __builtin_memcpy(&f, &u, 4);
  return f;
#endif
}

EMBER_HOST_DEVICE u16 float_to_half_bits(float f) {
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

EMBER_HOST_DEVICE float half_bits_to_float(u16 h) {
  u32 sign = (u32)(h & 0x8000u) << 16;
  u32 e = (h >> 10) & 0x1Fu, m = h & 0x3FFu;
  if (e == 0x1Fu) return bits_float(sign | 0x7F800000u | (m << 13));
  if (e == 0) {
    float v = (float)m * 5.9604644775390625e-8f;  // m * 2^-24, exact
    return sign ? -v : v;
  }
  return bits_float(sign | ((e + 112u) << 23) | (m << 13));
}

EMBER_HOST_DEVICE u16 float_to_bf16_bits(float f) {
  u32 x = float_bits(f);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return (u16)((x >> 16) | 0x40u);  // quiet NaN
  x += 0x7FFFu + ((x >> 16) & 1u);
  return (u16)(x >> 16);
}

EMBER_HOST_DEVICE float bf16_bits_to_float(u16 b) { return bits_float((u32)b << 16); }

}  // namespace half_bits

struct Half {
  half_bits::u16 x;
  Half() = default;
  EMBER_HOST_DEVICE Half(float f) : x(half_bits::float_to_half_bits(f)) {}
  EMBER_HOST_DEVICE Half(double d) : x(half_bits::float_to_half_bits((float)d)) {}
  EMBER_HOST_DEVICE Half(int i) : x(half_bits::float_to_half_bits((float)i)) {}
  EMBER_HOST_DEVICE Half(long long i) : x(half_bits::float_to_half_bits((float)i)) {}
  EMBER_HOST_DEVICE Half(long i) : x(half_bits::float_to_half_bits((float)i)) {}
  EMBER_HOST_DEVICE operator float() const { return half_bits::half_bits_to_float(x); }
  static EMBER_HOST_DEVICE Half from_bits(half_bits::u16 b) { Half h; h.x = b; return h; }
};

struct BFloat16 {
  half_bits::u16 x;
  BFloat16() = default;
  EMBER_HOST_DEVICE BFloat16(float f) : x(half_bits::float_to_bf16_bits(f)) {}
  EMBER_HOST_DEVICE BFloat16(double d) : x(half_bits::float_to_bf16_bits((float)d)) {}
  EMBER_HOST_DEVICE BFloat16(int i) : x(half_bits::float_to_bf16_bits((float)i)) {}
  EMBER_HOST_DEVICE BFloat16(long long i) : x(half_bits::float_to_bf16_bits((float)i)) {}
  EMBER_HOST_DEVICE BFloat16(long i) : x(half_bits::float_to_bf16_bits((float)i)) {}
  EMBER_HOST_DEVICE operator float() const { return half_bits::bf16_bits_to_float(x); }
  static EMBER_HOST_DEVICE BFloat16 from_bits(half_bits::u16 b) { BFloat16 h; h.x = b; return h; }
};

}  // namespace ember
