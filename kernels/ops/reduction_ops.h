#pragma once
// The one normalisation of a reduction's dims, used by the op's meta and run, the fused
// lowerings (compiler/codegen/) and the derivatives (frontend/autograd/).
#include <cstdint>
#include <vector>

#include "kernels/op_registry.h"

namespace ember {

// The reduced dims of a rank-`nd` input, sorted and unique: the `dims` attr (empty = all),
// else the single `dim`, else all (a 0-dim input reduces none). A dim out of range or
// repeated is an Error naming `op`.
std::vector<int64_t> reduced_dims(OpId op, int64_t nd, const Attrs& a);

}  // namespace ember
