// Convolution as three ops, libtorch's checks and wording: Convolution (x, w [, bias]),
// ConvBackwardInput (grad_y, w; also transposed convolution's forward) and
// ConvBackwardWeight (grad_y, x). Attributes: stride, padding, dilation (one per spatial
// dim), groups, and for the backward ops the size of what they produce.
#include "kernels/backend.h"
#include "kernels/op_registry.h"
#include "kernels/ops/ops_util.h"
#include "kernels/tensor_alloc.h"

namespace ember {

namespace {

struct ConvAttrs {
  Shape stride, padding, dilation;
  int64_t groups;
};

ConvAttrs conv_attrs(const Attrs& a) {
  return {a.ints("stride"), a.ints("padding"), a.ints("dilation"), a.i("groups")};
}

void check_params(const ConvAttrs& p, size_t spatial) {
  EMBER_CHECK(p.stride.size() == spatial && p.padding.size() == spatial &&
                  p.dilation.size() == spatial,
              "convolution: expected stride, padding and dilation of ", spatial, " elements");
  for (size_t i = 0; i < spatial; ++i) {
    EMBER_CHECK(p.stride[i] > 0, "non-positive stride is not supported");
    EMBER_CHECK(p.padding[i] >= 0, "negative padding is not supported");
    EMBER_CHECK(p.dilation[i] > 0, "dilation should be greater than zero");
  }
  EMBER_CHECK(p.groups > 0, "non-positive groups is not supported");
}

void check_same(const char* what_a, const Tensor& a, const char* what_b, const Tensor& b) {
  EMBER_CHECK(a.dtype() == b.dtype(), what_a, " type (", dtype_name(a.dtype()), ") and ", what_b,
              " type (", dtype_name(b.dtype()), ") should be the same");
  EMBER_CHECK(a.device() == b.device(), what_a, " and ", what_b,
              " should be on the same device, but got ", a.device(), " and ", b.device());
}

// y's spatial size: (in + 2p - d(k-1) - 1) / s + 1.
int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d) {
  return (in + 2 * p - d * (k - 1) - 1) / s + 1;
}

ConvArgs make_args(const ConvAttrs& p, ScalarType dtype, const Shape& x, const Shape& w,
                   const Shape& y) {
  ConvArgs a;
  a.dtype = dtype;
  a.in_sizes = x;
  a.w_sizes = w;
  a.out_sizes = y;
  a.stride = p.stride;
  a.padding = p.padding;
  a.dilation = p.dilation;
  a.groups = p.groups;
  return a;
}

std::vector<OutSpec> conv_meta(const std::vector<Tensor>& in, const Attrs& attrs) {
  EMBER_CHECK(in.size() == 2 || in.size() == 3, "convolution: expected input, weight and bias");
  const Tensor &x = in[0], &w = in[1];
  ConvAttrs p = conv_attrs(attrs);
  int64_t wd = w.dim();
  EMBER_CHECK(wd >= 3 && wd <= 5, "convolution: expected a 3-, 4- or 5-dimensional weight, but got ",
              wd, "-dimensional weight of size ", shape_str(w.sizes()));
  EMBER_CHECK(x.dim() == wd, "Expected ", wd, "-dimensional input for ", wd,
              "-dimensional weight ", shape_str(w.sizes()), ", but got ", x.dim(),
              "-dimensional input of size ", shape_str(x.sizes()), " instead");
  check_params(p, static_cast<size_t>(wd - 2));
  EMBER_CHECK(is_floating(x.dtype()), "\"convolution\" not implemented for '",
              dtype_name(x.dtype()), "'");
  check_same("Input", x, "weight", w);
  EMBER_CHECK(w.sizes()[0] % p.groups == 0, "Given groups=", p.groups,
              ", expected weight to be divisible by ", p.groups, " at dimension 0, but got weight of size ",
              shape_str(w.sizes()), " instead");
  EMBER_CHECK(x.sizes()[1] == w.sizes()[1] * p.groups, "Given groups=", p.groups, ", weight of size ",
              shape_str(w.sizes()), ", expected input", shape_str(x.sizes()), " to have ",
              w.sizes()[1] * p.groups, " channels, but got ", x.sizes()[1], " channels instead");
  if (in.size() == 3 && in[2].defined()) {
    const Tensor& b = in[2];
    check_same("Input", x, "bias", b);
    EMBER_CHECK(b.dim() == 1 && b.sizes()[0] == w.sizes()[0], "Given weight of size ",
                shape_str(w.sizes()), ", expected bias to be 1-dimensional with ", w.sizes()[0],
                " elements, but got bias of size ", shape_str(b.sizes()), " instead");
  }
  Shape y{x.sizes()[0], w.sizes()[0]};
  std::string padded, kernel;
  bool too_small = false;
  for (int64_t i = 0; i < wd - 2; ++i) {
    int64_t padded_in = x.sizes()[2 + i] + 2 * p.padding[i];
    int64_t eff_k = p.dilation[i] * (w.sizes()[2 + i] - 1) + 1;
    padded += (i ? " x " : "") + std::to_string(padded_in);
    kernel += (i ? " x " : "") + std::to_string(eff_k);
    too_small = too_small || padded_in < eff_k;
    y.push_back(out_size(x.sizes()[2 + i], w.sizes()[2 + i], p.stride[i], p.padding[i], p.dilation[i]));
  }
  EMBER_CHECK(!too_small, "Calculated padded input size per channel: (", padded, "). Kernel size: (",
              kernel, "). Kernel size can't be greater than actual input size");
  return {{y, x.dtype(), x.device()}};
}

// Runs `body` on contiguous operands and a contiguous output (copied back if `out` is not).
template <class F>
void with_contiguous_out(const Tensor& out, const F& body) {
  if (out.is_contiguous()) return body(out);
  Tensor tmp = empty_tensor(out.sizes(), out.dtype(), out.device());
  body(tmp);
  copy_into(out, tmp);
}

void zero_fill(const Tensor& t) { copy_into(t, wrapped_scalar(Scalar(0.0))); }

void conv_run(const std::vector<Tensor>& in, const Attrs& attrs, std::vector<Tensor>& out) {
  if (out[0].numel() == 0) return;
  Tensor x = contiguous_copy(in[0]), w = contiguous_copy(in[1]);
  Tensor b = in.size() == 3 && in[2].defined() ? contiguous_copy(in[2]) : Tensor();
  ConvArgs a = make_args(conv_attrs(attrs), x.dtype(), x.sizes(), w.sizes(), out[0].sizes());
  with_contiguous_out(out[0], [&](const Tensor& y) {
    if (x.sizes()[1] == 0) {  // no input channels: the bias alone
      if (b.defined()) {
        Shape bs(y.dim(), 1);
        bs[1] = b.sizes()[0];
        copy_into(y, make_view(b, bs, Shape(y.dim(), 1), b.storage_offset()));
      } else {
        zero_fill(y);
      }
      return;
    }
    backend_for(x.device()).conv_forward(a, y, x, w, b);
  });
}

// grad_y [N, C_out, *out] and w: x's size comes from the attribute `input_size`.
std::vector<OutSpec> conv_backward_input_meta(const std::vector<Tensor>& in, const Attrs& attrs) {
  const Tensor &gy = in[0], &w = in[1];
  ConvAttrs p = conv_attrs(attrs);
  check_params(p, static_cast<size_t>(w.dim() - 2));
  check_same("Input", gy, "weight", w);
  EMBER_CHECK(is_floating(gy.dtype()), "\"convolution_backward\" not implemented for '",
              dtype_name(gy.dtype()), "'");
  Shape xs = attrs.ints("input_size");
  EMBER_CHECK(gy.dim() == w.dim() && static_cast<int64_t>(xs.size()) == w.dim() &&
                  gy.sizes()[1] == w.sizes()[0] && xs[1] == w.sizes()[1] * p.groups &&
                  xs[0] == gy.sizes()[0],
              "convolution_backward_input: grad_output ", shape_str(gy.sizes()), ", weight ",
              shape_str(w.sizes()), " and input size ", shape_str(xs), " do not match (groups=",
              p.groups, ")");
  for (int64_t i = 0; i < w.dim() - 2; ++i)
    EMBER_CHECK(out_size(xs[2 + i], w.sizes()[2 + i], p.stride[i], p.padding[i], p.dilation[i]) >=
                    gy.sizes()[2 + i],
                "convolution_backward_input: input size ", shape_str(xs),
                " does not give the grad_output size ", shape_str(gy.sizes()));
  return {{xs, gy.dtype(), gy.device()}};
}

// grad_y extended with zeros to the full output size of x (transposed convolution with an
// output_padding of at least the stride leaves outputs that no grad_y element covers).
Tensor full_grad_y(const Tensor& gy, const ConvAttrs& p, const Shape& xs, const Shape& ws) {
  Shape full = gy.sizes();
  bool same = true;
  for (size_t i = 2; i < full.size(); ++i) {
    full[i] = out_size(xs[i], ws[i], p.stride[i - 2], p.padding[i - 2], p.dilation[i - 2]);
    same = same && full[i] == gy.sizes()[i];
  }
  if (same) return contiguous_copy(gy);
  Tensor t = empty_tensor(full, gy.dtype(), gy.device());
  zero_fill(t);
  copy_into(make_view(t, gy.sizes(), t.strides(), 0), gy);
  return t;
}

void conv_backward_input_run(const std::vector<Tensor>& in, const Attrs& attrs,
                             std::vector<Tensor>& out) {
  if (out[0].numel() == 0) return;
  ConvAttrs p = conv_attrs(attrs);
  Tensor w = contiguous_copy(in[1]);
  Tensor gy = full_grad_y(in[0], p, out[0].sizes(), w.sizes());
  ConvArgs a = make_args(p, gy.dtype(), out[0].sizes(), w.sizes(), gy.sizes());
  with_contiguous_out(out[0], [&](const Tensor& gx) {
    if (gy.numel() == 0) return zero_fill(gx);
    backend_for(gy.device()).conv_backward_input(a, gx, gy, w);
  });
}

std::vector<OutSpec> conv_backward_weight_meta(const std::vector<Tensor>& in, const Attrs& attrs) {
  const Tensor &gy = in[0], &x = in[1];
  ConvAttrs p = conv_attrs(attrs);
  check_params(p, static_cast<size_t>(x.dim() - 2));
  check_same("Input", x, "grad_output", gy);
  EMBER_CHECK(is_floating(gy.dtype()), "\"convolution_backward\" not implemented for '",
              dtype_name(gy.dtype()), "'");
  Shape ws = attrs.ints("weight_size");
  EMBER_CHECK(gy.dim() == x.dim() && static_cast<int64_t>(ws.size()) == x.dim() &&
                  gy.sizes()[0] == x.sizes()[0] && gy.sizes()[1] == ws[0] &&
                  x.sizes()[1] == ws[1] * p.groups && ws[0] % p.groups == 0,
              "convolution_backward_weight: grad_output ", shape_str(gy.sizes()), ", input ",
              shape_str(x.sizes()), " and weight size ", shape_str(ws), " do not match (groups=",
              p.groups, ")");
  for (int64_t i = 0; i < x.dim() - 2; ++i)
    EMBER_CHECK(out_size(x.sizes()[2 + i], ws[2 + i], p.stride[i], p.padding[i], p.dilation[i]) >=
                    gy.sizes()[2 + i],
                "convolution_backward_weight: input ", shape_str(x.sizes()),
                " does not give the grad_output size ", shape_str(gy.sizes()));
  return {{ws, gy.dtype(), gy.device()}};
}

void conv_backward_weight_run(const std::vector<Tensor>& in, const Attrs& attrs,
                              std::vector<Tensor>& out) {
  if (out[0].numel() == 0) return;
  ConvAttrs p = conv_attrs(attrs);
  Tensor x = contiguous_copy(in[1]);
  Tensor gy = full_grad_y(in[0], p, x.sizes(), out[0].sizes());
  ConvArgs a = make_args(p, gy.dtype(), x.sizes(), out[0].sizes(), gy.sizes());
  with_contiguous_out(out[0], [&](const Tensor& gw) {
    if (gy.numel() == 0 || x.numel() == 0) return zero_fill(gw);
    backend_for(gy.device()).conv_backward_weight(a, gw, gy, x);
  });
}

}  // namespace

void register_conv_ops() {
  register_op(OpId::Convolution, conv_meta, conv_run);
  register_op(OpId::ConvBackwardInput, conv_backward_input_meta, conv_backward_input_run);
  register_op(OpId::ConvBackwardWeight, conv_backward_weight_meta, conv_backward_weight_run);
}

}  // namespace ember
