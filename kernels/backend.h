#pragma once
#include <functional>
#include <optional>
#include <vector>

#include "kernels/device/optim.h"
#include "kernels/device/pool.h"
#include "kernels/op_list.h"
#include "ember/launch_counter.h"
#include "ember/tensor.h"

namespace ember {

// One operand of a pointwise launch, seen over the (coalesced) iteration shape.
struct Operand {
  char* data = nullptr;
  ScalarType dtype = kFloat32;
  Shape strides;           // in bytes, one per iteration dim; 0 where broadcast
  bool is_scalar = false;  // a number passed by value (wrapped scalar or 0-dim CPU tensor)
  Scalar value;
};

struct PointwiseArgs {
  OpId op;
  ScalarType compute;  // Bool, Int64, Float32 or Float64: the type the functor runs in
  Shape sizes;         // iteration shape, innermost last, already coalesced
  int64_t numel = 0;
  Operand out;
  std::vector<Operand> in;
  // True when every tensor operand is dense in iteration order and of one storage dtype.
  bool contiguous_same_dtype() const;
};

// A reduction of `in` over some dims. Output element o reads the input at
// base(o) + sum_r idx_r * red_strides[r]; kept dims map o to base(o) and to its place in out.
struct ReduceArgs {
  OpId op;  // Sum, Mean, Prod, Amax, Amin, MaxDim, MinDim, ArgMax, ArgMin
  const char* in = nullptr;
  ScalarType in_dtype;
  char* out = nullptr;  // values (or indices for ArgMax/ArgMin)
  ScalarType out_dtype;
  int64_t* indices = nullptr;  // MaxDim/MinDim only; same layout as out
  Shape kept_sizes, kept_in_strides, kept_out_strides;  // elements
  Shape red_sizes, red_in_strides;                      // elements
  int64_t out_numel = 0, red_numel = 0;
};

// Fills r's kept and reduced dims (and numels) from an input's sizes and strides, in dim order:
// dim d is reduced where reduced(d). The kept dims' output strides are `out_strides` at their
// places (with keepdim the output also holds the reduced dims, as size 1), or dense when absent.
void set_reduce_dims(ReduceArgs& r, IntArrayRef sizes, IntArrayRef strides, const std::function<bool(int64_t)>& reduced,
                     std::optional<IntArrayRef> out_strides = std::nullopt, bool keepdim = false);

// C[b] = alpha * A[b] @ B[b] + beta * C[b], element strides, row-major indexing.
struct GemmArgs {
  ScalarType dtype;
  int64_t batch = 1, m = 0, n = 0, k = 0;
  const char* a = nullptr;
  int64_t a_rs = 0, a_cs = 0, a_bs = 0;
  const char* b = nullptr;
  int64_t b_rs = 0, b_cs = 0, b_bs = 0;
  char* c = nullptr;
  int64_t c_rs = 0, c_cs = 0, c_bs = 0;
  double alpha = 1, beta = 0;
  // Epilogue on each element of C after alpha/beta: + bias[column] (a dense vector of n
  // elements of the same dtype), then clamp_min(0) (NaN stays NaN) when relu.
  const char* bias = nullptr;
  bool relu = false;
};

// A convolution y = conv(x, w) over 1-3 spatial dims, as libtorch's: x [N, C_in, *in],
// w [C_out, C_in / groups, *kernel], y [N, C_out, *out]. Every tensor handed to a conv
// kernel is contiguous and of one floating dtype. Transposed convolution is backward_input.
struct ConvArgs {
  ScalarType dtype = kFloat32;
  Shape in_sizes, w_sizes, out_sizes;  // full sizes of x, w, y
  Shape stride, padding, dilation;     // one per spatial dim
  int64_t groups = 1;
  int spatial() const { return static_cast<int>(stride.size()); }
};

enum class RandomKind : int8_t { Uniform, Normal, Randint };

// One fused update of a list of parameters (all on one device, float dtypes). Per
// parameter: {param, grad, state...}: SGD uses {momentum_buffer} (undefined without
// momentum), Adam/AdamW {exp_avg, exp_avg_sq, max_exp_avg_sq (undefined without amsgrad)}.
struct OptimizerArgs {
  enum class Kind : int8_t { Sgd, Adam } kind = Kind::Sgd;
  std::vector<std::vector<Tensor>> tensors;
  dev::SgdHyper sgd{};
  dev::AdamHyper adam{};
};

// Kernels of one device type. The ops in kernels/ops/ validate arguments and allocate;
// a backend only computes.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual void pointwise(const PointwiseArgs& a) = 0;
  virtual void reduce(const ReduceArgs& a) = 0;
  virtual void gemm(const GemmArgs& a) = 0;
  // out = self.index_select(dim, index); index is int64, contiguous, 1-D.
  virtual void index_select(const Tensor& out, const Tensor& self, int64_t dim,
                            const Tensor& index) = 0;
  virtual void gather(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index) = 0;
  // out (already holding self) [index along dim] = src (or += src when accumulate).
  virtual void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src,
                       bool accumulate) = 0;
  virtual void index_add(const Tensor& out, int64_t dim, const Tensor& index,
                         const Tensor& source) = 0;
  // Range-checks a contiguous int64 or int32 index against [lo, size) without waiting for the
  // device: a failure is recorded there and thrown at the next synchronising call (CUDA).
  // `dim` (-1: unnamed) only goes into the message.
  virtual void check_index_range(const char* op, const Tensor& index, int64_t lo, int64_t size,
                                 int64_t dim);
  // Positions (as int64 [n, ndim]) of the nonzero elements of a contiguous tensor.
  virtual Tensor nonzero(const Tensor& self) = 0;
  // Elements of self (same shape as mask, both contiguous) where mask is true, as 1-D.
  virtual Tensor masked_select(const Tensor& self, const Tensor& mask) = 0;
  // out[mask] = source[0..count) in row-major order; out and mask contiguous, same shape.
  virtual void masked_scatter(const Tensor& out, const Tensor& mask, const Tensor& source) = 0;
  // Philox-based: element i depends only on (seed, offset, i), identically on every device.
  virtual void random(const Tensor& out, RandomKind kind, double a, double b, uint64_t seed,
                      uint64_t offset) = 0;
  // out[i] = start + i * step for i < n/2 (or n when !symmetric), else end - (n-1-i) * step.
  virtual void iota(const Tensor& out, double start, double step, double end, bool symmetric) = 0;
  // Sorts each row (the last dim) of the contiguous `self` into the contiguous `values` and
  // `indices` (int64, positions within the row). NaN sorts above every number; the order is
  // stable (equal elements keep their order) in both directions.
  virtual void sort(const Tensor& values, const Tensor& indices, const Tensor& self,
                    bool descending) = 0;
  virtual void synchronize(int device) = 0;
  // Every parameter's whole update in one pass (one launch per tensor list on CUDA).
  virtual void optimizer_step(const OptimizerArgs& a);
  // Convolution (kernels/ops/conv_ops.cpp): y = conv(x, w) (+ bias[c_out] when defined),
  // grad_x = conv_backward_input(grad_y, w), grad_w = conv_backward_weight(grad_y, x).
  virtual void conv_forward(const ConvArgs& a, const Tensor& y, const Tensor& x, const Tensor& w,
                            const Tensor& bias);
  virtual void conv_backward_input(const ConvArgs& a, const Tensor& grad_x, const Tensor& grad_y,
                                   const Tensor& w);
  virtual void conv_backward_weight(const ConvArgs& a, const Tensor& grad_w, const Tensor& grad_y,
                                    const Tensor& x);
  // Pooling (kernels/ops/pool_ops.cpp) over contiguous tensors: out (and int64 indices for
  // the max kinds) from in; grad_in from grad_out for the average kinds.
  virtual void pool(const dev::PoolArgs& a, const Tensor& out, const Tensor& indices,
                    const Tensor& in);
  virtual void pool_backward(const dev::PoolArgs& a, const Tensor& grad_in, const Tensor& grad_out);
};

// The backend of a device. Every kernel launch goes through here, so this also counts
// launches (runtime/launch_counter.h).
Backend& backend_for(Device d);
void register_backend(DeviceType type, Backend* b);
namespace cpu {
void register_cpu_backend();  // kernels/cpu/cpu_backend.cpp
}
namespace cuda {
void register_cuda_backend();  // kernels/cuda/cuda_backend.cpp (CUDA builds)
}

// The Operand of a tensor viewed with `iter_sizes` (it must broadcast to it).
Operand make_operand(const Tensor& t, const Shape& iter_sizes);

// Builds a launch over `sizes`: broadcasts every input, merges dims that are contiguous for
// all operands, and turns 0-dim CPU scalars into by-value operands.
PointwiseArgs plan_pointwise(OpId op, ScalarType compute, const Tensor& out,
                             const std::vector<Tensor>& in);

}  // namespace ember
