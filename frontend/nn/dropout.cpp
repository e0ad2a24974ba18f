#include "ember/nn/dropout.h"

#include <cmath>
#include <ostream>

#include "ember/functional.h"

namespace ember {

namespace {

void check_p(double p) {
  EMBER_CHECK(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got ", p);
}

// 1 where an element (or, for feature dropout, a whole [n, c] channel) is kept, with
// probability 1 - p, as the input's dtype. Drawn in float32 on the input's device from the
// default generator: the same seed gives the same mask everywhere.
Tensor keep_mask(const Tensor& input, double p, bool feature) {
  DimVector shape = input.sizes();
  if (feature) {
    EMBER_CHECK(input.dim() >= 2, "Feature dropout requires at least 2 dimensions in the input");
    for (size_t d = 2; d < shape.size(); ++d) shape[d] = 1;
  }
  return rand(shape, TensorOptions().dtype(kFloat32).device(input.device())).lt(1 - p).to(input.dtype());
}

Tensor dropout_impl(const Tensor& input, double p, bool train, bool feature, bool alpha, bool inplace) {
  check_p(p);
  if (p == 0 || !train || input.numel() == 0) return input;
  if (p == 1) {
    Tensor zero = zeros({}, input.options());
    return inplace ? input.mul_(zero) : input * zero;
  }
  Tensor keep = keep_mask(input, p, feature);
  if (!alpha) {
    Tensor scale = keep / (1 - p);
    return inplace ? input.mul_(scale) : input * scale;
  }
  // SELU's fixed point survives: dropped units take SELU's negative saturation value, then an
  // affine map restores zero mean and unit variance (libtorch's constants).
  constexpr double kAlpha = 1.7580993408473766;
  double a = 1.0 / std::sqrt((kAlpha * kAlpha * p + 1) * (1 - p));
  Tensor shift = (keep - 1) * (kAlpha * a) + kAlpha * a * p;
  Tensor scale = keep * a;
  return inplace ? input.mul_(scale).add_(shift) : input * scale + shift;
}

// Dropout1d/2d/3d take a batched input of `batched` dims or an unbatched one of one fewer.
Tensor feature_nd(const char* name, Tensor input, int64_t batched, double p, bool train, bool inplace) {
  EMBER_CHECK(input.dim() == batched - 1 || input.dim() == batched, name, ": Expected ", batched - 1,
              "D or ", batched, "D input, but received a ", input.dim(), "D input. Note that ", name,
              " exists to provide channel-wise dropout on inputs with ", batched - 2,
              " spatial dimension(s), a channel dimension, and an optional batch dimension (i.e. ",
              batched - 1, "D or ", batched, "D inputs).");
  bool unbatched = input.dim() == batched - 1;
  Tensor x = unbatched ? input.unsqueeze(0) : input;
  Tensor y = dropout_impl(x, p, train, /*feature=*/true, /*alpha=*/false, inplace);
  if (inplace) return input;
  return unbatched ? y.squeeze(0) : y;
}

}  // namespace

Tensor dropout(const Tensor& input, double p, bool train) {
  return dropout_impl(input, p, train, false, false, false);
}
Tensor feature_dropout(const Tensor& input, double p, bool train) {
  return dropout_impl(input, p, train, true, false, false);
}
Tensor alpha_dropout(const Tensor& input, double p, bool train) {
  return dropout_impl(input, p, train, false, true, false);
}
Tensor feature_alpha_dropout(const Tensor& input, double p, bool train) {
  return dropout_impl(input, p, train, true, true, false);
}

namespace nn {
namespace functional {

Tensor dropout(Tensor input, const DropoutFuncOptions& o) {
  return dropout_impl(input, o.p(), o.training(), false, false, o.inplace());
}
Tensor dropout1d(Tensor input, const Dropout1dFuncOptions& o) {
  return feature_nd("dropout1d", std::move(input), 3, o.p(), o.training(), o.inplace());
}
Tensor dropout2d(Tensor input, const Dropout2dFuncOptions& o) {
  return feature_nd("dropout2d", std::move(input), 4, o.p(), o.training(), o.inplace());
}
Tensor dropout3d(Tensor input, const Dropout3dFuncOptions& o) {
  return feature_nd("dropout3d", std::move(input), 5, o.p(), o.training(), o.inplace());
}
Tensor alpha_dropout(Tensor input, const AlphaDropoutFuncOptions& o) {
  return dropout_impl(input, o.p(), o.training(), false, true, o.inplace());
}
Tensor feature_alpha_dropout(Tensor input, const FeatureAlphaDropoutFuncOptions& o) {
  return dropout_impl(input, o.p(), o.training(), true, true, o.inplace());
}

}  // namespace functional

#define EMBER_DROPOUT_DEFS(Name, call, FuncOptions)                                          \
  Name##Impl::Name##Impl(const DropoutOptions& o) : options(o) { reset(); }                   \
  void Name##Impl::reset() { check_p(options.p()); }                                          \
  void Name##Impl::pretty_print(std::ostream& os) const {                                     \
    os << std::boolalpha << "torch::nn::" #Name "(p=" << options.p()                           \
       << ", inplace=" << options.inplace() << ")";                                           \
  }                                                                                           \
  Tensor Name##Impl::forward(Tensor input) {                                                  \
    return functional::call(std::move(input), functional::FuncOptions().p(options.p()).training( \
                                                  is_training()).inplace(options.inplace()));   \
  }

EMBER_DROPOUT_DEFS(Dropout, dropout, DropoutFuncOptions)
EMBER_DROPOUT_DEFS(Dropout1d, dropout1d, DropoutFuncOptions)
EMBER_DROPOUT_DEFS(Dropout2d, dropout2d, DropoutFuncOptions)
EMBER_DROPOUT_DEFS(Dropout3d, dropout3d, DropoutFuncOptions)
EMBER_DROPOUT_DEFS(AlphaDropout, alpha_dropout, AlphaDropoutFuncOptions)
EMBER_DROPOUT_DEFS(FeatureAlphaDropout, feature_alpha_dropout, AlphaDropoutFuncOptions)
#undef EMBER_DROPOUT_DEFS

}  // namespace nn
}  // namespace ember
