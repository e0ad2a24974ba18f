#pragma once
// Finding NaN/Inf in a tensor's values, for anomaly mode (slow: the values are read on the host).
#include <optional>
#include <string>
#include <vector>

#include "ember/tensor.h"

namespace ember {

struct NonFinite {
  int64_t index = 0;  // the first offending element, row-major
  double value = 0;   // NaN, inf or -inf
  std::string describe() const;  // "NaN at element 3"
};

// The first NaN (and, with `inf_too`, infinity) among a floating tensor's elements; nullopt for
// finite values, other dtypes and undefined tensors.
std::optional<NonFinite> find_non_finite(const Tensor& t, bool inf_too);

// "float32 [2, 3]"
std::string tensor_kind(const Tensor& t);

// The first of `tensors` holding NaN (inf too with `inf_too`): its position and where.
struct BadTensor {
  size_t position;
  NonFinite where;
};
std::optional<BadTensor> first_non_finite(const std::vector<Tensor>& tensors, bool inf_too);

}  // namespace ember
