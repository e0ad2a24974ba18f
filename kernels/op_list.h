#pragma once
#include <cstdint>
// The one op table. Every op is listed once here; pointwise ops also have a functor of the
// same name in kernels/device/pointwise.h (used by the CPU loops, the CUDA kernels and the
// NVRTC code generator) and a derivative in frontend/autograd/derivatives*.cpp.

// X(Name, arity, dtype rule, numerics). Rules: Promote (common dtype), NoBool (common, bool
// refused), Float (common, integers become the default float), Compare (common, result bool),
// Logical (bool), First (dtype of input 0), Where (inputs 1-2 promoted), Cast (attr dtype).
// Numerics: Exact (integer arithmetic or correctly rounded IEEE operations: the same bits on
// every backend) or Libm (calls a math library: exp, tanh, pow... may differ in the last ulp
// between libm, SLEEF and CUDA's libdevice; the CPU vectorises the unary ones with SLEEF).
#define EMBER_POINTWISE_OPS(X)          \
  X(Cast, 1, Cast, Exact)               \
  X(Neg, 1, NoBool, Exact)              \
  X(Abs, 1, NoBool, Exact)              \
  X(Sign, 1, NoBool, Exact)             \
  X(Exp, 1, Float, Libm)                \
  X(Log, 1, Float, Libm)                \
  X(Sqrt, 1, Float, Exact)              \
  X(Rsqrt, 1, Float, Exact)             \
  X(Reciprocal, 1, Float, Exact)        \
  X(Relu, 1, NoBool, Exact)             \
  X(Sigmoid, 1, Float, Libm)            \
  X(Tanh, 1, Float, Libm)               \
  X(Sin, 1, Float, Libm)                \
  X(Cos, 1, Float, Libm)                \
  X(Erf, 1, Float, Libm)                \
  X(Gelu, 1, Float, Libm)               \
  X(LogicalNot, 1, Logical, Exact)      \
  X(Add, 2, Promote, Exact)             \
  X(Sub, 2, NoBool, Exact)              \
  X(Mul, 2, Promote, Exact)             \
  X(Div, 2, Float, Exact)               \
  X(Pow, 2, NoBool, Libm)               \
  X(Maximum, 2, Promote, Exact)         \
  X(Minimum, 2, Promote, Exact)         \
  X(ClampMin, 2, NoBool, Exact)         \
  X(ClampMax, 2, NoBool, Exact)         \
  X(Lt, 2, Compare, Exact)              \
  X(Le, 2, Compare, Exact)              \
  X(Gt, 2, Compare, Exact)              \
  X(Ge, 2, Compare, Exact)              \
  X(Eq, 2, Compare, Exact)              \
  X(Ne, 2, Compare, Exact)              \
  X(LogicalAnd, 2, Logical, Exact)      \
  X(LogicalOr, 2, Logical, Exact)       \
  X(LogicalXor, 2, Logical, Exact)      \
  X(GeluBackward, 2, Float, Libm)       \
  X(Clamp, 3, NoBool, Exact)            \
  X(Where, 3, Where, Exact)             \
  X(MaskedFill, 3, First, Exact)

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
  X(Full, Factory, 1)                 \
  X(Arange, Factory, 1)               \
  X(Linspace, Factory, 1)             \
  X(Eye, Factory, 1)                  \
  X(Rand, Factory, 1)                 \
  X(Randn, Factory, 1)                \
  X(Randint, Factory, 1)              \
  X(ToDevice, Copy, 1)

namespace ember {

enum class OpId : int16_t {
#define EMBER_OP_ENUM(name, ...) name,
  EMBER_POINTWISE_OPS(EMBER_OP_ENUM) EMBER_STRUCTURED_OPS(EMBER_OP_ENUM)
#undef EMBER_OP_ENUM
      NumOps
};

enum class OpKind : int8_t { Pointwise, Reduction, Matmul, View, Shape, Index, Factory, Copy };
enum class DtypeRule : int8_t { Promote, NoBool, Float, Compare, Logical, First, Where, Cast, None };
enum class Numerics : int8_t { Exact, Libm };

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
#define EMBER_NUMERICS_CASE(N, ARITY, RULE, NUM) case OpId::N: return Numerics::NUM;
    EMBER_POINTWISE_OPS(EMBER_NUMERICS_CASE)
#undef EMBER_NUMERICS_CASE
    default: return Numerics::Exact;
  }
}

}  // namespace ember
