#pragma once
// Switches on a runtime dtype and runs the lambda with `scalar_t` bound to its C++ type.
#include <cstdint>

#include "ember/half.h"
#include "ember/dtype.h"
#include "ember/error.h"

#define EMBER_DTYPE_CASE(E, T, ...) \
  case E: {                         \
    using scalar_t = T;             \
    return __VA_ARGS__();           \
  }

#define EMBER_DISPATCH_ALL_TYPES(DT, NAME, ...)                                       \
  [&] {                                                                               \
    switch (DT) {                                                                     \
      EMBER_DTYPE_CASE(::ember::kBool, bool, __VA_ARGS__)                             \
      EMBER_DTYPE_CASE(::ember::kUInt8, uint8_t, __VA_ARGS__)                         \
      EMBER_DTYPE_CASE(::ember::kInt8, int8_t, __VA_ARGS__)                           \
      EMBER_DTYPE_CASE(::ember::kInt16, int16_t, __VA_ARGS__)                         \
      EMBER_DTYPE_CASE(::ember::kInt32, int32_t, __VA_ARGS__)                         \
      EMBER_DTYPE_CASE(::ember::kInt64, int64_t, __VA_ARGS__)                         \
      EMBER_DTYPE_CASE(::ember::kFloat16, ::ember::Half, __VA_ARGS__)                 \
      EMBER_DTYPE_CASE(::ember::kBFloat16, ::ember::BFloat16, __VA_ARGS__)            \
      EMBER_DTYPE_CASE(::ember::kFloat32, float, __VA_ARGS__)                         \
      EMBER_DTYPE_CASE(::ember::kFloat64, double, __VA_ARGS__)                        \
      default:                                                                        \
        EMBER_FAIL(NAME, ": unsupported dtype ", ::ember::dtype_name(DT));            \
    }                                                                                 \
  }()
