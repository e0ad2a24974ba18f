// torch::max_pool*, avg_pool*, adaptive_*_pool* and max_unpool*: parameter expansion here,
// the work in the pool ops of kernels/ops/pool_ops.cpp (max_unpool is a scatter).
#include <tuple>

#include "ember/functional.h"
#include "ember/nn/pooling.h"
#include "frontend/compile/tracing_hook.h"
#include "frontend/dispatch.h"
#include "kernels/ops/ops_util.h"

namespace ember {

namespace {

IntList expand(IntArrayRef v, int64_t n, const char* op, const char* name, IntArrayRef fallback = {}) {
  if (v.empty() && !fallback.empty()) return IntList(fallback.begin(), fallback.end());
  if (static_cast<int64_t>(v.size()) == n) return IntList(v.begin(), v.end());
  EMBER_CHECK(v.size() == 1, op, ": ", name, " must either be ", std::string(v.empty() ? "given" : "a single int"),
              ", or a tuple of ", n, " ints");
  return IntList(static_cast<size_t>(n), v[0]);
}

std::vector<Tensor> max_pool(const Tensor& self, IntArrayRef k, IntArrayRef stride, IntArrayRef padding,
                             IntArrayRef dilation, bool ceil_mode, int64_t n, const char* op) {
  IntList kk = expand(k, n, op, "kernel_size");
  Attrs a;
  a.set("kernel_size", kk)
      .set("stride", expand(stride, n, op, "stride", kk))
      .set("padding", expand(padding, n, op, "padding"))
      .set("dilation", expand(dilation, n, op, "dilation"))
      .set("ceil_mode", ceil_mode);
  return call(OpId::MaxPool, {self}, a);
}

Tensor avg_pool(const Tensor& self, IntArrayRef k, IntArrayRef stride, IntArrayRef padding, bool ceil_mode,
                bool count_include_pad, std::optional<int64_t> divisor, int64_t n, const char* op) {
  IntList kk = expand(k, n, op, "kernel_size");
  Attrs a;
  a.set("kernel_size", kk)
      .set("stride", expand(stride, n, op, "stride", kk))
      .set("padding", expand(padding, n, op, "padding"))
      .set("ceil_mode", ceil_mode)
      .set("count_include_pad", count_include_pad);
  if (divisor) {
    EMBER_CHECK(*divisor != 0, "divisor must be not zero");
    a.set("divisor_override", *divisor);
  }
  return call1(OpId::AvgPool, {self}, a);
}

Attrs adaptive(IntArrayRef output_size, int64_t n, const char* op) {
  EMBER_CHECK(static_cast<int64_t>(output_size.size()) == n, op, ": output_size must be ", n);
  Attrs a;
  a.set("output_size", IntList(output_size.begin(), output_size.end()));
  return a;
}

Tensor max_unpool(const Tensor& self, const Tensor& indices, IntArrayRef output_size, int64_t n,
                  const char* op) {
  EMBER_CHECK(indices.dtype() == kInt64, op, ": elements in indices should be type int64 but got: ",
              dtype_name(indices.dtype()));
  EMBER_CHECK(self.sizes() == indices.sizes(),
              "Expected shape of indices to be same as that of the input tensor (", shape_str(self.sizes()),
              ") but got indices tensor with shape: ", shape_str(indices.sizes()));
  EMBER_CHECK(static_cast<int64_t>(output_size.size()) == n, op,
              ": There should be exactly ", n, " elements (depth, height, width) in output_size, but got ",
              output_size.size(), " elements.");
  EMBER_CHECK(self.dim() == n + 1 || self.dim() == n + 2, op, ": Input to max_unpooling", n,
              "d should be a ", n + 1, "d or ", n + 2, "d Tensor, but got a tensor with ", self.dim(),
              " dimensions.");
  for (int64_t i = 0; i < self.dim(); ++i)
    EMBER_CHECK(self.size(i) > 0 || (i == 0 && self.dim() == n + 2), op, ": Expected input to have non-zero "
                "size for non-batch dimensions, but got ", shape_str(self.sizes()));
  int64_t lead = self.dim() - n, planes = 1, plane = 1;
  IntList out_sizes;
  for (int64_t i = 0; i < lead; ++i) {
    planes *= self.size(i);
    out_sizes.push_back(self.size(i));
  }
  for (int64_t v : output_size) {
    plane *= v;
    out_sizes.push_back(v);
  }
  Tensor flat_idx = indices.reshape({planes, -1});
  // Eager only (a trace has no values yet); the scatter below checks again when it runs.
  if (!jit::tracing_active({})) check_index_range(op, flat_idx, plane);
  Tensor z = zeros({planes, plane}, TensorOptions().dtype(self.dtype()).device(self.device()));
  return z.scatter(1, flat_idx, self.reshape({planes, -1})).view(out_sizes);
}

}  // namespace

#define EMBER_POOL_DEFS(D)                                                                         \
  Tensor max_pool##D##d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride,           \
                        IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {               \
    return max_pool(self, kernel_size, stride, padding, dilation, ceil_mode, D, "max_pool" #D "d")[0]; \
  }                                                                                                \
  std::tuple<Tensor, Tensor> max_pool##D##d_with_indices(const Tensor& self, IntArrayRef kernel_size, \
                                                         IntArrayRef stride, IntArrayRef padding,  \
                                                         IntArrayRef dilation, bool ceil_mode) {   \
    auto r = max_pool(self, kernel_size, stride, padding, dilation, ceil_mode, D, "max_pool" #D "d"); \
    return {r[0], r[1]};                                                                           \
  }                                                                                                \
  Tensor avg_pool##D##d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride,           \
                        IntArrayRef padding, bool ceil_mode, bool count_include_pad,               \
                        std::optional<int64_t> divisor_override) {                                 \
    return avg_pool(self, kernel_size, stride, padding, ceil_mode, count_include_pad,              \
                    divisor_override, D, "avg_pool" #D "d");                                       \
  }                                                                                                \
  Tensor adaptive_avg_pool##D##d(const Tensor& self, IntArrayRef output_size) {                    \
    return call1(OpId::AdaptiveAvgPool, {self}, adaptive(output_size, D, "adaptive_avg_pool" #D "d")); \
  }                                                                                                \
  std::tuple<Tensor, Tensor> adaptive_max_pool##D##d(const Tensor& self, IntArrayRef output_size) { \
    auto r = call(OpId::AdaptiveMaxPool, {self}, adaptive(output_size, D, "adaptive_max_pool" #D "d")); \
    return {r[0], r[1]};                                                                           \
  }                                                                                                \
  Tensor max_unpool##D##d(const Tensor& self, const Tensor& indices, IntArrayRef output_size) {    \
    return max_unpool(self, indices, output_size, D, "max_unpool" #D "d");                         \
  }
EMBER_POOL_DEFS(1)
EMBER_POOL_DEFS(2)
EMBER_POOL_DEFS(3)
#undef EMBER_POOL_DEFS

}  // namespace ember
