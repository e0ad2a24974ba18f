#pragma once
// What the index geometries built on the host (offset_calc.h, reduce_geometry.h,
// index_geometry.h) share with the kernels that read them. No CUDA headers: the geometries
// are also evaluated on the host, by the tests, to check them against the CPU's indexing.

#if defined(__CUDACC__)
#define EMBER_GEOMETRY_HD __host__ __device__ __forceinline__
#define EMBER_UNROLL _Pragma("unroll")
#else
#define EMBER_GEOMETRY_HD inline
#define EMBER_UNROLL
#endif

namespace ember::cuda {

// Most dims a geometry holds (after merging contiguous dims where the kernel merges);
// beyond it a kernel refuses with ember::Error.
constexpr int kMaxDims = 10;

}  // namespace ember::cuda
