// nn::functional's conv forms and F::pad's entry, and the Conv / ConvTranspose modules
// (libtorch's ConvNdImpl: weight [out, in/groups, k...], transposed [in, out/groups, k...];
// kaiming_uniform_(a = sqrt(5)) and a uniform bias in +-1/sqrt(fan_in)).
#include "ember/nn/conv.h"

#include <cmath>
#include <ostream>

#include "ember/functional.h"
#include "ember/nn/init.h"

namespace ember::nn {

namespace {


template <size_t D>
bool all_equal(const ExpandingArray<D>& a, int64_t v) {
  for (size_t i = 0; i < D; ++i)
    if (a[i] != v) return false;
  return true;
}

template <size_t D, class Padding>
Tensor conv_with(const Tensor& input, const Tensor& weight, const Tensor& bias, const ExpandingArray<D>& stride,
                 const Padding& padding, const ExpandingArray<D>& dilation, int64_t groups) {
  if (const auto* p = std::get_if<ConvPadding>(&padding)) {
    const char* name = *p == kSame ? "same" : "valid";
    if constexpr (D == 1) return conv1d(input, weight, bias, stride, name, dilation, groups);
    if constexpr (D == 2) return conv2d(input, weight, bias, stride, name, dilation, groups);
    if constexpr (D == 3) return conv3d(input, weight, bias, stride, name, dilation, groups);
  }
  const auto& pad = std::get<ExpandingArray<D>>(padding);
  if constexpr (D == 1) return conv1d(input, weight, bias, stride, pad, dilation, groups);
  if constexpr (D == 2) return conv2d(input, weight, bias, stride, pad, dilation, groups);
  return conv3d(input, weight, bias, stride, pad, dilation, groups);
}

template <size_t D>
Tensor conv_t_with(const Tensor& input, const Tensor& weight, const Tensor& bias,
                   const ExpandingArray<D>& stride, const ExpandingArray<D>& padding,
                   const ExpandingArray<D>& output_padding, int64_t groups, const ExpandingArray<D>& dilation) {
  if constexpr (D == 1) return conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups, dilation);
  if constexpr (D == 2) return conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation);
  return conv_transpose3d(input, weight, bias, stride, padding, output_padding, groups, dilation);
}

}  // namespace

namespace functional {

#define EMBER_CONV_FUNCTIONAL(D)                                                                   \
  Tensor conv##D##d(const Tensor& input, const Tensor& weight, const Conv##D##dFuncOptions& o) {   \
    return conv_with<D>(input, weight, o.bias(), o.stride(), o.padding(), o.dilation(), o.groups()); \
  }                                                                                                \
  Tensor conv_transpose##D##d(const Tensor& input, const Tensor& weight,                           \
                              const ConvTranspose##D##dFuncOptions& o) {                           \
    return conv_t_with<D>(input, weight, o.bias(), o.stride(), o.padding(), o.output_padding(),    \
                          o.groups(), o.dilation());                                               \
  }
EMBER_CONV_FUNCTIONAL(1)
EMBER_CONV_FUNCTIONAL(2)
EMBER_CONV_FUNCTIONAL(3)
#undef EMBER_CONV_FUNCTIONAL

}  // namespace functional

template <size_t D, class Derived>
ConvNdImpl<D, Derived>::ConvNdImpl(ConvNdOptions<D> o) : options(std::move(o)) {
  const auto& op = options;
  EMBER_CHECK(op.in_channels() > 0 && op.out_channels() > 0 && op.groups() > 0,
              "in_channels, out_channels and groups must be positive");
  EMBER_CHECK(op.in_channels() % op.groups() == 0, "in_channels must be divisible by groups");
  EMBER_CHECK(op.out_channels() % op.groups() == 0, "out_channels must be divisible by groups");
  if (const auto* p = std::get_if<ConvPadding>(&op.padding())) {
    EMBER_CHECK(!op.transposed(), "ConvTranspose", D, "d: padding must be a number or a list, not a string");
    if (*p == kSame)
      EMBER_CHECK(all_equal(op.stride(), 1), "padding='same' is not supported for strided convolutions");
  }
  if (op.transposed())
    EMBER_CHECK(op.padding_mode() == kZeros, "Only \"zeros\" padding mode is supported for ConvTranspose", D, "d");
  EMBER_CHECK(op.padding_mode() != kConstant, "Conv", D, "d: padding_mode must be zeros, reflect, replicate "
              "or circular");
  reset();
}

template <size_t D, class Derived>
void ConvNdImpl<D, Derived>::reset() {
  const auto& o = options;
  std::vector<int64_t> shape;
  if (o.transposed()) shape = {o.in_channels(), o.out_channels() / o.groups()};
  else shape = {o.out_channels(), o.in_channels() / o.groups()};
  for (size_t i = 0; i < D; ++i) shape.push_back(o.kernel_size()[i]);
  weight = this->register_parameter("weight", ember::empty(shape));
  if (o.bias()) bias = this->register_parameter("bias", ember::empty({o.out_channels()}));
  else bias = this->register_parameter("bias", Tensor(), /*requires_grad=*/false);
  reset_parameters();
}

template <size_t D, class Derived>
void ConvNdImpl<D, Derived>::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    double bound = 1.0 / std::sqrt(static_cast<double>(init::fan_in_out(weight).first));
    init::uniform_(bias, -bound, bound);
  }
}

template <size_t D, class Derived>
void ConvNdImpl<D, Derived>::pretty_print(std::ostream& os) const {
  const auto& o = options;
  os << "torch::nn::Conv" << (o.transposed() ? "Transpose" : "") << D << "d(" << o.in_channels() << ", "
     << o.out_channels() << ", kernel_size=" << o.kernel_size() << ", stride=" << o.stride();
  if (const auto* p = std::get_if<ConvPadding>(&o.padding())) {
    os << ", padding=" << (*p == kSame ? "'same'" : "'valid'");
  } else if (!all_equal(std::get<ExpandingArray<D>>(o.padding()), 0)) {
    os << ", padding=" << std::get<ExpandingArray<D>>(o.padding());
  }
  if (!all_equal(o.dilation(), 1)) os << ", dilation=" << o.dilation();
  if (!all_equal(o.output_padding(), 0)) os << ", output_padding=" << o.output_padding();
  if (o.groups() != 1) os << ", groups=" << o.groups();
  if (!o.bias()) os << ", bias=" << std::boolalpha << false;
  if (o.padding_mode() != kZeros) os << ", padding_mode=" << enum_name(o.padding_mode().name());
  os << ")";
}

template <size_t D, class Derived>
Tensor ConvNdImpl<D, Derived>::padded(const Tensor& input) const {
  // libtorch's _reversed_padding_repeated_twice: last dim first, (left, right) each.
  std::vector<int64_t> pad;
  const auto& o = options;
  for (size_t i = D; i-- > 0;) {
    int64_t left, right;
    if (const auto* p = std::get_if<ConvPadding>(&o.padding())) {
      int64_t total = *p == kSame ? o.dilation()[i] * (o.kernel_size()[i] - 1) : 0;
      left = total / 2;
      right = total - left;
    } else {
      left = right = std::get<ExpandingArray<D>>(o.padding())[i];
    }
    pad.push_back(left);
    pad.push_back(right);
  }
  return functional::pad(input, functional::PadFuncOptions(pad).mode(o.padding_mode()));
}

#define EMBER_CONV_IMPL(Name, D)                                                                 \
  template class ConvNdImpl<D, Name##Impl>;                                                      \
  Tensor Name##Impl::forward(const Tensor& input) {                                              \
    if (options.padding_mode() != kZeros)                                                        \
      return conv_with<D>(padded(input), weight, bias, options.stride(),                         \
                          typename ConvNdOptions<D>::padding_t(ExpandingArray<D>(0)), options.dilation(), \
                          options.groups());                                                     \
    return conv_with<D>(input, weight, bias, options.stride(), options.padding(), options.dilation(), \
                        options.groups());                                                       \
  }
EMBER_CONV_IMPL(Conv1d, 1)
EMBER_CONV_IMPL(Conv2d, 2)
EMBER_CONV_IMPL(Conv3d, 3)
#undef EMBER_CONV_IMPL

namespace {

// libtorch's ConvTransposeNdImpl::_output_padding.
template <size_t D>
ExpandingArray<D> output_padding_for(const ConvNdOptions<D>& o, const Tensor& input,
                                     const std::vector<int64_t>& output_size) {
  if (output_size.empty()) return o.output_padding();
  std::vector<int64_t> spatial = output_size;
  if (spatial.size() == D + 2 || (spatial.size() == D + 1 && input.dim() == D + 1))
    spatial.erase(spatial.begin(), spatial.end() - D);
  EMBER_CHECK(spatial.size() == D, "ConvTranspose", D, "d: output_size must have ", D, " or ", D + 2,
              " elements (got ", spatial.size(), ")");
  ExpandingArray<D> r(0);
  const auto& pad = std::get<ExpandingArray<D>>(o.padding());
  for (size_t i = 0; i < D; ++i) {
    int64_t in = input.size(input.dim() - static_cast<int64_t>(D) + static_cast<int64_t>(i));
    int64_t min_size = (in - 1) * o.stride()[i] - 2 * pad[i] + o.dilation()[i] * (o.kernel_size()[i] - 1) + 1;
    int64_t max_size = min_size + o.stride()[i] - 1;
    EMBER_CHECK(spatial[i] >= min_size && spatial[i] <= max_size, "requested an output size of ",
                shape_str(spatial), ", but valid sizes range from ", min_size, " to ", max_size,
                " (for an input of ", shape_str(input.sizes().slice(input.dim() - static_cast<int64_t>(D))), ")");
    r[i] = spatial[i] - min_size;
  }
  return r;
}

}  // namespace

#define EMBER_CONV_T_IMPL(Name, D)                                                               \
  template class ConvNdImpl<D, Name##Impl>;                                                      \
  Tensor Name##Impl::forward(const Tensor& input, const std::vector<int64_t>& output_size) {     \
    return conv_t_with<D>(input, weight, bias, options.stride(),                                 \
                          std::get<ExpandingArray<D>>(options.padding()),                        \
                          output_padding_for<D>(options, input, output_size), options.groups(),  \
                          options.dilation());                                                   \
  }
EMBER_CONV_T_IMPL(ConvTranspose1d, 1)
EMBER_CONV_T_IMPL(ConvTranspose2d, 2)
EMBER_CONV_T_IMPL(ConvTranspose3d, 3)
#undef EMBER_CONV_T_IMPL

}  // namespace ember::nn
