// im2col (F::unfold) and col2im (F::fold) as convolutions with one-hot weights: output
// channel c*kh*kw + k of a grouped convolution (groups = C) reads kernel tap k of channel c,
// which is libtorch's column order. Every output is one product with 1 (plus exact zeros),
// so unfold is exact for finite inputs (an inf or NaN also turns the zero products of its
// neighbours' columns into NaN, unlike libtorch's copy); fold is the transposed convolution,
// summing overlapping taps.
#include "ember/functional.h"
#include "ember/nn/conv.h"

namespace ember {

namespace {

IntList two(IntArrayRef v, const char* op, const char* name) {
  if (v.size() == 2) return IntList(v.begin(), v.end());
  EMBER_CHECK(v.size() == 1, op, ": ", name, " must be a single int or a list of 2 ints, but got ", shape_str(v));
  return IntList(2, v[0]);
}

// [C*kh*kw, 1, kh, kw]: weight[c*K + k] is the one-hot of tap k.
Tensor one_hot_taps(int64_t channels, int64_t kh, int64_t kw, const Tensor& like) {
  int64_t k = kh * kw;
  Tensor eye_k = eye(k, TensorOptions().dtype(like.dtype()).device(like.device())).view({1, k, kh, kw});
  return eye_k.expand({channels, k, kh, kw}).reshape({channels * k, 1, kh, kw});
}

}  // namespace

Tensor im2col(const Tensor& input, IntArrayRef kernel_size, IntArrayRef dilation, IntArrayRef padding,
              IntArrayRef stride) {
  IntList k = two(kernel_size, "im2col", "kernel_size"), d = two(dilation, "im2col", "dilation"),
          p = two(padding, "im2col", "padding"), s = two(stride, "im2col", "stride");
  EMBER_CHECK(input.dim() == 3 || input.dim() == 4,
              "Expected 3D or 4D (batch mode) tensor for input with possible 0 batch size and non-zero "
              "dimensions, but got: ", shape_str(input.sizes()));
  bool batched = input.dim() == 4;
  Tensor x = batched ? input : input.unsqueeze(0);
  int64_t c = x.size(1);
  Tensor cols = conv2d(x, one_hot_taps(c, k[0], k[1], x), {}, s, p, d, c);
  Tensor r = cols.flatten(2);
  return batched ? r : r.squeeze(0);
}

Tensor col2im(const Tensor& input, IntArrayRef output_size, IntArrayRef kernel_size, IntArrayRef dilation,
              IntArrayRef padding, IntArrayRef stride) {
  IntList o = two(output_size, "col2im", "output_size"), k = two(kernel_size, "col2im", "kernel_size"),
          d = two(dilation, "col2im", "dilation"), p = two(padding, "col2im", "padding"),
          s = two(stride, "col2im", "stride");
  EMBER_CHECK(input.dim() == 2 || input.dim() == 3,
              "Expected 2D or 3D (batch mode) tensor for input with possible 0 batch size and non-zero "
              "dimensions, but got: ", shape_str(input.sizes()));
  bool batched = input.dim() == 3;
  Tensor x = batched ? input : input.unsqueeze(0);
  int64_t kk = k[0] * k[1];
  EMBER_CHECK(x.size(1) % kk == 0, "Expected size of input's dimension 1 to be divisible by the product of "
              "kernel_size, but got input.size(1)=", x.size(1), " and kernel_size=", shape_str(k));
  int64_t blocks[2], op[2];
  for (int i = 0; i < 2; ++i) {
    blocks[i] = (o[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) / s[i] + 1;
    EMBER_CHECK(blocks[i] > 0, "Given output_size=", shape_str(o), ", kernel_size=", shape_str(k),
                ", dilation=", shape_str(d), ", padding=", shape_str(p), ", stride=", shape_str(s),
                ", calculated shape of the array of sliding blocks as non-positive");
    op[i] = o[i] - ((blocks[i] - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + 1);
  }
  EMBER_CHECK(x.size(2) == blocks[0] * blocks[1], "Given output_size=", shape_str(o), ", kernel_size=",
              shape_str(k), ", dilation=", shape_str(d), ", padding=", shape_str(p), ", stride=", shape_str(s),
              ", expected size of input's dimension 2 to match the calculated number of sliding blocks ",
              blocks[0], " * ", blocks[1], " = ", blocks[0] * blocks[1], ", but got input.size(2)=", x.size(2), ".");
  int64_t c = x.size(1) / kk;
  Tensor grid = x.reshape({x.size(0), x.size(1), blocks[0], blocks[1]});
  Tensor y = conv_transpose2d(grid, one_hot_taps(c, k[0], k[1], x), {}, s, p, {op[0], op[1]}, c, d);
  return batched ? y : y.squeeze(0);
}

namespace nn {

namespace functional {
Tensor unfold(const Tensor& input, const UnfoldFuncOptions& o) {
  return im2col(input, o.kernel_size(), o.dilation(), o.padding(), o.stride());
}
Tensor fold(const Tensor& input, const FoldFuncOptions& o) {
  return col2im(input, o.output_size(), o.kernel_size(), o.dilation(), o.padding(), o.stride());
}
}  // namespace functional

namespace {
std::ostream& operator<<(std::ostream& os, const ExpandingArray<2>& a) { return os << '[' << a[0] << ", " << a[1] << ']'; }
}  // namespace

void UnfoldImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::Unfold(kernel_size=" << options.kernel_size() << ", dilation=" << options.dilation()
     << ", padding=" << options.padding() << ", stride=" << options.stride() << ")";
}
void FoldImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::Fold(output_size=" << options.output_size() << ", kernel_size=" << options.kernel_size()
     << ", dilation=" << options.dilation() << ", padding=" << options.padding() << ", stride="
     << options.stride() << ")";
}

}  // namespace nn

}  // namespace ember
