#pragma once
// libtorch versions of bench/row_workloads.h (free of ember and torch headers: the torch
// files are C++17).
#include <cstdint>
#include <functional>
#include <string>

namespace ember::bench::libtorch {

std::function<void()> row_layer(const std::string& kind, int64_t cols, int64_t size);

}  // namespace ember::bench::libtorch
