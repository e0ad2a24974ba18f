#pragma once
// libtorch versions of bench/sequence_workloads.h (free of ember and torch headers: the torch
// files are C++17).
#include <cstdint>
#include <functional>
#include <string>

namespace ember::bench::libtorch {

std::function<void()> gpt(int64_t batch);
std::function<void()> attention(const std::string& arg, int64_t batch);

}  // namespace ember::bench::libtorch
