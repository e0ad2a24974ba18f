#pragma once
#include <cstdint>
// The one op table. Every op is listed once here; pointwise ops also have a functor of the
// same name in kernels/device/pointwise.h (used by the CPU loops, the CUDA kernels and the
// NVRTC code generator) and a derivative in frontend/autograd/derivatives*.cpp.

// X(Name, arity, dtype rule). Rules: Promote (common dtype), NoBool (common, bool refused),
// Float (common, integers become the default float), Compare (common, result bool),
// Logical (bool), First (dtype of input 0), Where (inputs 1-2 promoted), Cast (attr dtype).
#define EMBER_POINTWISE_OPS(X) \
  X(Cast, 1, Cast)             \
  X(Neg, 1, NoBool)            \
  X(Abs, 1, NoBool)            \
  X(Sign, 1, NoBool)           \
  X(Exp, 1, Float)             \
  X(Log, 1, Float)             \
  X(Sqrt, 1, Float)            \
  X(Rsqrt, 1, Float)           \
  X(Reciprocal, 1, Float)      \
  X(Relu, 1, NoBool)           \
  X(Sigmoid, 1, Float)         \
  X(Tanh, 1, Float)            \
  X(Sin, 1, Float)             \
  X(Cos, 1, Float)             \
  X(Erf, 1, Float)             \
  X(Gelu, 1, Float)            \
  X(LogicalNot, 1, Logical)    \
  X(Add, 2, Promote)           \
  X(Sub, 2, NoBool)            \
  X(Mul, 2, Promote)           \
  X(Div, 2, Float)             \
  X(Pow, 2, NoBool)            \
  X(Maximum, 2, Promote)       \
  X(Minimum, 2, Promote)       \
  X(ClampMin, 2, NoBool)       \
  X(ClampMax, 2, NoBool)       \
  X(Lt, 2, Compare)            \
  X(Le, 2, Compare)            \
  X(Gt, 2, Compare)            \
  X(Ge, 2, Compare)            \
  X(Eq, 2, Compare)            \
  X(Ne, 2, Compare)            \
  X(LogicalAnd, 2, Logical)    \
  X(LogicalOr, 2, Logical)     \
  X(LogicalXor, 2, Logical)    \
  X(GeluBackward, 2, Float)    \
  X(Clamp, 3, NoBool)          \
  X(Where, 3, Where)           \
  X(MaskedFill, 3, First)

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

}  // namespace ember
