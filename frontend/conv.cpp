// torch::convolution and its spellings (conv1d/2d/3d, "same"/"valid", conv_transpose*):
// parameter expansion and libtorch's checks here, the work in the Convolution op (transposed:
// ConvBackwardInput) of kernels/ops/conv_ops.cpp. Unbatched inputs gain a batch dim of 1.
#include <string>

#include "ember/functional.h"
#include "ember/nn/conv.h"
#include "frontend/dispatch.h"

namespace ember {

namespace {

IntList expand(IntArrayRef v, int64_t n, const char* name) {
  if (static_cast<int64_t>(v.size()) == n) return IntList(v.begin(), v.end());
  EMBER_CHECK(v.size() == 1, "expected ", name, " to be a single integer value or a list of ", n,
              " values to match the convolution dimensions, but got ", name, "=", shape_str(v));
  return IntList(static_cast<size_t>(n), v[0]);
}

Attrs conv_attrs(const IntList& stride, const IntList& padding, const IntList& dilation, int64_t groups) {
  Attrs a;
  a.set("stride", stride).set("padding", padding).set("dilation", dilation).set("groups", groups);
  return a;
}

// Adds a batch dim of 1 to an input of weight.dim() - 1 dims; `batched` says whether it had one.
Tensor batchify(const Tensor& input, const Tensor& weight, const char* name, bool& batched) {
  int64_t wd = weight.dim();
  EMBER_CHECK(input.dim() == wd || input.dim() == wd - 1, "Expected ", wd - 1, "D (unbatched) or ", wd,
              "D (batched) input to ", name, ", but got input of size: ", shape_str(input.sizes()));
  batched = input.dim() == wd;
  return batched ? input : input.unsqueeze(0);
}

Tensor conv_nd(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
               IntArrayRef padding, IntArrayRef dilation, int64_t groups, int64_t nsp, const char* name) {
  EMBER_CHECK(weight.dim() == nsp + 2, name, ": expected a ", nsp + 2, "-dimensional weight, but got ",
              weight.dim(), "-dimensional weight of size ", shape_str(weight.sizes()));
  bool batched = true;
  Tensor x = batchify(input, weight, name, batched);
  std::vector<Tensor> in{x, weight};
  if (bias.defined()) in.push_back(bias);
  Tensor y = call1(OpId::Convolution, in,
                   conv_attrs(expand(stride, nsp, "stride"), expand(padding, nsp, "padding"),
                              expand(dilation, nsp, "dilation"), groups));
  return batched ? y : y.squeeze(0);
}

Tensor conv_padding_mode(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                         const std::string& padding, IntArrayRef dilation, int64_t groups, int64_t nsp,
                         const char* name) {
  if (padding == "valid") return conv_nd(input, weight, bias, stride, 0, dilation, groups, nsp, name);
  EMBER_CHECK(padding == "same", "Invalid padding string: '", padding, "'");
  IntList st = expand(stride, nsp, "stride"), dil = expand(dilation, nsp, "dilation");
  for (int64_t s : st) EMBER_CHECK(s == 1, "padding='same' is not supported for strided convolutions");
  EMBER_CHECK(weight.dim() == nsp + 2, name, ": expected a ", nsp + 2, "-dimensional weight, but got ",
              weight.dim(), "-dimensional weight of size ", shape_str(weight.sizes()));
  // total = d (k - 1) split as libtorch does: left = total / 2, the odd one on the right.
  IntList left(static_cast<size_t>(nsp)), extra;
  bool asymmetric = false;
  for (int64_t i = nsp - 1; i >= 0; --i) {
    int64_t total = dil[i] * (weight.size(2 + i) - 1);
    left[i] = total / 2;
    extra.push_back(0);
    extra.push_back(total - 2 * left[i]);
    asymmetric = asymmetric || total % 2 != 0;
  }
  Tensor x = asymmetric ? constant_pad_nd(input, extra, 0) : input;
  return conv_nd(x, weight, bias, st, left, dil, groups, nsp, name);
}

}  // namespace

static Tensor conv_transpose_nd(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                         IntArrayRef padding, IntArrayRef output_padding, int64_t groups,
                         IntArrayRef dilation, int64_t nsp, const char* name) {
  EMBER_CHECK(weight.dim() == nsp + 2, name, ": expected a ", nsp + 2, "-dimensional weight, but got ",
              weight.dim(), "-dimensional weight of size ", shape_str(weight.sizes()));
  EMBER_CHECK(groups > 0, "non-positive groups is not supported");
  bool batched = true;
  Tensor x = batchify(input, weight, name, batched);
  IntList st = expand(stride, nsp, "stride"), pad = expand(padding, nsp, "padding"),
          op = expand(output_padding, nsp, "output_padding"), dil = expand(dilation, nsp, "dilation");
  EMBER_CHECK(x.dtype() == weight.dtype(), "Input type (", dtype_name(x.dtype()), ") and weight type (",
              dtype_name(weight.dtype()), ") should be the same");
  EMBER_CHECK(x.size(1) == weight.size(0), "Given transposed=1, weight of size ", shape_str(weight.sizes()),
              ", expected input", shape_str(x.sizes()), " to have ", weight.size(0),
              " channels, but got ", x.size(1), " channels instead");
  EMBER_CHECK(weight.size(0) % groups == 0, "Given groups=", groups, ", expected weight to be divisible by ",
              groups, " at dimension 0, but got weight of size ", shape_str(weight.sizes()), " instead");
  IntList xs{x.size(0), weight.size(1) * groups};
  for (int64_t i = 0; i < nsp; ++i) {
    EMBER_CHECK(st[i] > 0, "non-positive stride is not supported");
    EMBER_CHECK(dil[i] > 0, "dilation should be greater than zero");
    EMBER_CHECK(pad[i] >= 0, "negative padding is not supported");
    EMBER_CHECK(op[i] >= 0 && (op[i] < st[i] || op[i] < dil[i]),
                "output padding must be smaller than either stride or dilation, but got output_padding",
                " = ", shape_str(op), ", stride = ", shape_str(st), ", dilation = ", shape_str(dil));
    int64_t o = (x.size(2 + i) - 1) * st[i] - 2 * pad[i] + dil[i] * (weight.size(2 + i) - 1) + 1 + op[i];
    EMBER_CHECK(o > 0, "Given input size per channel: ", shape_str(x.sizes().slice(2)),
                ". Calculated output size per channel: ", o, " at dim ", i, ". Output size is too small");
    xs.push_back(o);
  }
  Attrs a = conv_attrs(st, pad, dil, groups);
  a.set("input_size", xs);
  Tensor y = call1(OpId::ConvBackwardInput, {x, weight}, a);
  if (bias.defined()) {
    EMBER_CHECK(bias.dim() == 1 && bias.size(0) == xs[1], "Given transposed=1, weight of size ",
                shape_str(weight.sizes()), ", expected bias to be 1-dimensional with ", xs[1],
                " elements, but got bias of size ", shape_str(bias.sizes()), " instead");
    IntList bs(static_cast<size_t>(nsp + 2), 1);
    bs[1] = xs[1];
    y = y + bias.view(bs);
  }
  return batched ? y : y.squeeze(0);
}

Tensor convolution(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                   IntArrayRef padding, IntArrayRef dilation, bool transposed,
                   IntArrayRef output_padding, int64_t groups) {
  int64_t nsp = weight.dim() - 2;
  EMBER_CHECK(nsp >= 1 && nsp <= 3, "convolution: expected a 3-, 4- or 5-dimensional weight, but got ",
              weight.dim(), "-dimensional weight of size ", shape_str(weight.sizes()));
  if (transposed)
    return conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups, dilation, nsp,
                             "convolution");
  return conv_nd(input, weight, bias, stride, padding, dilation, groups, nsp, "convolution");
}

Tensor detail::conv_padding_str(const Tensor& input, const Tensor& weight, const Tensor& bias,
                                IntArrayRef stride, const std::string& padding, IntArrayRef dilation,
                                int64_t groups, int64_t spatial) {
  static const char* names[] = {"conv1d", "conv2d", "conv3d"};
  EMBER_CHECK(spatial >= 1 && spatial <= 3, "internal: conv of ", spatial, " spatial dims");
  return conv_padding_mode(input, weight, bias, stride, padding, dilation, groups, spatial, names[spatial - 1]);
}

#define EMBER_CONV_FREE(D)                                                                          \
  Tensor conv##D##d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, \
                    IntArrayRef padding, IntArrayRef dilation, int64_t groups) {                    \
    return conv_nd(input, weight, bias, stride, padding, dilation, groups, D, "conv" #D "d");      \
  }                                                                                                 \
  Tensor conv_transpose##D##d(const Tensor& input, const Tensor& weight, const Tensor& bias,        \
                              IntArrayRef stride, IntArrayRef padding, IntArrayRef output_padding,  \
                              int64_t groups, IntArrayRef dilation) {                               \
    return conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups, dilation, \
                             D, "conv_transpose" #D "d");                                           \
  }
EMBER_CONV_FREE(1)
EMBER_CONV_FREE(2)
EMBER_CONV_FREE(3)
#undef EMBER_CONV_FREE

}  // namespace ember
