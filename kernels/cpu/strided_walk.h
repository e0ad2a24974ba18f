#pragma once
#include <cstdint>
#include <vector>

#include "ember/shape.h"

namespace ember::cpu {

// Visits the linear range [begin, end) of an N-d iteration space as runs along the
// innermost dim: f(byte offsets of each operand at the run start, run length).
// strides[k][d] are operand k's byte strides.
template <int N, class F>
void walk_range(const Shape& sizes, const std::vector<Shape>& strides, int64_t begin, int64_t end,
                const F& f) {
  int64_t nd = static_cast<int64_t>(sizes.size());
  if (nd == 0) {
    int64_t off[N] = {};
    if (begin < end) f(off, int64_t{1});
    return;
  }
  std::vector<int64_t> idx(nd);
  int64_t rem = begin;
  for (int64_t d = nd - 1; d >= 0; --d) {
    idx[d] = rem % sizes[d];
    rem /= sizes[d];
  }
  int64_t pos = begin;
  int64_t inner = sizes[nd - 1];
  while (pos < end) {
    int64_t off[N];
    for (int k = 0; k < N; ++k) {
      off[k] = 0;
      for (int64_t d = 0; d < nd; ++d) off[k] += idx[d] * strides[k][d];
    }
    int64_t len = std::min(inner - idx[nd - 1], end - pos);
    f(off, len);
    pos += len;
    idx[nd - 1] += len;
    for (int64_t d = nd - 1; d > 0 && idx[d] == sizes[d]; --d) {
      idx[d] = 0;
      ++idx[d - 1];
    }
  }
}

}  // namespace ember::cpu
