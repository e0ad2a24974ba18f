#include "kernels/ops/type_promotion.h"

#include "kernels/op_registry.h"

namespace ember {

namespace {
ScalarType promote_skip(ScalarType a, ScalarType b) {
  if (a == ScalarType::Undefined) return b;
  if (b == ScalarType::Undefined) return a;
  return promote_types(a, b);
}

ScalarType combine_categories(ScalarType higher, ScalarType lower) {
  if (higher == ScalarType::Undefined) return lower;
  if (is_floating(higher)) return higher;
  if (higher == kBool || (lower != ScalarType::Undefined && is_floating(lower)))
    return promote_skip(higher, lower);
  return higher;
}
}  // namespace

ScalarType result_type(const std::vector<Tensor>& operands) {
  ScalarType dim_r = ScalarType::Undefined, zero_r = ScalarType::Undefined,
             wrapped_r = ScalarType::Undefined;
  for (const auto& t : operands) {
    ScalarType cur = t.dtype();
    if (t.impl().wrapped_number) {
      if (is_floating(cur)) cur = default_dtype();
      wrapped_r = promote_skip(wrapped_r, cur);
    } else if (t.dim() > 0) {
      dim_r = promote_skip(dim_r, cur);
    } else {
      zero_r = promote_skip(zero_r, cur);
    }
  }
  return combine_categories(dim_r, combine_categories(zero_r, wrapped_r));
}

bool can_cast(ScalarType from, ScalarType to) {
  if (is_floating(from) && is_integral(to, true)) return false;
  if (from != kBool && to == kBool) return false;
  return true;
}

ScalarType compute_type_of(ScalarType t) {
  if (t == kFloat64) return kFloat64;
  if (is_floating(t)) return kFloat32;
  return kInt64;
}

PointwiseTypes pointwise_types(OpId op, const std::vector<Tensor>& in, ScalarType cast_to) {
  const OpDef& d = op_def(op);
  switch (d.rule) {
    case DtypeRule::Cast: {
      ScalarType src = in[0].dtype();
      ScalarType compute = is_floating(cast_to)
                               ? (cast_to == kFloat64 ? kFloat64 : kFloat32)
                               : (is_floating(src) ? compute_type_of(src) : kInt64);
      return {cast_to, compute};
    }
    case DtypeRule::First:
      return {in[0].dtype(), compute_type_of(in[0].dtype())};
    case DtypeRule::Logical:
      return {kBool, kBool};
    case DtypeRule::Where: {
      EMBER_CHECK(in[0].dtype() == kBool, d.name, ": expected a bool condition but got ",
                  dtype_name(in[0].dtype()));
      ScalarType c = result_type({in[1], in[2]});
      return {c, compute_type_of(c)};
    }
    default:
      break;
  }
  ScalarType c = result_type(in);
  if (d.rule == DtypeRule::NoBool)
    EMBER_CHECK(c != kBool, d.name, ": not supported for bool tensors (got operands of dtype bool)");
  if (d.rule == DtypeRule::Float && !is_floating(c)) c = default_dtype();
  if (d.rule == DtypeRule::Compare) return {kBool, compute_type_of(c)};
  return {c, compute_type_of(c)};
}

PointwiseTypes pointwise_types(OpId op, const std::vector<Tensor>& in, const Attrs& attrs) {
  return pointwise_types(op, in, attrs.has("dtype") ? attrs.dtype("dtype") : in[0].dtype());
}

}  // namespace ember
