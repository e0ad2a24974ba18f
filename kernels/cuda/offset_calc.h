#pragma once
// Byte offsets of N operands at a linear index of an N-d iteration space. Index is the
// type of the linear index and sizes (uint32_t when everything fits, else uint64_t);
// Offset the signed type of the offsets (strides may be zero for broadcast operands).
#include <climits>
#include <cstdint>
#include <vector>

#include "kernels/cuda/geometry_common.h"
#include "ember/error.h"
#include "ember/shape.h"

namespace ember::cuda {

template <int N, class Index, class Offset>
struct OffsetCalc {
  int ndim = 0;
  Index sizes[kMaxDims];          // innermost first
  Offset strides[kMaxDims][N];    // bytes, innermost first

  EMBER_GEOMETRY_HD void get(Index linear, Offset (&off)[N]) const {
EMBER_UNROLL
    for (int k = 0; k < N; ++k) off[k] = 0;
EMBER_UNROLL
    for (int d = 0; d < kMaxDims; ++d) {
      if (d == ndim) break;
      Index q = linear / sizes[d];
      Index r = linear - q * sizes[d];
      linear = q;
EMBER_UNROLL
      for (int k = 0; k < N; ++k) off[k] += static_cast<Offset>(r) * strides[d][k];
    }
  }
};

// sizes: outer first; strides[k]: operand k's byte strides, outer first.
template <int N, class Index, class Offset>
OffsetCalc<N, Index, Offset> make_offset_calc(const Shape& sizes, const Shape* const* strides,
                                              const char* what) {
  OffsetCalc<N, Index, Offset> c;
  int nd = static_cast<int>(sizes.size());
  EMBER_CHECK(nd <= kMaxDims, what, ": the CUDA kernel supports at most ", kMaxDims,
              " dims after merging contiguous ones, but the iteration shape is ",
              shape_str(sizes));
  c.ndim = nd;
  for (int d = 0; d < nd; ++d) {
    c.sizes[d] = static_cast<Index>(sizes[nd - 1 - d]);
    for (int k = 0; k < N; ++k)
      c.strides[d][k] = strides[k]->empty() ? Offset(0)
                                            : static_cast<Offset>((*strides[k])[nd - 1 - d]);
  }
  return c;
}

// Whether 32-bit index math is exact: the element count and every operand's byte extent
// (both directions) fit in int32.
inline bool fits_32bit(const Shape& sizes, int64_t numel, const std::vector<const Shape*>& strides) {
  constexpr int64_t kMax = INT32_MAX;
  if (numel > kMax) return false;
  for (const Shape* st : strides) {
    int64_t extent = 0;
    for (size_t d = 0; d < st->size() && d < sizes.size(); ++d) {
      int64_t s = (*st)[d] < 0 ? -(*st)[d] : (*st)[d];
      if (sizes[d] > 1 && s > kMax / sizes[d]) return false;
      extent += (sizes[d] - 1) * s;
      if (extent > kMax) return false;
    }
  }
  return true;
}

}  // namespace ember::cuda
