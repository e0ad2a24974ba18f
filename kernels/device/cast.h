#pragma once
// Value conversion between storage and compute types, with libtorch's meaning: anything
// to bool is "!= 0", float16/bfloat16 go through float.
#include "config.h"

namespace ember {
namespace dev {

// Floating to integer. C++ leaves NaN and out-of-range values undefined; ember defines them
// as x86's truncating conversions (and so libtorch on x86) give them: through int64 for int64
// and through int32 otherwise, the "integer indefinite" minimum where the value does not fit,
// then wrapped to the target's width. The same on every device.
template <class To, class From>
EMBER_HD To float_to_integer(From v) {
  if (sizeof(To) == 8) {
    bool fits = v >= From(-9223372036854775808.0) && v < From(9223372036854775808.0);
    return (To)(fits ? (long long)v : (-9223372036854775807LL - 1));
  }
  bool fits = v > From(-2147483649.0) && v < From(2147483648.0);
  return (To)(fits ? (int)v : (-2147483647 - 1));
}

template <class To>
struct Convert {
  template <class From>
  static EMBER_HD To from(From v) { return (To)v; }
  static EMBER_HD To from(float v) { return is_integral<To>::value ? float_to_integer<To>(v) : (To)v; }
  static EMBER_HD To from(double v) { return is_integral<To>::value ? float_to_integer<To>(v) : (To)v; }
  static EMBER_HD To from(Half v) { return from((float)v); }
  static EMBER_HD To from(BFloat16 v) { return from((float)v); }
  static EMBER_HD To from(bool v) { return (To)(v ? 1 : 0); }
};

template <>
struct Convert<bool> {
  template <class From>
  static EMBER_HD bool from(From v) { return v != From(0); }
  static EMBER_HD bool from(Half v) { return (float)v != 0.0f; }
  static EMBER_HD bool from(BFloat16 v) { return (float)v != 0.0f; }
  static EMBER_HD bool from(bool v) { return v; }
};

template <>
struct Convert<Half> {
  template <class From>
  static EMBER_HD Half from(From v) { return Half((float)v); }
  static EMBER_HD Half from(double v) { return Half((float)v); }
  static EMBER_HD Half from(Half v) { return v; }
  static EMBER_HD Half from(BFloat16 v) { return Half((float)v); }
  static EMBER_HD Half from(bool v) { return Half(v ? 1.0f : 0.0f); }
};

template <>
struct Convert<BFloat16> {
  template <class From>
  static EMBER_HD BFloat16 from(From v) { return BFloat16((float)v); }
  static EMBER_HD BFloat16 from(double v) { return BFloat16((float)v); }
  static EMBER_HD BFloat16 from(BFloat16 v) { return v; }
  static EMBER_HD BFloat16 from(Half v) { return BFloat16((float)v); }
  static EMBER_HD BFloat16 from(bool v) { return BFloat16(v ? 1.0f : 0.0f); }
};

template <class To, class From>
EMBER_HD To convert(From v) { return Convert<To>::from(v); }

// The type arithmetic happens in for a storage type.
template <class S> struct OpMath { typedef S type; };
template <> struct OpMath<Half> { typedef float type; };
template <> struct OpMath<BFloat16> { typedef float type; };

}  // namespace dev
}  // namespace ember
