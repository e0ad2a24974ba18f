#pragma once
// A bool tensor read from a file may hold only the bytes 0 and 1: any other byte is not a
// bool, and reading it as one is undefined behaviour (found by fuzzing the safetensors reader).
#include <cstdint>
#include <string>

#include "ember/error.h"
#include "ember/tensor.h"

namespace ember {

// `t` is a contiguous CPU tensor just filled from the file; `what` names it in the error.
inline void check_bool_bytes(const Tensor& t, const std::string& what) {
  if (t.dtype() != kBool) return;
  const auto* p = static_cast<const uint8_t*>(t.data_ptr());
  for (int64_t i = 0; i < t.numel(); ++i)
    EMBER_CHECK(p[i] <= 1, what, ": bool element ", i, " holds ", int(p[i]), ", not 0 or 1");
}

}  // namespace ember
