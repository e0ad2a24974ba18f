#include "row_workloads.h"

namespace ember::bench {

int64_t row_length(const std::string& arg) {
  if (arg.empty()) return 1024;
  size_t used = 0;
  int64_t c = 0;
  try {
    c = std::stoll(arg, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  EMBER_CHECK(used == arg.size() && c > 0, "row workload: '", arg, "' is not a row length (e.g. softmax:1024)");
  return c;
}

Workload row_layer(const std::string& kind, const std::string& arg, const WorkloadOptions& o) {
  int64_t cols = row_length(arg);
  int64_t n = o.size > 0 ? o.size : (int64_t{1} << 20);
  int64_t rows = std::max<int64_t>(1, n / cols);
  auto opts = TensorOptions().device(o.device).requires_grad(o.grad);
  Workload w;
  w.name = kind + ":" + std::to_string(cols);
  w.inputs = {randn({rows, cols}, opts) * 3, randn({cols}, opts), randn({cols}, opts)};
  w.min_bytes = rows * cols * 2 * 4;
  if (kind == "softmax") {
    w.description = "softmax over the last dim of " + std::to_string(rows) + " x " + std::to_string(cols) + " floats";
    w.fn = [](const std::vector<Tensor>& t) { return std::vector<Tensor>{softmax(t[0], -1)}; };
  } else {
    w.description = "layer_norm (with weight and bias) over the last dim of " + std::to_string(rows) + " x " +
                    std::to_string(cols) + " floats";
    w.fn = [cols](const std::vector<Tensor>& t) { return std::vector<Tensor>{layer_norm(t[0], {cols}, t[1], t[2])}; };
  }
  return w;
}

}  // namespace ember::bench
