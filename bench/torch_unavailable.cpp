// Linked when CMake did not find libtorch (or EMBER_TORCH=OFF): no libtorch column.
#include <stdexcept>

#include "torch_workloads.h"

namespace ember::bench::libtorch {

bool available() { return false; }

TorchInfo setup(int) { return {}; }

std::function<void()> make_workload(const std::string&, int64_t, uint64_t) {
  throw std::runtime_error("ember-bench was built without libtorch (EMBER_TORCH)");
}

}  // namespace ember::bench::libtorch
