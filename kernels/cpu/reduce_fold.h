#pragma once
// How the CPU folds the reduced elements of one output: shared by the eager reduction
// (reduce_cpu.cpp) and the fused row kernels (compiler/codegen/cpu_row_fused.cpp), so that a
// fused softmax or layer_norm adds in exactly the eager order.
#include <omp.h>

#include <cstdint>
#include <type_traits>

#include "kernels/cpu/parallel.h"
#include "kernels/cpu/sum_run.h"
#include "kernels/device/reduce.h"

namespace ember::cpu {

template <class K, class S>
using FoldAcc = dev::red::AccOf<K, S, dev::red::AccWidth::Wide>;

// Folds a run of `len` elements `stride` apart into acc: a dense run of a floating sum is
// pre-summed by sum_run, anything else element by element.
template <class K>
inline constexpr bool kExtremumFold = std::is_same_v<K, dev::red::Amax> || std::is_same_v<K, dev::red::Amin>;

// The extremum of a dense floating run in eight independent lanes (the serial combine is a
// chain of dependent compares). Returns false, leaving acc alone, when the run holds a NaN
// or its extremum is a zero: there the serial fold decides which NaN or which zero's sign.
// Otherwise the result is the serial fold's, bit for bit.
template <class K, class S, class A>
inline bool fold_extremum_lanes(A& acc, const S* p, int64_t len) {
  constexpr bool max = std::is_same_v<K, dev::red::Amax>;
  S lane[8];
  bool nan = false;
  for (int k = 0; k < 8; ++k) {
    lane[k] = p[k];
    nan |= p[k] != p[k];
  }
  int64_t i = 8;
  for (; i + 8 <= len; i += 8)
    for (int k = 0; k < 8; ++k) {
      S v = p[i + k];
      nan |= v != v;
      lane[k] = (max ? v > lane[k] : v < lane[k]) ? v : lane[k];
    }
  for (; i < len; ++i) {
    nan |= p[i] != p[i];
    lane[0] = (max ? p[i] > lane[0] : p[i] < lane[0]) ? p[i] : lane[0];
  }
  S m = lane[0];
  for (int k = 1; k < 8; ++k) m = (max ? lane[k] > m : lane[k] < m) ? lane[k] : m;
  if (nan || m == S(0)) return false;
  acc = K::combine(acc, dev::convert<A>(m));
  return true;
}

template <class K, class S, class A>
inline void fold_run(A& acc, const S* p, int64_t len, int64_t stride) {
  if constexpr (K::additive && std::is_same_v<A, double>) {
    if (stride == 1) {
      acc = K::combine(acc, sum_run(p, len));
      return;
    }
  }
  if constexpr (kExtremumFold<K> && std::is_floating_point_v<S>) {
    if (stride == 1 && len >= 32 && fold_extremum_lanes<K>(acc, p, len)) return;
  }
  for (int64_t i = 0; i < len; ++i) acc = K::combine(acc, dev::convert<A>(p[i * stride]));
}

// Whether the eager reduction splits each output's elements across threads (few outputs,
// many elements each) instead of giving each output to one thread.
inline bool splits_each_output(int64_t out_numel, int64_t red_numel) {
  return out_numel < omp_get_max_threads() && red_numel >= 4 * kPointwiseGrain;
}

}  // namespace ember::cpu
