#pragma once
// Convolution and padding, as libtorch's: the free functions (torch::conv2d, torch::convolution,
// torch::conv_transpose2d, torch::constant_pad_nd), the options objects, nn::functional
// (F::conv2d, F::conv_transpose2d, F::pad) and the modules Conv1d/2d/3d and
// ConvTranspose1d/2d/3d (kaiming_uniform_(a = sqrt(5)) weights, uniform bias +-1/sqrt(fan_in)).
#include <ostream>
#include <string>
#include <type_traits>
#include <variant>

#include "ember/nn/arg.h"
#include "ember/nn/cloneable.h"
#include "ember/nn/expanding_array.h"
#include "ember/nn/module.h"
#include "ember/enum.h"
#include "ember/tensor.h"

namespace ember {

// Convolution padding by name: torch::kValid, torch::kSame.
using ConvPadding = EnumOption<EnumName::Valid, EnumName::Same>;
// Padding modes of F::pad (kConstant, kReflect, kReplicate, kCircular) and of convolutions'
// padding_mode (kZeros, kReflect, kReplicate, kCircular).
using PaddingMode = EnumOption<EnumName::Zeros, EnumName::Constant, EnumName::Reflect, EnumName::Replicate,
                               EnumName::Circular>;

// Single-element lists expand to every spatial dim, as libtorch's.
Tensor convolution(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                   IntArrayRef padding, IntArrayRef dilation, bool transposed,
                   IntArrayRef output_padding, int64_t groups);
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
              IntArrayRef padding = 0, IntArrayRef dilation = 1, int64_t groups = 1);
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
              IntArrayRef padding = 0, IntArrayRef dilation = 1, int64_t groups = 1);
Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
              IntArrayRef padding = 0, IntArrayRef dilation = 1, int64_t groups = 1);
namespace detail {
Tensor conv_padding_str(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                        const std::string& padding, IntArrayRef dilation, int64_t groups, int64_t spatial);
template <class S>
constexpr bool is_padding_string = std::is_convertible_v<const S&, std::string> && !std::is_integral_v<S>;
}  // namespace detail
// padding "same" or "valid" (a template, so that a literal 0 still means IntArrayRef padding).
#define EMBER_CONV_STR(D)                                                                           \
  template <class S, std::enable_if_t<detail::is_padding_string<S>, int> = 0>                       \
  Tensor conv##D##d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, \
                    const S& padding, IntArrayRef dilation = 1, int64_t groups = 1) {                \
    return detail::conv_padding_str(input, weight, bias, stride, std::string(padding), dilation, groups, D); \
  }
EMBER_CONV_STR(1)
EMBER_CONV_STR(2)
EMBER_CONV_STR(3)
#undef EMBER_CONV_STR
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
                        IntArrayRef stride = 1, IntArrayRef padding = 0, IntArrayRef output_padding = 0,
                        int64_t groups = 1, IntArrayRef dilation = 1);
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
                        IntArrayRef stride = 1, IntArrayRef padding = 0, IntArrayRef output_padding = 0,
                        int64_t groups = 1, IntArrayRef dilation = 1);
Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const Tensor& bias = {},
                        IntArrayRef stride = 1, IntArrayRef padding = 0, IntArrayRef output_padding = 0,
                        int64_t groups = 1, IntArrayRef dilation = 1);
// pad = (last dim left, last dim right, second-to-last left, ...); negative values crop.
Tensor constant_pad_nd(const Tensor& input, IntArrayRef pad, const Scalar& value = 0);

namespace nn {

// libtorch's detail::ConvNdOptions: Conv{1,2,3}dOptions and ConvTranspose{1,2,3}dOptions.
template <size_t D>
struct ConvNdOptions {
  using padding_t = std::variant<ExpandingArray<D>, ConvPadding>;
  ConvNdOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  EMBER_ARG(int64_t, in_channels);
  EMBER_ARG(int64_t, out_channels);
  EMBER_ARG(ExpandingArray<D>, kernel_size);
  EMBER_ARG(ExpandingArray<D>, stride) = 1;

 public:
  ConvNdOptions& padding(int64_t p) { return padding(ExpandingArray<D>(p)); }
  ConvNdOptions& padding(std::initializer_list<int64_t> p) { return padding(ExpandingArray<D>(p)); }
  ConvNdOptions& padding(const ExpandingArray<D>& p) {
    padding_ = p;
    return *this;
  }
  ConvNdOptions& padding(ConvPadding p) {
    padding_ = p;
    return *this;
  }
  const padding_t& padding() const { return padding_; }

 private:
  padding_t padding_ = ExpandingArray<D>(0);
  EMBER_ARG(ExpandingArray<D>, output_padding) = 0;
  EMBER_ARG(ExpandingArray<D>, dilation) = 1;
  EMBER_ARG(bool, transposed) = false;
  EMBER_ARG(int64_t, groups) = 1;
  EMBER_ARG(bool, bias) = true;
  EMBER_ARG(PaddingMode, padding_mode) = kZeros;
};
template <size_t D>
using ConvOptions = ConvNdOptions<D>;
using Conv1dOptions = ConvNdOptions<1>;
using Conv2dOptions = ConvNdOptions<2>;
using Conv3dOptions = ConvNdOptions<3>;
template <size_t D>
using ConvTransposeOptions = ConvNdOptions<D>;
using ConvTranspose1dOptions = ConvNdOptions<1>;
using ConvTranspose2dOptions = ConvNdOptions<2>;
using ConvTranspose3dOptions = ConvNdOptions<3>;

namespace functional {

template <size_t D>
struct ConvFuncOptions {
  using padding_t = std::variant<ExpandingArray<D>, ConvPadding>;
  EMBER_ARG(Tensor, bias) = {};
  EMBER_ARG(ExpandingArray<D>, stride) = 1;

 public:
  ConvFuncOptions& padding(int64_t p) { return padding(ExpandingArray<D>(p)); }
  ConvFuncOptions& padding(std::initializer_list<int64_t> p) { return padding(ExpandingArray<D>(p)); }
  ConvFuncOptions& padding(const ExpandingArray<D>& p) {
    padding_ = p;
    return *this;
  }
  ConvFuncOptions& padding(ConvPadding p) {
    padding_ = p;
    return *this;
  }
  const padding_t& padding() const { return padding_; }

 private:
  padding_t padding_ = ExpandingArray<D>(0);
  EMBER_ARG(ExpandingArray<D>, dilation) = 1;
  EMBER_ARG(int64_t, groups) = 1;
};
using Conv1dFuncOptions = ConvFuncOptions<1>;
using Conv2dFuncOptions = ConvFuncOptions<2>;
using Conv3dFuncOptions = ConvFuncOptions<3>;

template <size_t D>
struct ConvTransposeFuncOptions {
  EMBER_ARG(Tensor, bias) = {};
  EMBER_ARG(ExpandingArray<D>, stride) = 1;
  EMBER_ARG(ExpandingArray<D>, padding) = 0;
  EMBER_ARG(ExpandingArray<D>, output_padding) = 0;
  EMBER_ARG(int64_t, groups) = 1;
  EMBER_ARG(ExpandingArray<D>, dilation) = 1;
};
using ConvTranspose1dFuncOptions = ConvTransposeFuncOptions<1>;
using ConvTranspose2dFuncOptions = ConvTransposeFuncOptions<2>;
using ConvTranspose3dFuncOptions = ConvTransposeFuncOptions<3>;

Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& options = {});
Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& options = {});
Tensor conv3d(const Tensor& input, const Tensor& weight, const Conv3dFuncOptions& options = {});
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight,
                        const ConvTranspose1dFuncOptions& options = {});
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight,
                        const ConvTranspose2dFuncOptions& options = {});
Tensor conv_transpose3d(const Tensor& input, const Tensor& weight,
                        const ConvTranspose3dFuncOptions& options = {});

struct PadFuncOptions {
  PadFuncOptions(std::vector<int64_t> pad) : pad_(std::move(pad)) {}
  EMBER_ARG(std::vector<int64_t>, pad);
  EMBER_ARG(PaddingMode, mode) = kConstant;
  EMBER_ARG(double, value) = 0;
};
// constant (any number of dims, negative pads crop), reflect / replicate / circular (the
// last 1-3 dims of a 2-5 dim input), differentiable (a composition of cat and index_select).
Tensor pad(const Tensor& input, const PadFuncOptions& options);

}  // namespace functional

// Conv{1,2,3}d and ConvTranspose{1,2,3}d share this body (libtorch's ConvNdImpl).
template <size_t D, class Derived>
class ConvNdImpl : public Cloneable<Derived> {
 public:
  explicit ConvNdImpl(ConvNdOptions<D> options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;

  ConvNdOptions<D> options;
  Tensor weight, bias;

 protected:
  // The input padded for a non-zeros padding_mode (the convolution then pads nothing).
  Tensor padded(const Tensor& input) const;
};

#define EMBER_CONV_MODULE(Name, D, transposed_, forward_decl)                                 \
  class Name##Impl : public ConvNdImpl<D, Name##Impl> {                                         \
   public:                                                                                      \
    Name##Impl(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)        \
        : Name##Impl(ConvNdOptions<D>(in_channels, out_channels, kernel_size)) {}               \
    explicit Name##Impl(ConvNdOptions<D> options)                                               \
        : ConvNdImpl<D, Name##Impl>(options.transposed(transposed_)) {}                         \
    forward_decl;                                                                               \
  };                                                                                            \
  EMBER_MODULE(Name)

#define EMBER_CONV_FORWARD Tensor forward(const Tensor& input)
// output_size (the full size or only the spatial one) picks the output_padding, as libtorch's.
#define EMBER_CONV_T_FORWARD Tensor forward(const Tensor& input, const std::vector<int64_t>& output_size = {})
EMBER_CONV_MODULE(Conv1d, 1, false, EMBER_CONV_FORWARD);
EMBER_CONV_MODULE(Conv2d, 2, false, EMBER_CONV_FORWARD);
EMBER_CONV_MODULE(Conv3d, 3, false, EMBER_CONV_FORWARD);
EMBER_CONV_MODULE(ConvTranspose1d, 1, true, EMBER_CONV_T_FORWARD);
EMBER_CONV_MODULE(ConvTranspose2d, 2, true, EMBER_CONV_T_FORWARD);
EMBER_CONV_MODULE(ConvTranspose3d, 3, true, EMBER_CONV_T_FORWARD);
#undef EMBER_CONV_FORWARD
#undef EMBER_CONV_T_FORWARD
#undef EMBER_CONV_MODULE

}  // namespace nn
}  // namespace ember
