#pragma once
// One accumulating addition with the CPU's arithmetic, for every storage dtype:
// convert<S>(convert<T>(dst) + convert<T>(v)), T = OpMath<S> (float for half types; the
// integer types wrap as the CPU's do), and `dst || v` for bool.
#include <cstdint>
#include <type_traits>

#include "kernels/device/cast.h"

namespace ember::cuda {

template <class S>
__device__ __forceinline__ S add_like_cpu(S dst, S v) {
  if constexpr (std::is_same_v<S, bool>) {
    return dst || v;
  } else if constexpr (std::is_same_v<S, int64_t>) {
    // Two's complement: unsigned wrap-around addition is signed addition.
    return static_cast<int64_t>(static_cast<uint64_t>(dst) + static_cast<uint64_t>(v));
  } else {
    using T = typename dev::OpMath<S>::type;
    return dev::convert<S>(dev::convert<T>(dst) + dev::convert<T>(v));
  }
}

}  // namespace ember::cuda
