// nn::functional's pooling forms and the pooling modules (pretty_print as libtorch's).
#include "ember/nn/pooling.h"

#include <ostream>

namespace ember::nn {

namespace {


// max_unpool's output size: given (full or spatial), or (in - 1) * stride - 2 * padding + kernel.
template <size_t D>
std::vector<int64_t> unpool_size(const Tensor& input, const functional::MaxUnpoolFuncOptions<D>& o) {
  int64_t nd = input.dim();
  if (o.output_size()) {
    std::vector<int64_t> s = *o.output_size();
    if (s.size() > D) s.erase(s.begin(), s.end() - D);
    return s;
  }
  std::vector<int64_t> s;
  for (size_t i = 0; i < D; ++i)
    s.push_back((input.size(nd - static_cast<int64_t>(D) + static_cast<int64_t>(i)) - 1) * o.stride()[i] -
                2 * o.padding()[i] + o.kernel_size()[i]);
  return s;
}

}  // namespace

namespace functional {

#define EMBER_POOL_FUNCTIONAL(D)                                                                   \
  Tensor max_pool##D##d(const Tensor& input, const MaxPoolOptions<D>& o) {                         \
    return ember::max_pool##D##d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(),    \
                                 o.ceil_mode());                                                   \
  }                                                                                                \
  std::tuple<Tensor, Tensor> max_pool##D##d_with_indices(const Tensor& input, const MaxPoolOptions<D>& o) { \
    return ember::max_pool##D##d_with_indices(input, o.kernel_size(), o.stride(), o.padding(),     \
                                              o.dilation(), o.ceil_mode());                        \
  }                                                                                                \
  Tensor avg_pool##D##d(const Tensor& input, const AvgPoolOptions<D>& o) {                         \
    return ember::avg_pool##D##d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(),   \
                                 o.count_include_pad(), o.divisor_override());                     \
  }                                                                                                \
  Tensor adaptive_avg_pool##D##d(const Tensor& input, const AdaptivePoolOptions<D>& o) {           \
    return ember::adaptive_avg_pool##D##d(input, o.output_size());                                 \
  }                                                                                                \
  Tensor adaptive_max_pool##D##d(const Tensor& input, const AdaptivePoolOptions<D>& o) {           \
    return std::get<0>(ember::adaptive_max_pool##D##d(input, o.output_size()));                    \
  }                                                                                                \
  std::tuple<Tensor, Tensor> adaptive_max_pool##D##d_with_indices(const Tensor& input,             \
                                                                  const AdaptivePoolOptions<D>& o) { \
    return ember::adaptive_max_pool##D##d(input, o.output_size());                                 \
  }                                                                                                \
  Tensor max_unpool##D##d(const Tensor& input, const Tensor& indices, const MaxUnpoolFuncOptions<D>& o) { \
    return ember::max_unpool##D##d(input, indices, unpool_size<D>(input, o));                      \
  }
EMBER_POOL_FUNCTIONAL(1)
EMBER_POOL_FUNCTIONAL(2)
EMBER_POOL_FUNCTIONAL(3)
#undef EMBER_POOL_FUNCTIONAL

}  // namespace functional

template <size_t D, class Derived>
void MaxPoolImpl<D, Derived>::pretty_print(std::ostream& os) const {
  os << std::boolalpha << "torch::nn::MaxPool" << D << "d(kernel_size=" << options.kernel_size()
     << ", stride=" << options.stride() << ", padding=" << options.padding() << ", dilation="
     << options.dilation() << ", ceil_mode=" << options.ceil_mode() << ")";
}
template <size_t D, class Derived>
void AvgPoolImpl<D, Derived>::pretty_print(std::ostream& os) const {
  os << "torch::nn::AvgPool" << D << "d(kernel_size=" << options.kernel_size() << ", stride="
     << options.stride() << ", padding=" << options.padding() << ")";
}
template <size_t D, class Derived>
void AdaptiveAvgPoolImpl<D, Derived>::pretty_print(std::ostream& os) const {
  os << "torch::nn::AdaptiveAvgPool" << D << "d(output_size=" << options.output_size() << ")";
}
template <size_t D, class Derived>
void AdaptiveMaxPoolImpl<D, Derived>::pretty_print(std::ostream& os) const {
  os << "torch::nn::AdaptiveMaxPool" << D << "d(output_size=" << options.output_size() << ")";
}
template <size_t D, class Derived>
void MaxUnpoolImpl<D, Derived>::pretty_print(std::ostream& os) const {
  os << "torch::nn::MaxUnpool" << D << "d(kernel_size=" << options.kernel_size() << ", stride="
     << options.stride() << ", padding=" << options.padding() << ")";
}

template <size_t D, class Derived>
Tensor MaxPoolImpl<D, Derived>::forward(const Tensor& input) {
  auto r = forward_with_indices(input);
  return std::get<0>(r);
}
template <size_t D, class Derived>
std::tuple<Tensor, Tensor> MaxPoolImpl<D, Derived>::forward_with_indices(const Tensor& input) {
  if constexpr (D == 1) return functional::max_pool1d_with_indices(input, options);
  if constexpr (D == 2) return functional::max_pool2d_with_indices(input, options);
  if constexpr (D == 3) return functional::max_pool3d_with_indices(input, options);
}
template <size_t D, class Derived>
Tensor AvgPoolImpl<D, Derived>::forward(const Tensor& input) {
  if constexpr (D == 1) return functional::avg_pool1d(input, options);
  if constexpr (D == 2) return functional::avg_pool2d(input, options);
  if constexpr (D == 3) return functional::avg_pool3d(input, options);
}
template <size_t D, class Derived>
Tensor AdaptiveAvgPoolImpl<D, Derived>::forward(const Tensor& input) {
  if constexpr (D == 1) return functional::adaptive_avg_pool1d(input, options);
  if constexpr (D == 2) return functional::adaptive_avg_pool2d(input, options);
  if constexpr (D == 3) return functional::adaptive_avg_pool3d(input, options);
}
template <size_t D, class Derived>
Tensor AdaptiveMaxPoolImpl<D, Derived>::forward(const Tensor& input) {
  return std::get<0>(forward_with_indices(input));
}
template <size_t D, class Derived>
std::tuple<Tensor, Tensor> AdaptiveMaxPoolImpl<D, Derived>::forward_with_indices(const Tensor& input) {
  if constexpr (D == 1) return functional::adaptive_max_pool1d_with_indices(input, options);
  if constexpr (D == 2) return functional::adaptive_max_pool2d_with_indices(input, options);
  if constexpr (D == 3) return functional::adaptive_max_pool3d_with_indices(input, options);
}
template <size_t D, class Derived>
Tensor MaxUnpoolImpl<D, Derived>::forward(const Tensor& input, const Tensor& indices) {
  functional::MaxUnpoolFuncOptions<D> f(options.kernel_size());
  f.stride(options.stride()).padding(options.padding());
  if constexpr (D == 1) return functional::max_unpool1d(input, indices, f);
  if constexpr (D == 2) return functional::max_unpool2d(input, indices, f);
  if constexpr (D == 3) return functional::max_unpool3d(input, indices, f);
}

#define EMBER_POOL_INSTANCES(D)                               \
  template class MaxPoolImpl<D, MaxPool##D##dImpl>;           \
  template class AvgPoolImpl<D, AvgPool##D##dImpl>;           \
  template class AdaptiveAvgPoolImpl<D, AdaptiveAvgPool##D##dImpl>; \
  template class AdaptiveMaxPoolImpl<D, AdaptiveMaxPool##D##dImpl>; \
  template class MaxUnpoolImpl<D, MaxUnpool##D##dImpl>;
EMBER_POOL_INSTANCES(1)
EMBER_POOL_INSTANCES(2)
EMBER_POOL_INSTANCES(3)
#undef EMBER_POOL_INSTANCES

}  // namespace ember::nn
