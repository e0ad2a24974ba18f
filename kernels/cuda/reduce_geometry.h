#pragma once
// The index spaces of a reduction in a fixed-size form a kernel can take by value: kept
// dims (one output element each) and reduced dims, both with size-1 dims dropped and
// neighbours merged where the memory layout allows. Merging keeps row-major order, so the
// linear reduced index (what ArgMax reports) is unchanged.
#include <cstdint>

#include "kernels/backend.h"
#include "kernels/cuda/geometry_common.h"

namespace ember::cuda {

struct ReduceGeometry {
  int kept_ndim = 0, red_ndim = 0;
  int64_t kept_sizes[kMaxDims];  // innermost first, like every dims array here
  int64_t kept_in[kMaxDims];     // element strides into the input
  int64_t kept_out[kMaxDims];    // element strides into the output (and indices)
  int64_t red_sizes[kMaxDims];
  int64_t red_in[kMaxDims];
  int64_t out_numel = 0, red_numel = 0;

  // Input and output element offsets of output element o.
  EMBER_GEOMETRY_HD void kept_offsets(int64_t o, int64_t& in, int64_t& out) const {
    in = 0;
    out = 0;
    for (int d = 0; d < kept_ndim; ++d) {
      int64_t q = o / kept_sizes[d], r = o - q * kept_sizes[d];
      o = q;
      in += r * kept_in[d];
      out += r * kept_out[d];
    }
  }
  // Input element offset of reduced index r, relative to the output element's base.
  EMBER_GEOMETRY_HD int64_t red_offset(int64_t r) const {
    int64_t off = 0;
    for (int d = 0; d < red_ndim; ++d) {
      int64_t q = r / red_sizes[d], rem = r - q * red_sizes[d];
      r = q;
      off += rem * red_in[d];
    }
    return off;
  }
};

ReduceGeometry make_reduce_geometry(const ReduceArgs& a);

}  // namespace ember::cuda
