#pragma once
// How every backend picks a pointwise kernel: a fast path over dense operands of one
// storage type, else a general path per compute type. The type mapping lives here once;
// backends supply the two kernel launchers.
#include <cstdint>
#include <type_traits>

#include "kernels/backend.h"
#include "ember/half.h"
#include "kernels/op_registry.h"

namespace ember {

template <class T> constexpr ScalarType compute_enum();
template <> constexpr ScalarType compute_enum<bool>() { return kBool; }
template <> constexpr ScalarType compute_enum<int64_t>() { return kInt64; }
template <> constexpr ScalarType compute_enum<float>() { return kFloat32; }
template <> constexpr ScalarType compute_enum<double>() { return kFloat64; }

// The compute types each dtype rule can produce.
template <DtypeRule R, class T>
constexpr bool rule_allows() {
  if constexpr (R == DtypeRule::Float) return std::is_floating_point_v<T>;
  else if constexpr (R == DtypeRule::Logical) return std::is_same_v<T, bool>;
  else return !std::is_same_v<T, bool>;
}

// The compute type of a storage type (float16/bfloat16 compute in float, integers in int64).
template <class S>
using compute_of = std::conditional_t<std::is_floating_point_v<S>, S,
                                      std::conditional_t<std::is_integral_v<S>, int64_t, float>>;

template <class T>
T scalar_as(const Scalar& s) {
  if constexpr (std::is_same_v<T, bool>) return s.to_bool();
  else return s.to<T>();
}

// Bit k set when input k is a by-value scalar.
inline unsigned scalar_mask(const PointwiseArgs& a) {
  unsigned mask = 0;
  for (size_t k = 0; k < a.in.size(); ++k) mask |= (a.in[k].is_scalar ? 1u : 0u) << k;
  return mask;
}

// fast.template operator()<S>() tries the dense path for storage type S (false when it does
// not apply); general.template operator()<T>() runs the general path in compute type T.
template <DtypeRule R, class Fast, class General>
void dispatch_pointwise(const PointwiseArgs& a, const Fast& fast, const General& general) {
  if (a.contiguous_same_dtype()) {
    if (fast.template operator()<float>() || fast.template operator()<double>() ||
        fast.template operator()<int64_t>() || fast.template operator()<int32_t>() ||
        fast.template operator()<Half>() || fast.template operator()<BFloat16>())
      return;
  }
  switch (a.compute) {
    case kBool:
      if constexpr (rule_allows<R, bool>()) return general.template operator()<bool>();
      break;
    case kInt64:
      if constexpr (rule_allows<R, int64_t>()) return general.template operator()<int64_t>();
      break;
    case kFloat32:
      if constexpr (rule_allows<R, float>()) return general.template operator()<float>();
      break;
    case kFloat64:
      if constexpr (rule_allows<R, double>()) return general.template operator()<double>();
      break;
    default:
      break;
  }
  EMBER_FAIL("internal: no kernel for ", op_name(a.op), " computing in ", dtype_name(a.compute));
}

}  // namespace ember
