#pragma once
// Bitwise comparison of two tensors without GoogleTest (the fuzzers and the differential
// generator use it too).
#include <ember/ember.h>

#include <cstring>
#include <string>

namespace ember::testing {

// Empty when `got` and `want` have the same shape, dtype and bytes; else what differs.
inline std::string bitwise_difference(const Tensor& got, const Tensor& want) {
  if (got.sizes() != want.sizes() || got.dtype() != want.dtype())
    return "shape/dtype " + shape_str(got.sizes()) + " " + dtype_name(got.dtype()) + " vs " + shape_str(want.sizes()) +
           " " + dtype_name(want.dtype());
  Tensor g = got.detach().to(Device(kCPU)).contiguous(), w = want.detach().to(Device(kCPU)).contiguous();
  if (g.nbytes() > 0 && std::memcmp(g.data_ptr(), w.data_ptr(), g.nbytes()) != 0) return "bytes differ";
  return "";
}

}  // namespace ember::testing
