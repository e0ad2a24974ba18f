// The safetensors reader (ember::load_tensors, ember::load): header JSON, dtypes, offsets.
#include "frontend/safetensors_format.h"
#include "fuzz_target.h"

EMBER_FUZZ_TARGET({
  auto tensors = ember::safetensors::decode(reinterpret_cast<const char*>(data), size, "fuzz input", ember::Device(ember::kCPU));
  for (auto& [name, t] : tensors) (void)t.sum().item<double>();
})
