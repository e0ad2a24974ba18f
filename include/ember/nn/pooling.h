#pragma once
// Pooling, as libtorch's: the free functions (torch::max_pool2d, torch::avg_pool2d,
// torch::adaptive_avg_pool2d, torch::adaptive_max_pool2d, torch::max_unpool2d ...), the
// options objects, nn::functional and the modules MaxPool*, AvgPool*, AdaptiveAvgPool*,
// AdaptiveMaxPool* and MaxUnpool* (1d, 2d, 3d).
#include <optional>
#include <ostream>
#include <tuple>
#include <vector>

#include "ember/nn/arg.h"
#include "ember/nn/cloneable.h"
#include "ember/nn/expanding_array.h"
#include "ember/nn/module.h"
#include "ember/tensor.h"

namespace ember {

// An empty stride means the kernel size. Single-element lists expand to every spatial dim.
#define EMBER_POOL_FREE(D)                                                                        \
  Tensor max_pool##D##d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride = {},     \
                        IntArrayRef padding = 0, IntArrayRef dilation = 1, bool ceil_mode = false); \
  std::tuple<Tensor, Tensor> max_pool##D##d_with_indices(                                         \
      const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride = {}, IntArrayRef padding = 0, \
      IntArrayRef dilation = 1, bool ceil_mode = false);                                          \
  Tensor avg_pool##D##d(const Tensor& self, IntArrayRef kernel_size, IntArrayRef stride = {},     \
                        IntArrayRef padding = 0, bool ceil_mode = false, bool count_include_pad = true, \
                        std::optional<int64_t> divisor_override = std::nullopt);                  \
  Tensor adaptive_avg_pool##D##d(const Tensor& self, IntArrayRef output_size);                    \
  std::tuple<Tensor, Tensor> adaptive_max_pool##D##d(const Tensor& self, IntArrayRef output_size); \
  Tensor max_unpool##D##d(const Tensor& self, const Tensor& indices, IntArrayRef output_size);
EMBER_POOL_FREE(1)
EMBER_POOL_FREE(2)
EMBER_POOL_FREE(3)
#undef EMBER_POOL_FREE

namespace nn {

template <size_t D>
struct MaxPoolOptions {
  MaxPoolOptions(ExpandingArray<D> kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}
  EMBER_ARG(ExpandingArray<D>, kernel_size);
  EMBER_ARG(ExpandingArray<D>, stride);
  EMBER_ARG(ExpandingArray<D>, padding) = 0;
  EMBER_ARG(ExpandingArray<D>, dilation) = 1;
  EMBER_ARG(bool, ceil_mode) = false;
};
using MaxPool1dOptions = MaxPoolOptions<1>;
using MaxPool2dOptions = MaxPoolOptions<2>;
using MaxPool3dOptions = MaxPoolOptions<3>;

template <size_t D>
struct AvgPoolOptions {
  AvgPoolOptions(ExpandingArray<D> kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}
  EMBER_ARG(ExpandingArray<D>, kernel_size);
  EMBER_ARG(ExpandingArray<D>, stride);
  EMBER_ARG(ExpandingArray<D>, padding) = 0;
  EMBER_ARG(bool, ceil_mode) = false;
  EMBER_ARG(bool, count_include_pad) = true;
  EMBER_ARG(std::optional<int64_t>, divisor_override) = std::nullopt;
};
using AvgPool1dOptions = AvgPoolOptions<1>;
using AvgPool2dOptions = AvgPoolOptions<2>;
using AvgPool3dOptions = AvgPoolOptions<3>;

template <size_t D>
struct AdaptivePoolOptions {
  AdaptivePoolOptions(ExpandingArray<D> output_size) : output_size_(output_size) {}
  EMBER_ARG(ExpandingArray<D>, output_size);
};
using AdaptiveAvgPool1dOptions = AdaptivePoolOptions<1>;
using AdaptiveAvgPool2dOptions = AdaptivePoolOptions<2>;
using AdaptiveAvgPool3dOptions = AdaptivePoolOptions<3>;
using AdaptiveMaxPool1dOptions = AdaptivePoolOptions<1>;
using AdaptiveMaxPool2dOptions = AdaptivePoolOptions<2>;
using AdaptiveMaxPool3dOptions = AdaptivePoolOptions<3>;

template <size_t D>
struct MaxUnpoolOptions {
  MaxUnpoolOptions(ExpandingArray<D> kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}
  EMBER_ARG(ExpandingArray<D>, kernel_size);
  EMBER_ARG(ExpandingArray<D>, stride);
  EMBER_ARG(ExpandingArray<D>, padding) = 0;
};
using MaxUnpool1dOptions = MaxUnpoolOptions<1>;
using MaxUnpool2dOptions = MaxUnpoolOptions<2>;
using MaxUnpool3dOptions = MaxUnpoolOptions<3>;

namespace functional {

template <size_t D>
struct MaxUnpoolFuncOptions {
  MaxUnpoolFuncOptions(ExpandingArray<D> kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}
  EMBER_ARG(ExpandingArray<D>, kernel_size);
  EMBER_ARG(ExpandingArray<D>, stride);
  EMBER_ARG(ExpandingArray<D>, padding) = 0;
  // The full size or only the spatial one; default: (in - 1) * stride - 2 * padding + kernel.
  EMBER_ARG(std::optional<std::vector<int64_t>>, output_size) = std::nullopt;
};

#define EMBER_POOL_FUNCTIONAL(D)                                                                  \
  using MaxPool##D##dFuncOptions = MaxPoolOptions<D>;                                             \
  using AvgPool##D##dFuncOptions = AvgPoolOptions<D>;                                             \
  using AdaptiveAvgPool##D##dFuncOptions = AdaptivePoolOptions<D>;                                \
  using AdaptiveMaxPool##D##dFuncOptions = AdaptivePoolOptions<D>;                                \
  using MaxUnpool##D##dFuncOptions = MaxUnpoolFuncOptions<D>;                                     \
  Tensor max_pool##D##d(const Tensor& input, const MaxPoolOptions<D>& options);                   \
  std::tuple<Tensor, Tensor> max_pool##D##d_with_indices(const Tensor& input,                     \
                                                         const MaxPoolOptions<D>& options);       \
  Tensor avg_pool##D##d(const Tensor& input, const AvgPoolOptions<D>& options);                   \
  Tensor adaptive_avg_pool##D##d(const Tensor& input, const AdaptivePoolOptions<D>& options);     \
  Tensor adaptive_max_pool##D##d(const Tensor& input, const AdaptivePoolOptions<D>& options);     \
  std::tuple<Tensor, Tensor> adaptive_max_pool##D##d_with_indices(                                \
      const Tensor& input, const AdaptivePoolOptions<D>& options);                                \
  Tensor max_unpool##D##d(const Tensor& input, const Tensor& indices,                             \
                          const MaxUnpoolFuncOptions<D>& options);
EMBER_POOL_FUNCTIONAL(1)
EMBER_POOL_FUNCTIONAL(2)
EMBER_POOL_FUNCTIONAL(3)
#undef EMBER_POOL_FUNCTIONAL

}  // namespace functional

// One module template per pool kind; Name##Impl derives from it for libtorch's names.
template <size_t D, class Derived>
class MaxPoolImpl : public Cloneable<Derived> {
 public:
  MaxPoolImpl(ExpandingArray<D> kernel_size) : MaxPoolImpl(MaxPoolOptions<D>(kernel_size)) {}
  explicit MaxPoolImpl(const MaxPoolOptions<D>& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);
  MaxPoolOptions<D> options;
};

template <size_t D, class Derived>
class AvgPoolImpl : public Cloneable<Derived> {
 public:
  AvgPoolImpl(ExpandingArray<D> kernel_size) : AvgPoolImpl(AvgPoolOptions<D>(kernel_size)) {}
  explicit AvgPoolImpl(const AvgPoolOptions<D>& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  AvgPoolOptions<D> options;
};

template <size_t D, class Derived>
class AdaptiveAvgPoolImpl : public Cloneable<Derived> {
 public:
  AdaptiveAvgPoolImpl(ExpandingArray<D> output_size) : AdaptiveAvgPoolImpl(AdaptivePoolOptions<D>(output_size)) {}
  explicit AdaptiveAvgPoolImpl(const AdaptivePoolOptions<D>& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  AdaptivePoolOptions<D> options;
};

template <size_t D, class Derived>
class AdaptiveMaxPoolImpl : public Cloneable<Derived> {
 public:
  AdaptiveMaxPoolImpl(ExpandingArray<D> output_size) : AdaptiveMaxPoolImpl(AdaptivePoolOptions<D>(output_size)) {}
  explicit AdaptiveMaxPoolImpl(const AdaptivePoolOptions<D>& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);
  AdaptivePoolOptions<D> options;
};

template <size_t D, class Derived>
class MaxUnpoolImpl : public Cloneable<Derived> {
 public:
  MaxUnpoolImpl(ExpandingArray<D> kernel_size) : MaxUnpoolImpl(MaxUnpoolOptions<D>(kernel_size)) {}
  explicit MaxUnpoolImpl(const MaxUnpoolOptions<D>& options) : options(options) {}
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input, const Tensor& indices);
  MaxUnpoolOptions<D> options;
};

#define EMBER_POOL_MODULE(Name, Base, D)                      \
  class Name##Impl : public Base<D, Name##Impl> {             \
   public:                                                    \
    using Base<D, Name##Impl>::Base;                          \
  };                                                          \
  EMBER_MODULE(Name)
EMBER_POOL_MODULE(MaxPool1d, MaxPoolImpl, 1);
EMBER_POOL_MODULE(MaxPool2d, MaxPoolImpl, 2);
EMBER_POOL_MODULE(MaxPool3d, MaxPoolImpl, 3);
EMBER_POOL_MODULE(AvgPool1d, AvgPoolImpl, 1);
EMBER_POOL_MODULE(AvgPool2d, AvgPoolImpl, 2);
EMBER_POOL_MODULE(AvgPool3d, AvgPoolImpl, 3);
EMBER_POOL_MODULE(AdaptiveAvgPool1d, AdaptiveAvgPoolImpl, 1);
EMBER_POOL_MODULE(AdaptiveAvgPool2d, AdaptiveAvgPoolImpl, 2);
EMBER_POOL_MODULE(AdaptiveAvgPool3d, AdaptiveAvgPoolImpl, 3);
EMBER_POOL_MODULE(AdaptiveMaxPool1d, AdaptiveMaxPoolImpl, 1);
EMBER_POOL_MODULE(AdaptiveMaxPool2d, AdaptiveMaxPoolImpl, 2);
EMBER_POOL_MODULE(AdaptiveMaxPool3d, AdaptiveMaxPoolImpl, 3);
EMBER_POOL_MODULE(MaxUnpool1d, MaxUnpoolImpl, 1);
EMBER_POOL_MODULE(MaxUnpool2d, MaxUnpoolImpl, 2);
EMBER_POOL_MODULE(MaxUnpool3d, MaxUnpoolImpl, 3);
#undef EMBER_POOL_MODULE

}  // namespace nn
}  // namespace ember
