#pragma once
// nn::functional: the stateless forms of layers and losses.
#include "ember/tensor.h"

namespace ember {

enum class Reduction : int8_t { None, Mean, Sum };
constexpr Reduction kNone = Reduction::None;
constexpr Reduction kMean = Reduction::Mean;
constexpr Reduction kSum = Reduction::Sum;

namespace nn {

// softplus's parameters, as libtorch's torch::nn::SoftplusOptions.
struct SoftplusOptions {
  SoftplusOptions& beta(double b) {
    beta_ = b;
    return *this;
  }
  SoftplusOptions& threshold(double t) {
    threshold_ = t;
    return *this;
  }
  double beta() const { return beta_; }
  double threshold() const { return threshold_; }

 private:
  double beta_ = 1.0, threshold_ = 20.0;
};

namespace functional {
using SoftplusFuncOptions = SoftplusOptions;

// x @ weight^T + bias (addmm for 2-D inputs, as libtorch).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());
Tensor relu(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor gelu(const Tensor& x);
Tensor softplus(const Tensor& x, const SoftplusFuncOptions& options = {});
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction r = kMean);
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction r = kMean);
// input: [N, C] scores (or [C]); target: [N] class indices (int64).
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction r = kMean);
Tensor cross_entropy(const Tensor& input, const Tensor& target, Reduction r = kMean);

}  // namespace functional
}  // namespace nn
}  // namespace ember
