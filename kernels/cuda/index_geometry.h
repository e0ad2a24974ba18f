#pragma once
// Iteration over an index-op shape with the element offsets of up to NT tensors, in the
// form a kernel takes by value. It reproduces the CPU's offset_of (kernels/cpu/index_cpu.cpp):
// a tensor's strides apply to the iteration dims they line up with from the front (0 past
// its own dims), and the indexed dim `dim` can be re-targeted to another position `at`:
//   offset(t, at) = offset(t) + (at - digit at dim) * dim_stride[t].
#include <array>
#include <cstdint>

#include "kernels/cuda/geometry_common.h"
#include "ember/tensor.h"

namespace ember::cuda {

template <int NT>
struct IndexGeometry {
  int ndim = 0;
  int dim = 0;
  int64_t numel = 0;
  int64_t sizes[kMaxDims];         // iteration shape, tensor order
  int64_t strides[NT][kMaxDims];   // element strides per iteration dim
  int64_t dim_stride[NT];          // element stride along `dim` (0 when the tensor lacks it)

  EMBER_GEOMETRY_HD void offsets(int64_t linear, int64_t (&off)[NT],
                                          int64_t& digit_at_dim) const {
EMBER_UNROLL
    for (int t = 0; t < NT; ++t) off[t] = 0;
    digit_at_dim = 0;
    for (int d = ndim - 1; d >= 0; --d) {
      int64_t q = linear / sizes[d], r = linear - q * sizes[d];
      linear = q;
      if (d == dim) digit_at_dim = r;
EMBER_UNROLL
      for (int t = 0; t < NT; ++t) off[t] += r * strides[t][d];
    }
  }
};

template <int NT>
IndexGeometry<NT> make_index_geometry(const char* op, const Shape& iter, int64_t dim,
                                      const std::array<const Tensor*, NT>& tensors) {
  EMBER_CHECK(static_cast<int64_t>(iter.size()) <= kMaxDims, op, ": the CUDA kernel supports at most ",
              kMaxDims, " dims, got shape ", shape_str(iter));
  IndexGeometry<NT> g;
  g.ndim = static_cast<int>(iter.size());
  g.dim = static_cast<int>(dim);
  g.numel = numel_of(iter);
  for (int d = 0; d < g.ndim; ++d) g.sizes[d] = iter[d];
  for (int t = 0; t < NT; ++t) {
    const Tensor& x = *tensors[t];
    for (int d = 0; d < g.ndim; ++d) g.strides[t][d] = d < x.dim() ? x.strides()[d] : 0;
    g.dim_stride[t] = dim < x.dim() ? x.strides()[dim] : 0;
  }
  return g;
}

}  // namespace ember::cuda
