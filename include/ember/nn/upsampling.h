#pragma once
// Resampling as libtorch's: F::interpolate / nn::Upsample (nearest, nearest-exact, linear,
// bilinear, trilinear, bicubic; align_corners; size or scale_factor) and PixelShuffle /
// PixelUnshuffle. Compositions of index_select, views and pointwise ops, so they are
// differentiable, run on every device and are traced by compile().
#include <optional>
#include <string>
#include <vector>

#include "ember/enum.h"
#include "ember/nn/arg.h"
#include "ember/nn/cloneable.h"
#include "ember/nn/module.h"

namespace ember {

Tensor pixel_shuffle(const Tensor& input, int64_t upscale_factor);
Tensor pixel_unshuffle(const Tensor& input, int64_t downscale_factor);

namespace nn {

// libtorch's interpolation modes: `.mode(torch::kBilinear)`.
using InterpolateMode = EnumOption<EnumName::Nearest, EnumName::NearestExact, EnumName::Linear, EnumName::Bilinear,
                                   EnumName::Bicubic, EnumName::Trilinear, EnumName::Area>;

struct UpsampleOptions {
  EMBER_ARG(std::optional<std::vector<int64_t>>, size) = std::nullopt;
  EMBER_ARG(std::optional<std::vector<double>>, scale_factor) = std::nullopt;
  EMBER_ARG(InterpolateMode, mode) = kNearest;
  EMBER_ARG(std::optional<bool>, align_corners) = std::nullopt;
};

namespace functional {

struct InterpolateFuncOptions {
  EMBER_ARG(std::optional<std::vector<int64_t>>, size) = std::nullopt;
  EMBER_ARG(std::optional<std::vector<double>>, scale_factor) = std::nullopt;
  EMBER_ARG(InterpolateMode, mode) = kNearest;
  EMBER_ARG(std::optional<bool>, align_corners) = std::nullopt;
  EMBER_ARG(std::optional<bool>, recompute_scale_factor) = std::nullopt;
  EMBER_ARG(bool, antialias) = false;
};

struct PixelShuffleFuncOptions {
  PixelShuffleFuncOptions(int64_t upscale_factor) : upscale_factor_(upscale_factor) {}
  EMBER_ARG(int64_t, upscale_factor);
};
struct PixelUnshuffleFuncOptions {
  PixelUnshuffleFuncOptions(int64_t downscale_factor) : downscale_factor_(downscale_factor) {}
  EMBER_ARG(int64_t, downscale_factor);
};

Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& options = {});
Tensor pixel_shuffle(const Tensor& input, const PixelShuffleFuncOptions& options);
Tensor pixel_unshuffle(const Tensor& input, const PixelUnshuffleFuncOptions& options);

}  // namespace functional

using PixelShuffleOptions = functional::PixelShuffleFuncOptions;
using PixelUnshuffleOptions = functional::PixelUnshuffleFuncOptions;

class UpsampleImpl : public Cloneable<UpsampleImpl> {
 public:
  explicit UpsampleImpl(const UpsampleOptions& options = {}) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  UpsampleOptions options;
};
EMBER_MODULE(Upsample);

class PixelShuffleImpl : public Cloneable<PixelShuffleImpl> {
 public:
  explicit PixelShuffleImpl(const PixelShuffleOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input) { return ember::pixel_shuffle(input, options.upscale_factor()); }
  PixelShuffleOptions options;
};
EMBER_MODULE(PixelShuffle);

class PixelUnshuffleImpl : public Cloneable<PixelUnshuffleImpl> {
 public:
  explicit PixelUnshuffleImpl(const PixelUnshuffleOptions& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input) { return ember::pixel_unshuffle(input, options.downscale_factor()); }
  PixelUnshuffleOptions options;
};
EMBER_MODULE(PixelUnshuffle);

}  // namespace nn
}  // namespace ember
