#pragma once
#include <vector>

#include "kernels/attrs.h"
#include "kernels/op_list.h"
#include "ember/tensor.h"

namespace ember {

// libtorch's result_type: dimensioned tensors outrank 0-dim tensors, which outrank
// wrapped numbers, unless a lower-ranked operand is of a higher category (a float scalar
// makes an integer tensor's result the default float dtype).
ScalarType result_type(const std::vector<Tensor>& operands);

// Whether libtorch allows writing a `from` result into a `to` tensor (in-place ops).
bool can_cast(ScalarType from, ScalarType to);

// The type a pointwise functor computes in for a storage dtype (Int64, Float32, Float64).
ScalarType compute_type_of(ScalarType t);

// Output dtype and compute type of pointwise op `op` on `in` (attrs carry Cast's dtype).
struct PointwiseTypes {
  ScalarType out;
  ScalarType compute;
};
PointwiseTypes pointwise_types(OpId op, const std::vector<Tensor>& in, ScalarType cast_to);
// The same for an op node: Cast's target dtype is its "dtype" attr. Eager ops and both fused
// code generators call this one, so they agree on every node's compute type.
PointwiseTypes pointwise_types(OpId op, const std::vector<Tensor>& in, const Attrs& attrs);

}  // namespace ember
