#pragma once
#include <cstdint>
// The one op table. Every op is listed once here; pointwise ops also have a functor of the
// same name in kernels/device/pointwise.h (used by the CPU loops, the CUDA kernels and the
// NVRTC code generator) and a derivative in frontend/autograd/derivatives*.cpp.

// The pointwise rows, X(Name, arity, dtype rule, numerics, domain, API form, API name), are in
// include/ember/pointwise_ops.h (public: the regular Tensor methods are generated from them),
// which documents the columns.
#include "ember/pointwise_ops.h"

// X(Name, kind, number of outputs)
#define EMBER_STRUCTURED_OPS(X)       \
  X(Sum, Reduction, 1)                \
  X(Mean, Reduction, 1)               \
  X(Prod, Reduction, 1)               \
  X(Amax, Reduction, 1)               \
  X(Amin, Reduction, 1)               \
  X(MaxDim, Reduction, 2)             \
  X(MinDim, Reduction, 2)             \
  X(ArgMax, Reduction, 1)             \
  X(ArgMin, Reduction, 1)             \
  X(Mm, Matmul, 1)                    \
  X(Bmm, Matmul, 1)                   \
  X(Addmm, Matmul, 1)                 \
  X(FusedMm, Matmul, 1)               \
  X(View, View, 1)                    \
  X(Expand, View, 1)                  \
  X(Permute, View, 1)                 \
  X(Slice, View, 1)                   \
  X(Select, View, 1)                  \
  X(Cat, Shape, 1)                    \
  X(IndexSelect, Index, 1)            \
  X(Gather, Index, 1)                 \
  X(Scatter, Index, 1)                \
  X(ScatterAdd, Index, 1)             \
  X(IndexAdd, Index, 1)               \
  X(MaskedSelect, Index, 1)           \
  X(MaskedScatter, Index, 1)          \
  X(Nonzero, Index, 1)                \
  X(SliceScatter, Index, 1)           \
  X(SelectScatter, Index, 1)          \
  X(Sort, Index, 2)                   \
  X(Full, Factory, 1)                 \
  X(Arange, Factory, 1)               \
  X(Linspace, Factory, 1)             \
  X(Eye, Factory, 1)                  \
  X(Rand, Factory, 1)                 \
  X(Randn, Factory, 1)                \
  X(Randint, Factory, 1)              \
  X(ToDevice, Copy, 1)                \
  X(Convolution, Conv, 1)             \
  X(ConvBackwardInput, Conv, 1)       \
  X(ConvBackwardWeight, Conv, 1)      \
  X(MaxPool, Pool, 2)                 \
  X(AvgPool, Pool, 1)                 \
  X(AvgPoolBackward, Pool, 1)         \
  X(AdaptiveAvgPool, Pool, 1)         \
  X(AdaptiveAvgPoolBackward, Pool, 1) \
  X(AdaptiveMaxPool, Pool, 2)

namespace ember {

enum class OpId : int16_t {
#define EMBER_OP_ENUM(name, ...) name,
  EMBER_POINTWISE_OPS(EMBER_OP_ENUM) EMBER_STRUCTURED_OPS(EMBER_OP_ENUM)
#undef EMBER_OP_ENUM
      NumOps
};

enum class OpKind : int8_t { Pointwise, Reduction, Matmul, View, Shape, Index, Factory, Copy, Conv, Pool };
enum class DtypeRule : int8_t { Promote, NoBool, Float, Compare, Logical, First, Where, Cast, None };
enum class Numerics : int8_t { Exact, Libm };
enum class Domain : int8_t { Any, Positive, NonZero, Power, NonNegative, Unit };

// The pointwise columns of the table at compile time (op_def() has them at run time).
constexpr int pointwise_arity(OpId id) {
  switch (id) {
#define EMBER_ARITY_CASE(N, ARITY, ...) case OpId::N: return ARITY;
    EMBER_POINTWISE_OPS(EMBER_ARITY_CASE)
#undef EMBER_ARITY_CASE
    default: return -1;
  }
}

constexpr Numerics pointwise_numerics(OpId id) {
  switch (id) {
#define EMBER_NUMERICS_CASE(N, ARITY, RULE, NUM, ...) case OpId::N: return Numerics::NUM;
    EMBER_POINTWISE_OPS(EMBER_NUMERICS_CASE)
#undef EMBER_NUMERICS_CASE
    default: return Numerics::Exact;
  }
}

constexpr Domain pointwise_domain(OpId id) {
  switch (id) {
#define EMBER_DOMAIN_CASE(N, ARITY, RULE, NUM, DOMAIN, ...) case OpId::N: return Domain::DOMAIN;
    EMBER_POINTWISE_OPS(EMBER_DOMAIN_CASE)
#undef EMBER_DOMAIN_CASE
    default: return Domain::Any;
  }
}

}  // namespace ember
