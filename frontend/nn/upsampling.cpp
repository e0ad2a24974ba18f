#include "ember/nn/upsampling.h"

#include <algorithm>
#include <cmath>
#include <ostream>

#include "ember/functional.h"
#include "ember/nn/pooling.h"

namespace ember {

namespace {

// [*, C, H, W] <-> [*, C / r^2, H * r, W * r] by a view, a permute and a reshape.
Tensor shuffle(const Tensor& x, int64_t r, bool up) {
  const char* name = up ? "pixel_shuffle" : "pixel_unshuffle";
  EMBER_CHECK(x.dim() >= 3, name, " expects input to have at least 3 dimensions, but got input with ",
              x.dim(), " dimension(s)");
  EMBER_CHECK(r > 0, name, " expects ", up ? "upscale_factor" : "downscale_factor",
              " to be greater than 0, but got: ", r);
  int64_t d = x.dim();
  int64_t c = x.sizes()[d - 3], h = x.sizes()[d - 2], w = x.sizes()[d - 1];
  DimVector batch(x.sizes().begin(), x.sizes().end() - 3);
  int64_t nb = static_cast<int64_t>(batch.size());
  DimVector split = batch, order, merged = batch;
  for (int64_t i = 0; i < nb; ++i) order.push_back(i);
  if (up) {
    EMBER_CHECK(c % (r * r) == 0, "pixel_shuffle expects its input's 'channel' dimension to be divisible "
                "by the square of upscale_factor, but input.size(-3)=", c, " is not divisible by ", r * r);
    for (int64_t s : {c / (r * r), r, r, h, w}) split.push_back(s);
    for (int64_t k : {0, 3, 1, 4, 2}) order.push_back(nb + k);  // C, H, r, W, r
    for (int64_t s : {c / (r * r), h * r, w * r}) merged.push_back(s);
  } else {
    EMBER_CHECK(h % r == 0, "pixel_unshuffle expects height to be divisible by downscale_factor, but "
                "input.size(-2)=", h, " is not divisible by ", r);
    EMBER_CHECK(w % r == 0, "pixel_unshuffle expects width to be divisible by downscale_factor, but "
                "input.size(-1)=", w, " is not divisible by ", r);
    for (int64_t s : {c, h / r, r, w / r, r}) split.push_back(s);
    for (int64_t k : {0, 2, 4, 1, 3}) order.push_back(nb + k);  // C, r, r, H, W
    for (int64_t s : {c * r * r, h / r, w / r}) merged.push_back(s);
  }
  return x.reshape(split).permute(order).reshape(merged);
}

using Mode = nn::InterpolateMode;

const char* mode_name(Mode m) {
  switch (m.name()) {
    case EnumName::Nearest: return "nearest";
    case EnumName::NearestExact: return "nearest-exact";
    case EnumName::Linear: return "linear";
    case EnumName::Bilinear: return "bilinear";
    case EnumName::Bicubic: return "bicubic";
    case EnumName::Trilinear: return "trilinear";
    case EnumName::Area: return "area";
    default: return "?";
  }
}

// One output position's source taps along a dim: indices and weights.
struct Taps {
  std::vector<std::vector<int64_t>> index;  // [tap][output position]
  std::vector<std::vector<double>> weight;
};

// libtorch's source-index rules (aten/src/ATen/native/UpSample.h), evaluated in T (float for
// float tensors, as libtorch's CPU kernels do) so positions round the same way.
template <class T>
Taps taps_for(Mode mode, int64_t in, int64_t out, bool align_corners, std::optional<double> scale) {
  auto scale_of = [&]() -> T {
    return scale && *scale > 0 ? static_cast<T>(1.0 / *scale) : static_cast<T>(in) / static_cast<T>(out);
  };
  Taps t;
  if (mode == EnumName::Nearest || mode == EnumName::NearestExact) {
    t.index.assign(1, std::vector<int64_t>(out));
    t.weight.assign(1, std::vector<double>(out, 1.0));
    T s = scale_of();
    for (int64_t i = 0; i < out; ++i) {
      int64_t src;
      if (mode == EnumName::Nearest && out == in) src = i;
      else if (mode == EnumName::Nearest && out == 2 * in) src = i >> 1;
      else if (mode == EnumName::Nearest) src = static_cast<int64_t>(std::floor(static_cast<T>(i) * s));
      else src = static_cast<int64_t>(std::floor((static_cast<T>(i) + T(0.5)) * s));
      t.index[0][i] = std::min(src, in - 1);
    }
    return t;
  }
  T s = align_corners ? (out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : T(0)) : scale_of();
  bool cubic = mode == EnumName::Bicubic;
  auto source = [&](int64_t i) -> T {
    if (align_corners) return s * static_cast<T>(i);
    T src = s * (static_cast<T>(i) + T(0.5)) - T(0.5);
    return (!cubic && src < 0) ? T(0) : src;
  };
  if (!cubic) {
    t.index.assign(2, std::vector<int64_t>(out));
    t.weight.assign(2, std::vector<double>(out));
    for (int64_t i = 0; i < out; ++i) {
      T real = source(i);
      int64_t i0 = static_cast<int64_t>(real);
      int64_t step = i0 < in - 1 ? 1 : 0;
      T lambda = std::min(std::max(real - static_cast<T>(i0), T(0)), T(1));
      t.index[0][i] = i0;
      t.index[1][i] = i0 + step;
      t.weight[0][i] = static_cast<double>(T(1) - lambda);
      t.weight[1][i] = static_cast<double>(lambda);
    }
    return t;
  }
  // Cubic convolution with A = -0.75; taps outside the input read its edge.
  const T A = T(-0.75);
  auto near = [&](T x) { return ((A + 2) * x - (A + 3)) * x * x + 1; };
  auto far = [&](T x) { return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; };
  t.index.assign(4, std::vector<int64_t>(out));
  t.weight.assign(4, std::vector<double>(out));
  for (int64_t i = 0; i < out; ++i) {
    T real = source(i);
    int64_t x0 = static_cast<int64_t>(std::floor(real));
    T f = real - static_cast<T>(x0);
    T w[4] = {far(f + 1), near(f), near(1 - f), far(2 - f)};
    for (int k = 0; k < 4; ++k) {
      t.index[k][i] = std::min(std::max(x0 - 1 + k, int64_t{0}), in - 1);
      t.weight[k][i] = static_cast<double>(w[k]);
    }
  }
  return t;
}

// Resamples one dim of `x` to `out` elements: the sum over taps of weight * x[index].
Tensor resample_dim(const Tensor& x, int64_t dim, int64_t out, Mode mode, bool align_corners,
                    std::optional<double> scale) {
  int64_t in = x.sizes()[static_cast<size_t>(dim)];
  Taps taps = x.dtype() == kFloat64 ? taps_for<double>(mode, in, out, align_corners, scale)
                                    : taps_for<float>(mode, in, out, align_corners, scale);
  DimVector wshape(static_cast<size_t>(x.dim()), 1);
  wshape[static_cast<size_t>(dim)] = out;
  Tensor result;
  for (size_t k = 0; k < taps.index.size(); ++k) {
    // Owning tensors (a from_blob view of the taps would dangle once a trace captures it).
    Tensor idx = tensor(TensorData(taps.index[k]), TensorOptions().dtype(kInt64).device(x.device()));
    Tensor picked = x.index_select(dim, idx);
    if (mode != EnumName::Nearest && mode != EnumName::NearestExact) {
      Tensor w = tensor(TensorData(taps.weight[k]), TensorOptions().dtype(x.dtype()).device(x.device()))
                     .reshape(wshape);
      picked = picked * w;
    }
    result = result.defined() ? result + picked : picked;
  }
  return result;
}

int64_t mode_dims(Mode m) {
  switch (m.name()) {
    case EnumName::Linear: return 3;
    case EnumName::Bilinear:
    case EnumName::Bicubic: return 4;
    case EnumName::Trilinear: return 5;
    default: return 0;  // any of 3, 4, 5
  }
}

}  // namespace

Tensor pixel_shuffle(const Tensor& input, int64_t upscale_factor) { return shuffle(input, upscale_factor, true); }
Tensor pixel_unshuffle(const Tensor& input, int64_t downscale_factor) {
  return shuffle(input, downscale_factor, false);
}

namespace nn {
namespace functional {

Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& o) {
  Mode mode = o.mode();
  EMBER_CHECK(input.dim() >= 3 && input.dim() <= 5, "Input Error: Only 3D, 4D and 5D input Tensors "
              "supported (got ", input.dim(), "D) for the modes: nearest | linear | bilinear | bicubic | "
              "trilinear | area | nearest-exact (got ", mode_name(mode), ")");
  int64_t need = mode_dims(mode);
  EMBER_CHECK(need == 0 || input.dim() == need, "Got ", input.dim(), "D input, but ", mode_name(mode),
              " mode needs ", need, "D input");
  bool interpolating = mode == EnumName::Linear || mode == EnumName::Bilinear || mode == EnumName::Bicubic ||
                       mode == EnumName::Trilinear;
  EMBER_CHECK(interpolating || !o.align_corners().has_value(), "align_corners option can only be set with "
              "the interpolating modes: linear | bilinear | bicubic | trilinear");
  EMBER_CHECK(!o.antialias(), "interpolate: antialias=true is not supported by ember");
  EMBER_CHECK(input.is_floating_point(), "interpolate: expected a floating point input, got ",
              dtype_name(input.dtype()));
  EMBER_CHECK(o.size().has_value() != o.scale_factor().has_value(),
              o.size() ? "only one of size or scale_factor should be defined"
                       : "either size or scale_factor should be defined");
  size_t spatial = static_cast<size_t>(input.dim() - 2);
  std::vector<int64_t> out_size(spatial);
  std::vector<std::optional<double>> scales(spatial);
  if (o.size()) {
    const auto& s = *o.size();
    EMBER_CHECK(s.size() == spatial || s.size() == 1, "size shape must match input shape. Input is ",
                spatial, "D, size is ", s.size());
    for (size_t d = 0; d < spatial; ++d) out_size[d] = s.size() == 1 ? s[0] : s[d];
  } else {
    const auto& f = *o.scale_factor();
    EMBER_CHECK(f.size() == spatial || f.size() == 1, "scale_factor shape must match input shape. Input is ",
                spatial, "D, scale_factor is ", f.size());
    for (size_t d = 0; d < spatial; ++d) {
      double factor = f.size() == 1 ? f[0] : f[d];
      out_size[d] = static_cast<int64_t>(std::floor(static_cast<double>(input.sizes()[d + 2]) * factor));
      if (!o.recompute_scale_factor().value_or(false)) scales[d] = factor;
    }
  }
  for (size_t d = 0; d < spatial; ++d)
    EMBER_CHECK(out_size[d] > 0, "interpolate: output size must be positive, got ", out_size[d],
                " for spatial dim ", d);
  if (mode == EnumName::Area) {
    if (spatial == 1) return adaptive_avg_pool1d(input, out_size);
    EMBER_CHECK(spatial == 2, "interpolate: area mode supports 3D and 4D inputs in ember (got ", input.dim(), "D)");
    return adaptive_avg_pool2d(input, out_size);
  }
  bool align = o.align_corners().value_or(false);
  Tensor y = input;
  for (size_t d = 0; d < spatial; ++d)
    if (out_size[d] != input.sizes()[d + 2] || scales[d])
      y = resample_dim(y, static_cast<int64_t>(d) + 2, out_size[d], mode, align, scales[d]);
  return y;
}

Tensor pixel_shuffle(const Tensor& input, const PixelShuffleFuncOptions& o) {
  return ember::pixel_shuffle(input, o.upscale_factor());
}
Tensor pixel_unshuffle(const Tensor& input, const PixelUnshuffleFuncOptions& o) {
  return ember::pixel_unshuffle(input, o.downscale_factor());
}

}  // namespace functional

void UpsampleImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::Upsample(";
  auto list = [&](const auto& v) {
    os << "[";
    for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
    os << "]";
  };
  if (options.scale_factor()) {
    os << "scale_factor=";
    list(*options.scale_factor());
  } else if (options.size()) {
    os << "size=";
    list(*options.size());
  }
  os << ", mode=" << enum_name(options.mode().name()) << ")";
}

Tensor UpsampleImpl::forward(const Tensor& input) {
  return functional::interpolate(input, functional::InterpolateFuncOptions()
                                            .size(options.size())
                                            .scale_factor(options.scale_factor())
                                            .mode(options.mode())
                                            .align_corners(options.align_corners()));
}

void PixelShuffleImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::PixelShuffle(upscale_factor=" << options.upscale_factor() << ")";
}
void PixelUnshuffleImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::PixelUnshuffle(downscale_factor=" << options.downscale_factor() << ")";
}

}  // namespace nn
}  // namespace ember
