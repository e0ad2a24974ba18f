#pragma once
// The sum of a dense run in double, shared by the eager CPU reduction and fused CPU
// reductions. Eight independent partial sums instead of one serial chain: the adds
// pipeline and vectorise, and the order is fixed, so results stay deterministic.
#include <cstdint>

#include "kernels/device/cast.h"

namespace ember::cpu {

template <class S>
double sum_run(const S* p, int64_t n) {
  double s[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) s[k] += dev::convert<double>(p[i + k]);
  double tail = 0;
  for (; i < n; ++i) tail += dev::convert<double>(p[i]);
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7])) + tail;
}

}  // namespace ember::cpu
