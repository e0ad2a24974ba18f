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

using half_bits::bits_float;
using half_bits::float_bits;

}  // namespace dev
}  // namespace ember
