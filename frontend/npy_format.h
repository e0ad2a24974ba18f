#pragma once
// The .npy byte format (NumPy's format.py, versions 1.0-3.0), in memory: shared by the .npy
// file functions and the .npz members.
#include <string>

#include "ember/tensor.h"

namespace ember::npy {

// A whole .npy file for t (copied to the host; C order, or Fortran order for a transposed-
// contiguous view). `who` names the caller in errors.
std::string encode(const Tensor& t, const char* who);

// The tensor an .npy byte string holds. `where` says what is read ("'a.npy'", "member 'w.npy'
// of 'm.npz'") in every error.
Tensor decode(const char* bytes, size_t size, const std::string& where);

}  // namespace ember::npy
