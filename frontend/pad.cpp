// Padding as compositions of differentiable ops: constant_pad_nd is narrow (negative pads)
// and cat with constant blocks; F::pad's reflect / replicate / circular modes gather each
// padded dim with index_select over a host-built index (its gradient is index_add, which
// sums the contributions of repeated positions, as libtorch's *_pad_backward kernels do).
#include <string>
#include <vector>

#include "ember/functional.h"
#include "ember/nn/conv.h"

namespace ember {

namespace {

void check_pad_length(IntArrayRef pad, int64_t dim) {
  EMBER_CHECK(pad.size() % 2 == 0, "Length of pad must be even but instead it equals ", pad.size());
  EMBER_CHECK(static_cast<int64_t>(pad.size()) / 2 <= dim,
              "Length of pad should be no more than twice the number of dimensions of the input. Pad "
              "length is ", pad.size(), " while the input has ", dim, " dimensions.");
}

const char* mode_name(PaddingMode m) {
  switch (m.name()) {
    case EnumName::Reflect: return "reflect";
    case EnumName::Replicate: return "replicate";
    case EnumName::Circular: return "circular";
    default: return "constant";
  }
}

// Source position of output position j of a dim of size n padded by l on the left.
int64_t source(PaddingMode mode, int64_t j, int64_t l, int64_t n) {
  int64_t s = j - l;
  switch (mode.name()) {
    case EnumName::Reflect:
      if (s < 0) s = -s;
      if (s >= n) s = 2 * (n - 1) - s;
      return s;
    case EnumName::Replicate: return s < 0 ? 0 : (s >= n ? n - 1 : s);
    default: return ((s % n) + n) % n;  // circular
  }
}

Tensor pad_indexed(const Tensor& input, IntArrayRef pad, PaddingMode mode) {
  int64_t nd = input.dim(), pairs = static_cast<int64_t>(pad.size()) / 2;
  EMBER_CHECK(pairs >= 1 && pairs <= 3 && (nd == pairs + 1 || nd == pairs + 2),
              "Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now");
  Tensor x = input;
  for (int64_t i = 0; i < pairs; ++i) {
    int64_t d = nd - 1 - i, n = x.size(d), l = pad[2 * i], r = pad[2 * i + 1];
    if (mode == EnumName::Reflect)
      EMBER_CHECK(l < n && r < n, "Argument #4: Padding size should be less than the corresponding input "
                  "dimension, but got: padding (", l, ", ", r, ") at dimension ", d, " of input ",
                  shape_str(input.sizes()));
    if (mode == EnumName::Circular)
      EMBER_CHECK(l <= n && r <= n, "Padding value causes wrapping around more than once.");
    int64_t out = n + l + r;
    EMBER_CHECK(out > 0, "input tensor of size ", shape_str(input.sizes()), " padded by (", l, ", ", r,
                ") at dimension ", d, " with mode ", mode_name(mode), " gives a non-positive size ", out);
    if (l == 0 && r == 0) continue;
    std::vector<int64_t> idx(static_cast<size_t>(out));
    for (int64_t j = 0; j < out; ++j) idx[static_cast<size_t>(j)] = source(mode, j, l, n);
    // An owning tensor (a from_blob view of `idx` would dangle once a trace captures it).
    Tensor index = tensor(TensorData(idx), TensorOptions().dtype(kInt64).device(x.device()));
    x = x.index_select(d, index);
  }
  return x;
}

}  // namespace

Tensor constant_pad_nd(const Tensor& input, IntArrayRef pad, const Scalar& value) {
  int64_t nd = input.dim();
  check_pad_length(pad, nd);
  Tensor x = input;
  for (size_t i = 0; i < pad.size() / 2; ++i) {
    int64_t d = nd - 1 - static_cast<int64_t>(i), l = pad[2 * i], r = pad[2 * i + 1];
    int64_t n = x.size(d), out = n + l + r;
    EMBER_CHECK(out > 0, "The input size ", n, ", plus negative padding ", l, " and ", r,
                " resulted in a negative output size, which is invalid. Check dimension ", d,
                " of your input.");
    // Crop first, then add constant blocks.
    int64_t start = l < 0 ? -l : 0, len = n - start - (r < 0 ? -r : 0);
    if (start != 0 || len != n) x = x.narrow(d, start, len);
    if (l <= 0 && r <= 0) continue;
    std::vector<Tensor> parts;
    auto block = [&](int64_t size) {
      IntList s = x.sizes();
      s[static_cast<size_t>(d)] = size;
      return full(s, value, TensorOptions().dtype(x.dtype()).device(x.device()));
    };
    if (l > 0) parts.push_back(block(l));
    parts.push_back(x);
    if (r > 0) parts.push_back(block(r));
    x = cat(parts, d);
  }
  return x.is_same(input) ? input.clone() : x;
}

namespace nn::functional {

Tensor pad(const Tensor& input, const PadFuncOptions& options) {
  const auto& p = options.pad();
  if (options.mode() == kConstant || options.mode() == kZeros)
    return constant_pad_nd(input, p, options.mode() == kZeros ? 0.0 : options.value());
  check_pad_length(p, input.dim());
  return pad_indexed(input, p, options.mode());
}

}  // namespace nn::functional

}  // namespace ember
