#pragma once
// The gradient-parity programs written with libtorch. Only torch_programs.cpp includes torch
// (C++17, ~35 s to compile); this header stays free of torch and ember headers so the
// C++20 test can call it.
#include <cstdint>
#include <string>
#include <vector>

namespace ember::torch_parity {

// A tensor crossing the boundary: row-major values as double, and what dtype they mean.
struct Array {
  enum class Kind { Float64, Int64, Bool };
  std::vector<int64_t> shape;
  std::vector<double> values;
  Kind kind = Kind::Float64;
};

struct Result {
  Array output;
  // One per input: the gradient of a Float64 input (it requires grad), nothing for others.
  std::vector<Array> grads;
  std::vector<bool> has_grad;
};

// Runs `program` in libtorch: output = program(inputs), then output.backward(upstream).
// Throws std::runtime_error for a name it does not know.
Result run(const std::string& program, const std::vector<Array>& inputs, const Array& upstream);

std::string torch_version();

}  // namespace ember::torch_parity
