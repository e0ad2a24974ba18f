#pragma once
// libtorch's C++ API names over ember: replace `#include <torch/torch.h>` with this header and
// code written against libtorch's torch::, at::, c10:: and torch::nn/optim/autograd namespaces
// compiles against ember. What is covered and what is not: README.md, "Coming from libtorch".
#include <ember/ember.h>

namespace torch {
using namespace ::ember;
namespace nn {
using namespace ::ember::nn;
namespace functional {
using namespace ::ember::nn::functional;
}  // namespace functional
}  // namespace nn
namespace autograd {
using namespace ::ember::autograd;
}  // namespace autograd
namespace optim {
using namespace ::ember::optim;
}  // namespace optim
}  // namespace torch

namespace at {
using namespace ::ember;
}  // namespace at

namespace c10 {
using namespace ::ember;
}  // namespace c10

#define TORCH_MODULE(Name) EMBER_MODULE(Name)
#define TORCH_CHECK(cond, ...) EMBER_CHECK(cond, __VA_ARGS__)
