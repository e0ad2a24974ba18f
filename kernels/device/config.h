#pragma once
// Shared by g++, nvcc and NVRTC: this folder includes nothing outside itself but the public
// ember/half.h, and nothing from the standard library when compiled by NVRTC (the files
// are embedded as strings).

#include "ember/half.h"

#define EMBER_HD EMBER_HOST_DEVICE

#if !defined(__CUDACC_RTC__)
#include <math.h>
#include <string.h>
#endif

namespace ember {
namespace dev {

typedef long long i64;
typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned short u16;

template <class T> struct is_integral { static constexpr bool value = false; };
template <> struct is_integral<bool> { static constexpr bool value = true; };
template <> struct is_integral<signed char> { static constexpr bool value = true; };
template <> struct is_integral<unsigned char> { static constexpr bool value = true; };
template <> struct is_integral<short> { static constexpr bool value = true; };
template <> struct is_integral<int> { static constexpr bool value = true; };
template <> struct is_integral<long long> { static constexpr bool value = true; };
template <> struct is_integral<long> { static constexpr bool value = true; };

// Integer +, -, * and negation wrap (two's complement), as libtorch's results do: int32 and
// int64 are computed in the unsigned type of their width, where wrapping is defined (narrower
// integers are promoted to int and never overflow). Everything else is the plain operator.
template <int Bytes> struct unsigned_of { typedef unsigned int type; };
template <> struct unsigned_of<8> { typedef unsigned long long type; };
template <class T> struct wraps {
  static constexpr bool value = is_integral<T>::value && sizeof(T) >= 4;
};
template <class T> EMBER_HD T wrapping_add(T a, T b) {
  typedef typename unsigned_of<sizeof(T)>::type U;
  if constexpr (wraps<T>::value) return (T)((U)a + (U)b);
  else return a + b;
}
template <class T> EMBER_HD T wrapping_sub(T a, T b) {
  typedef typename unsigned_of<sizeof(T)>::type U;
  if constexpr (wraps<T>::value) return (T)((U)a - (U)b);
  else return a - b;
}
template <class T> EMBER_HD T wrapping_mul(T a, T b) {
  typedef typename unsigned_of<sizeof(T)>::type U;
  if constexpr (wraps<T>::value) return (T)((U)a * (U)b);
  else return a * b;
}
template <class T> EMBER_HD T wrapping_neg(T a) {
  typedef typename unsigned_of<sizeof(T)>::type U;
  if constexpr (wraps<T>::value) return (T)(U(0) - (U)a);
  else return -a;
}

using half_bits::bits_float;
using half_bits::float_bits;

}  // namespace dev
}  // namespace ember
