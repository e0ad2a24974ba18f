#pragma once
// The bench/workloads.h workloads written with libtorch (torch::), for "libtorch eager"
// side by side with ember. Only torch_workloads.cpp includes torch (about 35 s to compile);
// builds without libtorch link torch_unavailable.cpp instead. This header stays free of
// ember and torch headers because the torch file is compiled as C++17.
#include <cstdint>
#include <functional>
#include <string>

namespace ember::bench::libtorch {

struct TorchInfo {
  std::string version;        // TORCH_VERSION
  int threads = 0;            // torch::get_num_threads() after setup
  std::string parallel_info;  // at::get_parallel_info(): OpenMP/MKL/BLAS build details
};

// Whether this ember-bench was built with libtorch.
bool available();

// Makes libtorch use `threads` intra-op threads (ember's count, for a fair comparison).
TorchInfo setup(int threads);

// One call of the libtorch version of `spec` ("chain:add,mul", "two_layer_net", ...) at
// `size` (elements for pointwise workloads, batch rows for networks); the callable owns its
// tensors, modules and optimizer. Throws std::runtime_error for unknown names.
std::function<void()> make_workload(const std::string& spec, int64_t size, uint64_t seed);

}  // namespace ember::bench::libtorch
