#pragma once
// NumPy's .npy and .npz files (format versions 1.0-3.0): every dtype NumPy and ember share
// (bool, uint8, int8-64, float16/32/64; NumPy has no bfloat16), C and Fortran order, big- and
// little-endian on reading, stored and deflated .npz. Writes are atomic (a temporary file
// renamed into place); a truncated or malformed file raises ember::Error naming what is wrong.
#include <string>

#include "ember/serialize.h"

namespace ember {

// Writes t (any device, any strides) as NumPy would: C order, or Fortran order when t is a
// transposed-contiguous view, little-endian.
void save_npy(const Tensor& t, const std::string& path);
// Reads an .npy file. Fortran-order data keeps its layout (column-major strides, no copy).
Tensor load_npy(const std::string& path, Device device = Device(kCPU));

// np.savez (compressed = false) or np.savez_compressed: one "<name>.npy" member per tensor.
void save_npz(const NamedTensorList& tensors, const std::string& path, bool compressed = false);
// The members in archive order, named without ".npy" as np.load names them.
NamedTensorList load_npz(const std::string& path, Device device = Device(kCPU));

}  // namespace ember
