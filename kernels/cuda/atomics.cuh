#pragma once
// atomic_add for every storage dtype, with the CPU's arithmetic for one addition:
// dst = convert<S>(convert<T>(dst) + convert<T>(v)), T = OpMath<S> (float for half types),
// and `dst || v` for bool. float/double/int32/int64 use the hardware atomics; 8- and 16-bit
// types use a compare-and-swap loop on the aligned 32-bit word that contains them.
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/device/cast.h"

namespace ember::cuda {

template <class S>
__device__ __forceinline__ void atomic_add_narrow(S* dst, S v) {
  static_assert(sizeof(S) == 1 || sizeof(S) == 2, "narrow atomics are for 8/16-bit types");
  using T = typename dev::OpMath<S>::type;
  const uintptr_t addr = reinterpret_cast<uintptr_t>(dst);
  unsigned int* word = reinterpret_cast<unsigned int*>(addr & ~uintptr_t{3});
  const unsigned int shift = static_cast<unsigned int>(addr & 3u) * 8u;
  const unsigned int mask = (sizeof(S) == 1 ? 0xFFu : 0xFFFFu) << shift;
  unsigned int old = *word, assumed;
  do {
    assumed = old;
    unsigned int bits = (assumed & mask) >> shift;
    S cur;
    if constexpr (sizeof(S) == 1) {
      uint8_t b = static_cast<uint8_t>(bits);
      memcpy(&cur, &b, 1);
    } else {
      uint16_t b = static_cast<uint16_t>(bits);
      memcpy(&cur, &b, 2);
    }
    S next = dev::convert<S>(dev::convert<T>(cur) + dev::convert<T>(v));
    unsigned int next_bits;
    if constexpr (sizeof(S) == 1) {
      uint8_t b;
      memcpy(&b, &next, 1);
      next_bits = b;
    } else {
      uint16_t b;
      memcpy(&b, &next, 2);
      next_bits = b;
    }
    old = atomicCAS(word, assumed, (assumed & ~mask) | (next_bits << shift));
  } while (old != assumed);
}

template <class S>
__device__ __forceinline__ void atomic_add(S* dst, S v) {
  if constexpr (std::is_same_v<S, bool>) {
    if (v) *dst = true;  // dst || v: only ever sets, so plain stores cannot lose updates
  } else if constexpr (std::is_same_v<S, float> || std::is_same_v<S, double> ||
                       std::is_same_v<S, int32_t>) {
    atomicAdd(dst, v);
  } else if constexpr (std::is_same_v<S, int64_t>) {
    // Two's complement: unsigned wrap-around addition is signed addition.
    atomicAdd(reinterpret_cast<unsigned long long*>(dst), static_cast<unsigned long long>(v));
  } else {
    atomic_add_narrow(dst, v);
  }
}

}  // namespace ember::cuda
