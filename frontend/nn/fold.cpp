#include "ember/nn/fold.h"

#include <ostream>
#include <sstream>

#include "ember/functional.h"
#include "ember/nn/conv.h"

namespace ember {

namespace {

struct BlockGeometry {
  int64_t kh, kw, dh, dw, ph, pw, sh, sw;
  int64_t blocks_h, blocks_w;  // sliding blocks along each spatial dim
};

BlockGeometry geometry(int64_t h, int64_t w, IntArrayRef k, IntArrayRef d, IntArrayRef p, IntArrayRef s) {
  EMBER_CHECK(k.size() == 2 && d.size() == 2 && p.size() == 2 && s.size() == 2,
              "im2col/col2im: kernel_size, dilation, padding and stride must have 2 elements each");
  BlockGeometry g{k[0], k[1], d[0], d[1], p[0], p[1], s[0], s[1], 0, 0};
  EMBER_CHECK(g.kh > 0 && g.kw > 0, "kernel size should be greater than zero, but got kernel_height: ", g.kh,
              " kernel_width: ", g.kw);
  EMBER_CHECK(g.dh > 0 && g.dw > 0, "dilation should be greater than zero, but got dilation_height: ", g.dh,
              " dilation_width: ", g.dw);
  EMBER_CHECK(g.sh > 0 && g.sw > 0, "stride should be greater than zero, but got stride_height: ", g.sh,
              " stride_width: ", g.sw);
  EMBER_CHECK(g.ph >= 0 && g.pw >= 0, "padding should be non-negative, but got pad_height: ", g.ph,
              " pad_width: ", g.pw);
  g.blocks_h = (h + 2 * g.ph - g.dh * (g.kh - 1) - 1) / g.sh + 1;
  g.blocks_w = (w + 2 * g.pw - g.dw * (g.kw - 1) - 1) / g.sw + 1;
  return g;
}

// The strided view of the padded image that kernel offset (i, j) reads: [N, C, blocks_h, blocks_w].
Tensor block_view(const Tensor& padded, const BlockGeometry& g, int64_t i, int64_t j) {
  return padded.slice(2, i * g.dh, i * g.dh + g.sh * (g.blocks_h - 1) + 1, g.sh)
      .slice(3, j * g.dw, j * g.dw + g.sw * (g.blocks_w - 1) + 1, g.sw);
}

// As libtorch prints an ExpandingArray in pretty_print: "[2, 3]".
std::string list(IntArrayRef v) {
  std::ostringstream os;
  os << "[" << v[0] << ", " << v[1] << "]";
  return os.str();
}

std::string pair(IntArrayRef v) {
  std::ostringstream os;
  os << "(" << v[0] << ", " << v[1] << ")";
  return os.str();
}

}  // namespace

Tensor im2col(const Tensor& input, IntArrayRef kernel_size, IntArrayRef dilation, IntArrayRef padding,
              IntArrayRef stride) {
  EMBER_CHECK(input.dim() == 3 || input.dim() == 4, "Input Error: Only 3D or 4D input Tensors are "
              "supported (got ", input.dim(), "D)");
  bool unbatched = input.dim() == 3;
  Tensor x = unbatched ? input.unsqueeze(0) : input;
  int64_t n = x.sizes()[0], c = x.sizes()[1];
  BlockGeometry g = geometry(x.sizes()[2], x.sizes()[3], kernel_size, dilation, padding, stride);
  EMBER_CHECK(g.blocks_h >= 1 && g.blocks_w >= 1, "Given input with spatial size (", x.sizes()[2], ", ",
              x.sizes()[3], "), kernel_size=", pair(kernel_size), ", dilation=", pair(dilation), ", padding=",
              pair(padding), ", calculated shape of the array of sliding blocks as (", g.blocks_h, ", ",
              g.blocks_w, "), but its components must be at least one.");
  Tensor padded = (g.ph || g.pw) ? constant_pad_nd(x, {g.pw, g.pw, g.ph, g.ph}) : x;
  std::vector<Tensor> blocks;
  for (int64_t i = 0; i < g.kh; ++i)
    for (int64_t j = 0; j < g.kw; ++j) blocks.push_back(block_view(padded, g, i, j));
  Tensor cols = stack(blocks, 2).reshape({n, c * g.kh * g.kw, g.blocks_h * g.blocks_w});
  return unbatched ? cols.squeeze(0) : cols;
}

Tensor col2im(const Tensor& input, IntArrayRef output_size, IntArrayRef kernel_size, IntArrayRef dilation,
              IntArrayRef padding, IntArrayRef stride) {
  EMBER_CHECK(input.dim() == 2 || input.dim() == 3, "Input Error: Only unbatched (2D) or batched (3D) "
              "input Tensors are supported (got ", input.dim(), "D)");
  EMBER_CHECK(output_size.size() == 2, "col2im: output_size must have 2 elements");
  bool unbatched = input.dim() == 2;
  Tensor cols = unbatched ? input.unsqueeze(0) : input;
  int64_t oh = output_size[0], ow = output_size[1];
  BlockGeometry g = geometry(oh, ow, kernel_size, dilation, padding, stride);
  int64_t n = cols.sizes()[0], ck = cols.sizes()[1];
  EMBER_CHECK(ck % (g.kh * g.kw) == 0, "Expected size of input's dimension 1 to be divisible by the product "
              "of kernel_size, but got input.size(1)=", ck, " and kernel_size=", pair(kernel_size));
  EMBER_CHECK(g.blocks_h >= 1 && g.blocks_w >= 1 && cols.sizes()[2] == g.blocks_h * g.blocks_w,
              "Given output_size=", pair(output_size), ", kernel_size=", pair(kernel_size), ", dilation=",
              pair(dilation), ", padding=", pair(padding), ", stride=", pair(stride),
              ", expected size of input's dimension 2 to match the calculated number of sliding blocks ",
              g.blocks_h, " * ", g.blocks_w, " = ", g.blocks_h * g.blocks_w, ", but got input.size(2)=",
              cols.sizes()[2], ".");
  int64_t c = ck / (g.kh * g.kw);
  Tensor blocks = cols.reshape({n, c, g.kh * g.kw, g.blocks_h, g.blocks_w});
  // Overlapping blocks add up: accumulate each kernel offset's strided view of the padded image.
  Tensor padded = zeros({n, c, oh + 2 * g.ph, ow + 2 * g.pw}, cols.options());
  for (int64_t i = 0; i < g.kh; ++i)
    for (int64_t j = 0; j < g.kw; ++j) {
      int64_t h0 = i * g.dh, w0 = j * g.dw;
      int64_t h1 = h0 + g.sh * (g.blocks_h - 1) + 1, w1 = w0 + g.sw * (g.blocks_w - 1) + 1;
      Tensor rows = padded.slice(2, h0, h1, g.sh);
      Tensor updated = rows.slice(3, w0, w1, g.sw) + blocks.select(2, i * g.kw + j);
      padded = slice_scatter(padded, slice_scatter(rows, updated, 3, w0, w1, g.sw), 2, h0, h1, g.sh);
    }
  Tensor out = padded.slice(2, g.ph, g.ph + oh).slice(3, g.pw, g.pw + ow);
  return unbatched ? out.squeeze(0) : out;
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

void UnfoldImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::Unfold(kernel_size=" << list(options.kernel_size()) << ", dilation=" << list(options.dilation())
     << ", padding=" << list(options.padding()) << ", stride=" << list(options.stride()) << ")";
}
void FoldImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::Fold(output_size=" << list(options.output_size()) << ", kernel_size="
     << list(options.kernel_size()) << ", dilation=" << list(options.dilation()) << ", padding="
     << list(options.padding()) << ", stride=" << list(options.stride()) << ")";
}

}  // namespace nn
}  // namespace ember
