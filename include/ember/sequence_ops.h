#pragma once
// Tensor ops the sequence models need, with libtorch's signatures (frontend/tensor_sequence.cpp):
// einsum, baddbmm and multinomial. Compositions of permute/reshape/bmm/sum and of the
// counter-based random ops, so autograd, CUDA and compile() come with them.
#include <optional>
#include <string_view>
#include <vector>

#include "ember/generator.h"
#include "ember/tensor.h"

namespace ember {

// Einstein summation: "bhqd,bhkd->bhqk", "ij,jk->ik", "i,i->", "ii->i" (diagonals),
// "...ij,...jk->...ik" (ellipsis dims broadcast), implicit output (no "->": the labels that
// appear once, sorted, after the ellipsis dims). Any number of operands, contracted left to
// right; labels that appear in one operand only and not in the output are summed first.
Tensor einsum(std::string_view equation, const std::vector<Tensor>& tensors);

// beta * self + alpha * (batch1 @ batch2), batch1 [b, n, m], batch2 [b, m, p]; self broadcasts
// to [b, n, p]. beta == 0 ignores self (its NaN and inf do not propagate), as libtorch.
Tensor baddbmm(const Tensor& self, const Tensor& batch1, const Tensor& batch2,
               const Scalar& beta = 1, const Scalar& alpha = 1);

// num_samples category indices (int64) per row of a 1-D or 2-D tensor of non-negative weights
// (not necessarily normalised). Without replacement, each row draws distinct categories (the
// exponential-race form: the smallest E_i / p_i, E_i ~ Exp(1)). Drawn with ember's
// counter-based generator on the input's device, so a seed gives one result on CPU and CUDA.
// A generator other than the default is used by running the draws under its seed and offset.
Tensor multinomial(const Tensor& self, int64_t num_samples, bool replacement = false,
                   std::optional<Generator*> generator = std::nullopt);

}  // namespace ember
