#include "kernels/cuda/reduce_geometry.h"

#include <vector>

#include "kernels/op_registry.h"

namespace ember::cuda {

namespace {

// Dims as outer-first lists of (size, stride per tensor); drops size-1 dims and merges a
// dim into its inner neighbour when every tensor is contiguous across the pair.
struct Dims {
  std::vector<int64_t> sizes;
  std::vector<std::vector<int64_t>> strides;  // [tensor][dim]
};

Dims coalesce(const Shape& sizes, const std::vector<const Shape*>& strides) {
  Dims out;
  out.strides.resize(strides.size());
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 1) continue;
    bool merge = !out.sizes.empty();
    for (size_t t = 0; merge && t < strides.size(); ++t)
      merge = out.strides[t].back() == (*strides[t])[d] * sizes[d];
    if (merge) {
      out.sizes.back() *= sizes[d];
      for (size_t t = 0; t < strides.size(); ++t) out.strides[t].back() = (*strides[t])[d];
    } else {
      out.sizes.push_back(sizes[d]);
      for (size_t t = 0; t < strides.size(); ++t) out.strides[t].push_back((*strides[t])[d]);
    }
  }
  return out;
}

void check_dims(const ReduceArgs& a, size_t nd, const char* which) {
  EMBER_CHECK(nd <= static_cast<size_t>(kMaxDims), op_name(a.op), ": the CUDA reduction supports at most ",
              kMaxDims, " ", which, " dims after merging contiguous ones, got ", nd);
}

}  // namespace

ReduceGeometry make_reduce_geometry(const ReduceArgs& a) {
  ReduceGeometry g;
  g.out_numel = a.out_numel;
  g.red_numel = a.red_numel;
  Dims kept = coalesce(a.kept_sizes, {&a.kept_in_strides, &a.kept_out_strides});
  Dims red = coalesce(a.red_sizes, {&a.red_in_strides});
  check_dims(a, kept.sizes.size(), "kept");
  check_dims(a, red.sizes.size(), "reduced");
  g.kept_ndim = static_cast<int>(kept.sizes.size());
  for (int d = 0; d < g.kept_ndim; ++d) {
    int src = g.kept_ndim - 1 - d;
    g.kept_sizes[d] = kept.sizes[src];
    g.kept_in[d] = kept.strides[0][src];
    g.kept_out[d] = kept.strides[1][src];
  }
  g.red_ndim = static_cast<int>(red.sizes.size());
  for (int d = 0; d < g.red_ndim; ++d) {
    int src = g.red_ndim - 1 - d;
    g.red_sizes[d] = red.sizes[src];
    g.red_in[d] = red.strides[0][src];
  }
  return g;
}

}  // namespace ember::cuda
