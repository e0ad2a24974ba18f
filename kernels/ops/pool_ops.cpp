// Pooling ops over 1-3 spatial dims (the trailing ones; any leading dims are planes):
// MaxPool and AdaptiveMaxPool (values, int64 indices flat within each plane), AvgPool,
// AdaptiveAvgPool, and the backward ops of the average kinds (max pools differentiate
// through scatter_add on their indices). Output sizes and checks as libtorch's.
#include <string>

#include "kernels/backend.h"
#include "kernels/op_registry.h"
#include "kernels/ops/ops_util.h"
#include "kernels/tensor_alloc.h"

namespace ember {

namespace {

using dev::PoolArgs;
using dev::PoolKind;

const char* pool_name(PoolKind k, size_t nsp) {
  static const char* names[4][3] = {
      {"max_pool1d", "max_pool2d", "max_pool3d"},
      {"avg_pool1d", "avg_pool2d", "avg_pool3d"},
      {"adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d"},
      {"adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d"}};
  return names[static_cast<int>(k)][nsp - 1];
}

// libtorch's pooling_output_shape.
int64_t pooled_size(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dilation, bool ceil) {
  int64_t num = in + 2 * pad - dilation * (k - 1) - 1 + (ceil ? stride - 1 : 0);
  int64_t out = (num >= 0 ? num / stride : -((-num + stride - 1) / stride)) + 1;
  if (ceil && (out - 1) * stride >= in + pad) --out;
  return out;
}

void check_input(const char* name, const Tensor& x, size_t nsp) {
  int64_t nd = x.dim(), sp = static_cast<int64_t>(nsp);
  bool ok = nd == sp + 1 || nd == sp + 2;
  for (int64_t i = nd - sp; ok && i < nd; ++i) ok = x.sizes()[i] > 0;
  if (ok && nd == sp + 2) ok = x.sizes()[1] > 0;
  EMBER_CHECK(ok, name, ": Expected ", sp + 1, "D or ", sp + 2,
              "D (batch mode) tensor with optional 0 dim batch size for input, but got: ",
              shape_str(x.sizes()));
  EMBER_CHECK(is_floating(x.dtype()), "\"", name, "\" not implemented for '", dtype_name(x.dtype()), "'");
}

std::string dims_str(const Shape& lead, const dev::i64* sp, size_t nsp) {
  std::string s;
  if (!lead.empty()) s = std::to_string(lead.back());
  for (size_t i = 0; i < nsp; ++i) s += (s.empty() ? "" : "x") + std::to_string(sp[i]);
  return s;
}

// The geometry of a pool of `x` (the window attributes are read for the windowed kinds).
PoolArgs pool_args(PoolKind kind, const Shape& xs, const Attrs& a, Shape* out_sizes) {
  bool adaptive = kind == PoolKind::AdaptiveAvg || kind == PoolKind::AdaptiveMax;
  const Shape& first = adaptive ? a.ints("output_size") : a.ints("kernel_size");
  size_t nsp = first.size();
  EMBER_CHECK(nsp >= 1 && nsp <= 3 && xs.size() >= nsp, "pooling: bad number of spatial dims");
  const char* name = pool_name(kind, nsp);
  PoolArgs p;
  p.kind = kind;
  size_t off = 3 - nsp, lead = xs.size() - nsp;
  p.planes = 1;
  for (size_t i = 0; i < lead; ++i) p.planes *= xs[i];
  for (size_t i = 0; i < nsp; ++i) p.in[off + i] = xs[lead + i];
  Shape leading(xs.begin(), xs.begin() + static_cast<int64_t>(lead));
  if (adaptive) {
    for (size_t i = 0; i < nsp; ++i) {
      EMBER_CHECK(first[i] >= 0, name, ": elements of output_size must be greater than or equal to 0 "
                  "but received ", shape_str(first));
      p.out[off + i] = first[i];
    }
  } else {
    const Shape &st = a.ints("stride"), &pad = a.ints("padding");
    Shape dil = a.has("dilation") ? a.ints("dilation") : Shape(nsp, 1);
    bool ceil = a.b("ceil_mode");
    EMBER_CHECK(st.size() == nsp && pad.size() == nsp && dil.size() == nsp, name,
                ": kernel_size, stride, padding and dilation must have ", nsp, " elements");
    for (size_t i = 0; i < nsp; ++i) {
      EMBER_CHECK(first[i] > 0, name, ": kernel size should be greater than zero, but got ",
                  shape_str(first));
      EMBER_CHECK(st[i] > 0, name, ": stride should be greater than zero, but got ", shape_str(st));
      EMBER_CHECK(dil[i] > 0, name, ": dilation should be greater than zero, but got ", shape_str(dil));
      EMBER_CHECK(pad[i] >= 0 && pad[i] <= ((first[i] - 1) * dil[i] + 1) / 2,
                  "pad should be at most half of effective kernel size, but got pad=", pad[i],
                  ", kernel_size=", first[i], " and dilation=", dil[i]);
      p.k[off + i] = first[i];
      p.s[off + i] = st[i];
      p.p[off + i] = pad[i];
      p.d[off + i] = dil[i];
      p.out[off + i] = pooled_size(p.in[off + i], first[i], pad[i], st[i], dil[i], ceil);
    }
    bool ok = true;
    for (size_t i = 0; i < nsp; ++i) ok = ok && p.out[off + i] >= 1;
    EMBER_CHECK(ok, "Given input size: (", dims_str(leading, p.in + off, nsp),
                "). Calculated output size: (", dims_str(leading, p.out + off, nsp),
                "). Output size is too small");
    if (kind == PoolKind::Avg) {
      p.count_include_pad = a.b("count_include_pad");
      p.divisor_override = a.has("divisor_override") ? a.i("divisor_override") : 0;
      EMBER_CHECK(p.divisor_override >= 0, "divisor must be not zero");
    }
  }
  if (out_sizes) {
    *out_sizes = leading;
    for (size_t i = 0; i < nsp; ++i) out_sizes->push_back(p.out[off + i]);
  }
  return p;
}

size_t spatial_of(PoolKind kind, const Attrs& a) {
  bool adaptive = kind == PoolKind::AdaptiveAvg || kind == PoolKind::AdaptiveMax;
  return (adaptive ? a.ints("output_size") : a.ints("kernel_size")).size();
}

template <PoolKind K>
std::vector<OutSpec> pool_meta(const std::vector<Tensor>& in, const Attrs& a) {
  const Tensor& x = in[0];
  size_t nsp = spatial_of(K, a);
  EMBER_CHECK(nsp >= 1 && nsp <= 3, "pooling: expected 1 to 3 spatial dims");
  check_input(pool_name(K, nsp), x, nsp);
  Shape out;
  pool_args(K, x.sizes(), a, &out);
  std::vector<OutSpec> specs{{out, x.dtype(), x.device()}};
  if (K == PoolKind::Max || K == PoolKind::AdaptiveMax) specs.push_back({out, kInt64, x.device()});
  return specs;
}

template <PoolKind K>
void pool_run(const std::vector<Tensor>& in, const Attrs& a, std::vector<Tensor>& out) {
  if (out[0].numel() == 0) return;
  Tensor x = contiguous_copy(in[0]);
  PoolArgs p = pool_args(K, x.sizes(), a, nullptr);
  bool with_idx = out.size() > 1;
  Tensor y = out[0].is_contiguous() ? out[0] : empty_tensor(out[0].sizes(), x.dtype(), x.device());
  Tensor idx;
  if (with_idx)
    idx = out[1].is_contiguous() ? out[1] : empty_tensor(out[1].sizes(), kInt64, x.device());
  backend_for(x.device()).pool(p, y, idx, x);
  if (!y.is_same(out[0])) copy_into(out[0], y);
  if (with_idx && !idx.is_same(out[1])) copy_into(out[1], idx);
}

// grad_out -> grad_in of an average pool; `input_size` is the pooled input's size.
template <PoolKind K>
std::vector<OutSpec> pool_backward_meta(const std::vector<Tensor>& in, const Attrs& a) {
  const Tensor& g = in[0];
  Shape xs = a.ints("input_size"), expect;
  pool_args(K, xs, a, &expect);
  EMBER_CHECK(g.sizes() == expect, pool_name(K, spatial_of(K, a)), "_backward: expected grad_output of size ",
              shape_str(expect), ", but got ", shape_str(g.sizes()));
  EMBER_CHECK(is_floating(g.dtype()), "\"", pool_name(K, spatial_of(K, a)), "_backward\" not implemented for '",
              dtype_name(g.dtype()), "'");
  return {{xs, g.dtype(), g.device()}};
}

template <PoolKind K>
void pool_backward_run(const std::vector<Tensor>& in, const Attrs& a, std::vector<Tensor>& out) {
  if (out[0].numel() == 0) return;
  Tensor g = contiguous_copy(in[0]);
  PoolArgs p = pool_args(K, out[0].sizes(), a, nullptr);
  Tensor gx = out[0].is_contiguous() ? out[0] : empty_tensor(out[0].sizes(), g.dtype(), g.device());
  if (g.numel() == 0) copy_into(gx, wrapped_scalar(Scalar(0.0)));
  else backend_for(g.device()).pool_backward(p, gx, g);
  if (!gx.is_same(out[0])) copy_into(out[0], gx);
}

}  // namespace

void register_pool_ops() {
  register_op(OpId::MaxPool, pool_meta<PoolKind::Max>, pool_run<PoolKind::Max>);
  register_op(OpId::AvgPool, pool_meta<PoolKind::Avg>, pool_run<PoolKind::Avg>);
  register_op(OpId::AdaptiveAvgPool, pool_meta<PoolKind::AdaptiveAvg>, pool_run<PoolKind::AdaptiveAvg>);
  register_op(OpId::AdaptiveMaxPool, pool_meta<PoolKind::AdaptiveMax>, pool_run<PoolKind::AdaptiveMax>);
  register_op(OpId::AvgPoolBackward, pool_backward_meta<PoolKind::Avg>, pool_backward_run<PoolKind::Avg>);
  register_op(OpId::AdaptiveAvgPoolBackward, pool_backward_meta<PoolKind::AdaptiveAvg>,
              pool_backward_run<PoolKind::AdaptiveAvg>);
}

}  // namespace ember
