#pragma once
// libtorch's side of the DLPack exchange (at::toDLPack / at::fromDLPack), behind a header free
// of torch and ember so the C++20 test can call it.
#include <cstdint>
#include <vector>

struct DLManagedTensor;

namespace ember::torch_parity {

// libtorch's arange(rows * cols) as float [rows, cols], transposed (strides {1, cols}), exported.
DLManagedTensor* torch_exports_transposed_arange(int64_t rows, int64_t cols);

// What libtorch saw after importing a DLPack tensor, before writing `value` to its element 0.
struct TorchView {
  std::vector<int64_t> sizes, strides;
  double sum = 0;
  const void* data = nullptr;
};

// Imports `m` with at::fromDLPack, reads it, writes `value` at its first element (through
// libtorch's tensor) and lets it go (the deleter runs).
TorchView torch_imports_and_writes(DLManagedTensor* m, double value);

}  // namespace ember::torch_parity
