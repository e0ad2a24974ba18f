#pragma once
// Saving and loading tensors in the safetensors format (a JSON header, then raw
// little-endian data), and a Module's parameters and buffers through it.
#include <string>
#include <utility>
#include <vector>

#include "ember/nn/module.h"

namespace ember {

using NamedTensorList = std::vector<std::pair<std::string, Tensor>>;

// Writes atomically (a temporary file renamed into place).
void save_tensors(const NamedTensorList& tensors, const std::string& path);
// Validates the whole file first: a corrupt or truncated file raises ember::Error.
NamedTensorList load_tensors(const std::string& path, Device device = Device(kCPU));

// A module's named parameters and buffers ("linear1.weight", ...).
void save(const nn::Module& module, const std::string& path);
// Loads into the existing tensors (same identities and devices). Names, shapes and dtypes
// must match exactly; the error lists what is missing, unexpected or different.
void load(nn::Module& module, const std::string& path);

template <class Impl>
void save(const nn::ModuleHolder<Impl>& m, const std::string& path) {
  save(*m, path);
}
template <class Impl>
void load(nn::ModuleHolder<Impl>& m, const std::string& path) {
  load(*m, path);
}

}  // namespace ember
