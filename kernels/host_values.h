#pragma once
// A tensor's values read on the host, for debugging tools (anomaly mode, bisect): slow, exact.
#include <vector>

#include "ember/tensor.h"

namespace ember {

// Every element as double, row-major (bool and integers converted exactly up to 2^53).
std::vector<double> host_values(const Tensor& t);

// How two tensors of one shape and dtype differ.
struct Difference {
  bool bitwise = true;    // the same bytes
  double max_abs = 0;     // largest |a - b| (NaN against a number counts as infinite)
  bool close = true;      // |a - b| <= atol + rtol * |b| everywhere, NaN equal to NaN
};
Difference compare_values(const Tensor& a, const Tensor& b, double rtol, double atol);

}  // namespace ember
