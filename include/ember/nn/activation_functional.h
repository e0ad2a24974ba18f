#pragma once
// nn::functional's activations beyond relu/sigmoid/tanh/gelu/softplus/softmax (those are in
// nn/functional.h), as libtorch's torch/nn/functional/activation.h. The pointwise ones are
// op-table rows (ember/pointwise_ops.h), so compile() fuses them.
#include "ember/nn/activation_options.h"

namespace ember::nn::functional {

Tensor elu(Tensor x, const ELUFuncOptions& options = {});
Tensor selu(Tensor x, const SELUFuncOptions& options = {});
Tensor celu(Tensor x, const CELUFuncOptions& options = {});
Tensor leaky_relu(Tensor x, const LeakyReLUFuncOptions& options = {});
Tensor prelu(const Tensor& x, const Tensor& weight);
// Training: a slope drawn uniformly from [lower, upper] for each negative element (ember's
// counter-based generator); otherwise the mean slope (lower + upper) / 2.
Tensor rrelu(Tensor x, const RReLUFuncOptions& options = {});
Tensor relu6(Tensor x, const ReLU6FuncOptions& options = {});
Tensor hardtanh(Tensor x, const HardtanhFuncOptions& options = {});
Tensor threshold(Tensor x, const ThresholdFuncOptions& options);
Tensor hardshrink(const Tensor& x, const HardshrinkFuncOptions& options = {});
Tensor softshrink(const Tensor& x, const SoftshrinkFuncOptions& options = {});
Tensor hardsigmoid(Tensor x, const HardsigmoidFuncOptions& options = {});
Tensor hardswish(Tensor x, const HardswishFuncOptions& options = {});
Tensor silu(Tensor x, bool inplace = false);
Tensor mish(const Tensor& x);
Tensor logsigmoid(const Tensor& x);
Tensor softsign(const Tensor& x);
Tensor tanhshrink(const Tensor& x);
// a * sigmoid(b) for the two halves a, b of x along dim.
Tensor glu(const Tensor& x, const GLUFuncOptions& options = {});
Tensor softmin(const Tensor& x, int64_t dim);
Tensor softmin(const Tensor& x, const SoftminFuncOptions& options);

}  // namespace ember::nn::functional
