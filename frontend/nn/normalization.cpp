#include "ember/nn/normalization.h"

#include <cmath>
#include <limits>
#include <ostream>
#include <sstream>

namespace ember {

namespace {

// [1, C, 1, ..., 1]: a per-channel vector broadcast against an input of `dim` dims.
Tensor per_channel(const Tensor& v, int64_t dim) {
  DimVector shape(static_cast<size_t>(dim), 1);
  shape[1] = v.numel();
  return v.reshape(shape);
}

Tensor affine(Tensor y, const Tensor& weight, const Tensor& bias, int64_t dim) {
  if (weight.defined()) y = y * per_channel(weight, dim);
  if (bias.defined()) y = y + per_channel(bias, dim);
  return y;
}

void check_stat(const char* name, const Tensor& t, int64_t channels) {
  EMBER_CHECK(!t.defined() || t.numel() == channels, name, " should contain ", channels,
              " elements not ", t.numel());
}

// Every dim but the channel dim (1).
DimVector non_channel_dims(int64_t dim) {
  DimVector dims{0};
  for (int64_t d = 2; d < dim; ++d) dims.push_back(d);
  return dims;
}

// Elements reduced into each statistic of a reduction of `x` over `dims`.
int64_t count_over(const Tensor& x, IntArrayRef dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= x.sizes()[static_cast<size_t>(d)];
  return n;
}

// running = (1 - momentum) * running + momentum * value, without gradient.
void update_running(const Tensor& running, const Tensor& value, double momentum) {
  if (!running.defined()) return;
  NoGradGuard no_grad;
  running.mul_(1 - momentum).add_(value.detach().to(running.dtype()) * momentum);
}

// The trailing dims of `input` that `normalized_shape` names, checked as libtorch does.
DimVector trailing_dims(const char* what, const Tensor& input, IntArrayRef normalized_shape) {
  int64_t k = static_cast<int64_t>(normalized_shape.size());
  EMBER_CHECK(k >= 1, what, ": Expected normalized_shape to be at least 1-dimensional, i.e., "
              "containing at least one element, but got normalized_shape = ",
              shape_str(normalized_shape));
  bool ok = input.dim() >= k;
  for (int64_t i = 0; ok && i < k; ++i)
    ok = input.sizes()[static_cast<size_t>(input.dim() - k + i)] == normalized_shape[static_cast<size_t>(i)];
  if (!ok) {
    std::ostringstream expected;
    expected << "[*";
    for (auto s : normalized_shape) expected << ", " << s;
    expected << "]";
    EMBER_FAIL("Given normalized_shape=", shape_str(normalized_shape), ", expected input with shape ",
               expected.str(), ", but got input of size", shape_str(input.sizes()));
  }
  DimVector dims;
  for (int64_t d = input.dim() - k; d < input.dim(); ++d) dims.push_back(d);
  return dims;
}

void check_weight_shape(const char* name, const Tensor& t, IntArrayRef normalized_shape) {
  EMBER_CHECK(!t.defined() || t.sizes() == normalized_shape, "Expected ", name,
              " to be of same shape as normalized_shape, but got ", name, " of shape ",
              shape_str(t.sizes()), " and normalized_shape = ", shape_str(normalized_shape));
}

}  // namespace

Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var, bool training,
                  double momentum, double eps, bool) {
  EMBER_CHECK(input.dim() >= 2, "batch_norm: expected an input with at least 2 dims [N, C, ...], got ",
              shape_str(input.sizes()));
  int64_t c = input.sizes()[1];
  check_stat("running_mean", running_mean, c);
  check_stat("running_var", running_var, c);
  check_stat("weight", weight, c);
  check_stat("bias", bias, c);
  int64_t d = input.dim();
  if (!training) {
    EMBER_CHECK(running_mean.defined() && running_var.defined(),
                "running_mean and running_var must be defined in evaluation mode");
    Tensor mean = per_channel(running_mean, d), var = per_channel(running_var, d);
    return affine((input - mean) * (var + eps).rsqrt(), weight, bias, d);
  }
  DimVector dims = non_channel_dims(d);
  int64_t n = count_over(input, dims);
  EMBER_CHECK(n > 1, "Expected more than 1 value per channel when training, got input size ",
              shape_str(input.sizes()));
  Tensor mean = input.mean(dims, /*keepdim=*/true);
  Tensor centered = input - mean;
  Tensor var = centered.square().mean(dims, /*keepdim=*/true);
  update_running(running_mean, mean.reshape({c}), momentum);
  update_running(running_var, var.reshape({c}) * (static_cast<double>(n) / static_cast<double>(n - 1)),
                 momentum);
  return affine(centered * (var + eps).rsqrt(), weight, bias, d);
}

Tensor instance_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                     const Tensor& running_mean, const Tensor& running_var, bool use_input_stats,
                     double momentum, double eps, bool) {
  EMBER_CHECK(input.dim() >= 3, "instance_norm: expected an input with at least 3 dims [N, C, ...], got ",
              shape_str(input.sizes()));
  int64_t c = input.sizes()[1], d = input.dim();
  check_stat("running_mean", running_mean, c);
  check_stat("running_var", running_var, c);
  check_stat("weight", weight, c);
  check_stat("bias", bias, c);
  if (!use_input_stats) {
    EMBER_CHECK(running_mean.defined() && running_var.defined(), "Expected running_mean and "
                "running_var to be defined when use_input_stats is false");
    Tensor mean = per_channel(running_mean, d), var = per_channel(running_var, d);
    return affine((input - mean) * (var + eps).rsqrt(), weight, bias, d);
  }
  DimVector dims;
  for (int64_t k = 2; k < d; ++k) dims.push_back(k);
  int64_t n = count_over(input, dims);
  EMBER_CHECK(n > 1, "Expected more than 1 spatial element when training, got input size ",
              shape_str(input.sizes()));
  Tensor mean = input.mean(dims, /*keepdim=*/true);
  Tensor centered = input - mean;
  Tensor var = centered.square().mean(dims, /*keepdim=*/true);
  // The running statistics average the per-instance ones over the batch, as libtorch.
  update_running(running_mean, mean.reshape({input.sizes()[0], c}).mean(0), momentum);
  update_running(running_var,
                 var.reshape({input.sizes()[0], c}).mean(0) * (static_cast<double>(n) / static_cast<double>(n - 1)),
                 momentum);
  return affine(centered * (var + eps).rsqrt(), weight, bias, d);
}

Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps, bool) {
  DimVector dims = trailing_dims("layer_norm", input, normalized_shape);
  check_weight_shape("weight", weight, normalized_shape);
  check_weight_shape("bias", bias, normalized_shape);
  Tensor mean = input.mean(dims, /*keepdim=*/true);
  Tensor centered = input - mean;
  Tensor y = centered * (centered.square().mean(dims, /*keepdim=*/true) + eps).rsqrt();
  if (weight.defined()) y = y * weight;
  if (bias.defined()) y = y + bias;
  return y;
}

Tensor rms_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight,
                std::optional<double> eps) {
  DimVector dims = trailing_dims("rms_norm", input, normalized_shape);
  check_weight_shape("weight", weight, normalized_shape);
  double e = eps ? *eps
                 : (input.dtype() == kFloat64 ? std::numeric_limits<double>::epsilon()
                                              : static_cast<double>(std::numeric_limits<float>::epsilon()));
  Tensor y = input * (input.square().mean(dims, /*keepdim=*/true) + e).rsqrt();
  return weight.defined() ? y * weight : y;
}

Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias,
                  double eps, bool) {
  EMBER_CHECK(input.dim() >= 2, "group_norm: expected an input with at least 2 dims [N, C, ...], got ",
              shape_str(input.sizes()));
  int64_t n = input.sizes()[0], c = input.sizes()[1];
  EMBER_CHECK(num_groups > 0 && c % num_groups == 0, "Expected number of channels in input to be "
              "divisible by num_groups, but got input of shape ", shape_str(input.sizes()),
              " and num_groups=", num_groups);
  check_stat("weight", weight, c);
  check_stat("bias", bias, c);
  Tensor grouped = input.reshape({n, num_groups, -1});
  Tensor mean = grouped.mean({2}, /*keepdim=*/true);
  Tensor centered = grouped - mean;
  Tensor y = centered * (centered.square().mean({2}, /*keepdim=*/true) + eps).rsqrt();
  return affine(y.reshape(input.sizes()), weight, bias, input.dim());
}

namespace nn {
namespace functional {

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& o) {
  return ember::batch_norm(input, o.weight(), o.bias(), running_mean, running_var, o.training(),
                           o.momentum().value_or(0.0), o.eps());
}

Tensor instance_norm(const Tensor& input, const InstanceNormFuncOptions& o) {
  return ember::instance_norm(input, o.weight(), o.bias(), o.running_mean(), o.running_var(),
                              o.use_input_stats(), o.momentum(), o.eps());
}

Tensor group_norm(const Tensor& input, const GroupNormFuncOptions& o) {
  return ember::group_norm(input, o.num_groups(), o.weight(), o.bias(), o.eps());
}

Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& o) {
  return ember::layer_norm(input, o.normalized_shape(), o.weight(), o.bias(), o.eps());
}

Tensor rms_norm(const Tensor& input, const RMSNormFuncOptions& o) {
  return ember::rms_norm(input, o.normalized_shape(), o.weight(), o.eps());
}

// b_c = a_c / (k + alpha / size * sum of a^2 over the `size` channels around c)^beta.
Tensor local_response_norm(const Tensor& input, const LocalResponseNormFuncOptions& o) {
  EMBER_CHECK(input.dim() >= 3, "Expected 3D or higher dimensionality input (got ", input.dim(),
              " dimensions)");
  EMBER_CHECK(o.size() > 0, "local_response_norm: size must be positive, got ", o.size());
  if (input.numel() == 0) return input;
  int64_t c = input.sizes()[1];
  Tensor sq = input.square();
  DimVector pad_shape = input.sizes();
  pad_shape[1] = o.size() / 2;
  Tensor before = zeros(pad_shape, input.options());
  pad_shape[1] = (o.size() - 1) / 2;
  Tensor after = zeros(pad_shape, input.options());
  Tensor padded = cat({before, sq, after}, 1);
  Tensor window = padded.narrow(1, 0, c);
  for (int64_t i = 1; i < o.size(); ++i) window = window + padded.narrow(1, i, c);
  Tensor div = (window * (o.alpha() / static_cast<double>(o.size())) + o.k()).pow(o.beta());
  return input / div;
}

}  // namespace functional

namespace {

void check_dims(const char* name, const Tensor& input, std::initializer_list<int64_t> allowed) {
  for (int64_t d : allowed)
    if (input.dim() == d) return;
  std::ostringstream want;
  bool first = true;
  for (int64_t d : allowed) {
    want << (first ? "" : " or ") << d << "D";
    first = false;
  }
  EMBER_FAIL(name, ": expected ", want.str(), " input (got ", input.dim(), "D input)");
}

const char* batch_norm_name(size_t d) {
  return d == 1 ? "BatchNorm1d" : d == 2 ? "BatchNorm2d" : "BatchNorm3d";
}
const char* instance_norm_name(size_t d) {
  return d == 1 ? "InstanceNorm1d" : d == 2 ? "InstanceNorm2d" : "InstanceNorm3d";
}

template <class Options>
void print_norm(std::ostream& os, const char* name, const Options& o, const std::string& momentum) {
  os << std::boolalpha << "torch::nn::" << name << "(" << o.num_features() << ", eps=" << o.eps()
     << ", momentum=" << momentum << ", affine=" << o.affine()
     << ", track_running_stats=" << o.track_running_stats() << ")";
}

std::string number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace

template <size_t D, class Derived>
Tensor BatchNormImplBase<D, Derived>::forward(const Tensor& input) {
  if (D == 1) check_dims(batch_norm_name(D), input, {2, 3});
  else check_dims(batch_norm_name(D), input, {static_cast<int64_t>(D) + 2});
  const auto& o = this->options;
  double factor = o.momentum().value_or(0.0);
  if (this->is_training() && o.track_running_stats() && this->num_batches_tracked.defined()) {
    {
      NoGradGuard no_grad;
      this->num_batches_tracked.add_(1);
    }
    if (!o.momentum()) factor = 1.0 / this->num_batches_tracked.template item<double>();
  }
  bool use_batch_stats = this->is_training() || !o.track_running_stats();
  return ember::batch_norm(input, this->weight, this->bias, this->running_mean, this->running_var,
                           use_batch_stats, factor, o.eps());
}

template <size_t D, class Derived>
void BatchNormImplBase<D, Derived>::pretty_print(std::ostream& os) const {
  const auto& o = this->options;
  print_norm(os, batch_norm_name(D), o, o.momentum() ? number(*o.momentum()) : "None");
}

template <size_t D, class Derived>
Tensor InstanceNormImplBase<D, Derived>::forward(const Tensor& input) {
  int64_t batched = static_cast<int64_t>(D) + 2;
  check_dims(instance_norm_name(D), input, {batched - 1, batched});
  const auto& o = this->options;
  bool unbatched = input.dim() == batched - 1;
  Tensor x = unbatched ? input.unsqueeze(0) : input;
  Tensor y = ember::instance_norm(x, this->weight, this->bias, this->running_mean, this->running_var,
                                  this->is_training() || !o.track_running_stats(), o.momentum(), o.eps());
  return unbatched ? y.squeeze(0) : y;
}

template <size_t D, class Derived>
void InstanceNormImplBase<D, Derived>::pretty_print(std::ostream& os) const {
  print_norm(os, instance_norm_name(D), this->options, number(this->options.momentum()));
}

template class BatchNormImplBase<1, BatchNorm1dImpl>;
template class BatchNormImplBase<2, BatchNorm2dImpl>;
template class BatchNormImplBase<3, BatchNorm3dImpl>;
template class InstanceNormImplBase<1, InstanceNorm1dImpl>;
template class InstanceNormImplBase<2, InstanceNorm2dImpl>;
template class InstanceNormImplBase<3, InstanceNorm3dImpl>;

GroupNormImpl::GroupNormImpl(const GroupNormOptions& o) : options(o) {
  EMBER_CHECK(o.num_groups() > 0 && o.num_channels() % o.num_groups() == 0,
              "num_channels must be divisible by num_groups");
  reset();
}

void GroupNormImpl::reset() {
  bool a = options.affine();
  weight = register_parameter("weight", a ? ember::empty({options.num_channels()}) : Tensor(), a);
  bias = register_parameter("bias", a ? ember::empty({options.num_channels()}) : Tensor(), a);
  reset_parameters();
}

void GroupNormImpl::reset_parameters() {
  if (!options.affine()) return;
  NoGradGuard no_grad;
  weight.fill_(1);
  bias.zero_();
}

void GroupNormImpl::pretty_print(std::ostream& os) const {
  os << std::boolalpha << "torch::nn::GroupNorm(" << options.num_groups() << ", "
     << options.num_channels() << ", eps=" << options.eps() << ", affine=" << options.affine() << ")";
}

Tensor GroupNormImpl::forward(const Tensor& input) {
  return ember::group_norm(input, options.num_groups(), weight, bias, options.eps());
}

LayerNormImpl::LayerNormImpl(const LayerNormOptions& o) : options(o) { reset(); }

void LayerNormImpl::reset() {
  bool a = options.elementwise_affine();
  weight = register_parameter("weight", a ? ember::empty(options.normalized_shape()) : Tensor(), a);
  bias = register_parameter("bias", a ? ember::empty(options.normalized_shape()) : Tensor(), a);
  reset_parameters();
}

void LayerNormImpl::reset_parameters() {
  if (!options.elementwise_affine()) return;
  NoGradGuard no_grad;
  weight.fill_(1);
  bias.zero_();
}

void LayerNormImpl::pretty_print(std::ostream& os) const {
  os << std::boolalpha << "torch::nn::LayerNorm(" << shape_str(options.normalized_shape())
     << ", elementwise_affine=" << options.elementwise_affine() << ", eps=" << options.eps() << ")";
}

Tensor LayerNormImpl::forward(const Tensor& input) {
  return ember::layer_norm(input, options.normalized_shape(), weight, bias, options.eps());
}

RMSNormImpl::RMSNormImpl(const RMSNormOptions& o) : options(o) { reset(); }

void RMSNormImpl::reset() {
  bool a = options.elementwise_affine();
  weight = register_parameter("weight", a ? ember::empty(options.normalized_shape()) : Tensor(), a);
  reset_parameters();
}

void RMSNormImpl::reset_parameters() {
  if (!options.elementwise_affine()) return;
  NoGradGuard no_grad;
  weight.fill_(1);
}

void RMSNormImpl::pretty_print(std::ostream& os) const {
  os << std::boolalpha << "torch::nn::RMSNorm(" << shape_str(options.normalized_shape())
     << ", eps=" << (options.eps() ? number(*options.eps()) : "None")
     << ", elementwise_affine=" << options.elementwise_affine() << ")";
}

Tensor RMSNormImpl::forward(const Tensor& input) {
  return ember::rms_norm(input, options.normalized_shape(), weight, options.eps());
}

void LocalResponseNormImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::LocalResponseNorm(" << options.size() << ", alpha=" << options.alpha()
     << ", beta=" << options.beta() << ", k=" << options.k() << ")";
}

Tensor LocalResponseNormImpl::forward(const Tensor& input) {
  return functional::local_response_norm(input, options);
}

}  // namespace nn
}  // namespace ember
