// softmax:<C> and layer_norm:<C> with libtorch: the same shapes and ops as row_workloads.cpp.
#include "torch_row_workloads.h"

#include <torch/torch.h>

#include <algorithm>

namespace ember::bench::libtorch {

std::function<void()> row_layer(const std::string& kind, int64_t cols, int64_t size) {
  int64_t rows = std::max<int64_t>(1, size / cols);
  auto x = torch::randn({rows, cols}) * 3, w = torch::randn({cols}), b = torch::randn({cols});
  if (kind == "softmax")
    return [x] { torch::softmax(x, -1); };
  return [x, w, b, cols] { torch::layer_norm(x, {cols}, w, b); };
}

}  // namespace ember::bench::libtorch
