#include "ember/dtype.h"

#include <atomic>
#include <ostream>

#include "ember/error.h"

namespace ember {

namespace {
constexpr const char* kNames[] = {"bool",    "uint8",    "int8",    "int16",   "int32",
                                  "int64",   "float16",  "bfloat16", "float32", "float64"};
constexpr size_t kSizes[] = {1, 1, 1, 2, 4, 8, 2, 2, 4, 8};
std::atomic<ScalarType> g_default_dtype{kFloat32};

int int_rank(ScalarType t) { return static_cast<int>(t) - static_cast<int>(kUInt8); }
}  // namespace

size_t itemsize(ScalarType t) {
  EMBER_CHECK(t != ScalarType::Undefined, "itemsize: undefined dtype");
  return kSizes[static_cast<int>(t)];
}

const char* dtype_name(ScalarType t) {
  if (t == ScalarType::Undefined) return "undefined";
  return kNames[static_cast<int>(t)];
}

ScalarType dtype_from_name(const std::string& name) {
  for (int i = 0; i < kNumScalarTypes; ++i)
    if (name == kNames[i]) return static_cast<ScalarType>(i);
  if (name == "float" ) return kFloat32;
  if (name == "double") return kFloat64;
  if (name == "half") return kFloat16;
  if (name == "long") return kInt64;
  if (name == "int") return kInt32;
  EMBER_FAIL("unknown dtype '", name, "'");
}

std::ostream& operator<<(std::ostream& os, ScalarType t) { return os << dtype_name(t); }

ScalarType promote_types(ScalarType a, ScalarType b) {
  EMBER_CHECK(a != ScalarType::Undefined && b != ScalarType::Undefined,
              "promote_types: undefined dtype");
  if (a == b) return a;
  if (a == kBool) return b;
  if (b == kBool) return a;
  if (is_floating(a) || is_floating(b)) {
    if (!is_floating(a)) return b;
    if (!is_floating(b)) return a;
    if ((a == kFloat16 && b == kBFloat16) || (a == kBFloat16 && b == kFloat16)) return kFloat32;
    return a > b ? a : b;
  }
  // both integers, neither bool
  if ((a == kUInt8 && b == kInt8) || (a == kInt8 && b == kUInt8)) return kInt16;
  return int_rank(a) > int_rank(b) ? a : b;
}

ScalarType default_dtype() { return g_default_dtype.load(); }

void set_default_dtype(ScalarType t) {
  EMBER_CHECK(is_floating(t), "set_default_dtype: only floating dtypes can be the default, got ",
              dtype_name(t));
  g_default_dtype.store(t);
}

}  // namespace ember
