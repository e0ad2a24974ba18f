#include "torch_dlpack.h"

#include <ATen/DLConvertor.h>
#include <torch/torch.h>

namespace ember::torch_parity {

DLManagedTensor* torch_exports_transposed_arange(int64_t rows, int64_t cols) {
  return at::toDLPack(torch::arange(rows * cols, torch::kFloat32).view({rows, cols}).t());
}

TorchView torch_imports_and_writes(DLManagedTensor* m, double value) {
  at::Tensor t = at::fromDLPack(m);
  TorchView v;
  v.sizes = t.sizes().vec();
  v.strides = t.strides().vec();
  v.sum = t.sum().item<double>();
  v.data = t.data_ptr();
  at::Tensor first = t;
  while (first.dim() > 0) first = first.select(0, 0);
  first.fill_(value);
  return v;
}

}  // namespace ember::torch_parity
