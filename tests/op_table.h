#pragma once
// The op table as the tests read it: every pointwise op with its columns (arity, dtype rule,
// numerics, domain), the input ranges its domain allows, and its functor evaluated in double
// as a reference. Tests iterate this instead of keeping their own op lists, so a new row of
// ember/pointwise_ops.h is tested by the existing tests.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "kernels/device/pointwise.h"
#include "kernels/op_registry.h"
#include <ember/ember.h>

namespace ember::testing {

struct TableOp {
  OpId id;
  const char* name;
  int arity;
  DtypeRule rule;
  Numerics numerics;
  Domain domain;
};

inline const std::vector<TableOp>& pointwise_table() {
  static const std::vector<TableOp> ops = {
#define EMBER_TEST_ROW(N, ARITY, RULE, NUM, DOMAIN, ...) \
  {OpId::N, #N, ARITY, DtypeRule::RULE, Numerics::NUM, Domain::DOMAIN},
      EMBER_POINTWISE_OPS(EMBER_TEST_ROW)
#undef EMBER_TEST_ROW
  };
  return ops;
}

// Ops of one arity.
inline std::vector<TableOp> table_ops_of_arity(int arity) {
  std::vector<TableOp> out;
  for (const auto& op : pointwise_table())
    if (op.arity == arity) out.push_back(op);
  return out;
}

// Input range of operand k (of `arity`) for floating dtypes that the op's domain allows.
inline std::pair<double, double> domain_range(Domain d, int k, int arity, double lo = -3,
                                              double hi = 3) {
  switch (d) {
    case Domain::Positive: if (k == 0) return {0.1, 4}; break;
    case Domain::NonZero: if (k == arity - 1) return {0.1, 4}; break;
    case Domain::Power: return k == 0 ? std::pair<double, double>{0.5, 2} : std::pair<double, double>{-2, 3};
    case Domain::NonNegative: if (k == 0) return {0, 5}; break;
    case Domain::Unit: if (k == 0) return {-0.95, 0.95}; break;
    case Domain::Any: break;
  }
  return {lo, hi};
}

// The same for integer dtypes where the domain needs it (Power: small bases, exponents >= 0,
// so that the exact integer power neither wraps nor is refused); nullopt-like {1, 0} if any
// integer range the test likes will do.
inline std::pair<double, double> integer_domain_range(Domain d, int k) {
  if (d == Domain::Power) return k == 0 ? std::pair<double, double>{-4, 4} : std::pair<double, double>{0, 3};
  return {1, 0};
}

// The op's output dtype for inputs promoted to `common` (rules Promote, NoBool, Float,
// Compare, Logical, First with `common` the first input's dtype, Where with `common` the
// promoted branches).
inline ScalarType rule_out_dtype(DtypeRule r, ScalarType common) {
  switch (r) {
    case DtypeRule::Float: return is_floating(common) ? common : kFloat32;
    case DtypeRule::Compare:
    case DtypeRule::Logical: return kBool;
    default: return common;
  }
}

namespace detail {
template <class F, int Arity>
double apply_functor(const std::vector<double>& a) {
  F f;
  if constexpr (Arity == 1) return static_cast<double>(f(a[0]));
  else if constexpr (Arity == 2) return static_cast<double>(f(a[0], a[1]));
  else return static_cast<double>(f(a[0], a[1], a[2]));
}
}  // namespace detail

// The op's functor (kernels/device/pointwise.h) computed in double: the reference the
// table-driven tests compare every dtype, layout and code path with.
inline std::function<double(const std::vector<double>&)> functor_reference(OpId id) {
  switch (id) {
#define EMBER_TEST_REF(N, ARITY, ...) \
  case OpId::N: return &detail::apply_functor<dev::N, ARITY>;
    EMBER_POINTWISE_OPS(EMBER_TEST_REF)
#undef EMBER_TEST_REF
    default: return nullptr;
  }
}

}  // namespace ember::testing
