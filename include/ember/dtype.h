#pragma once
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace ember {

struct Half;
struct BFloat16;

enum class ScalarType : int8_t {
  Bool, UInt8, Int8, Int16, Int32, Int64, Float16, BFloat16, Float32, Float64, Undefined
};
constexpr int kNumScalarTypes = 10;

constexpr ScalarType kBool = ScalarType::Bool;
constexpr ScalarType kUInt8 = ScalarType::UInt8;
constexpr ScalarType kByte = ScalarType::UInt8;
constexpr ScalarType kInt8 = ScalarType::Int8;
constexpr ScalarType kChar = ScalarType::Int8;
constexpr ScalarType kInt16 = ScalarType::Int16;
constexpr ScalarType kShort = ScalarType::Int16;
constexpr ScalarType kInt32 = ScalarType::Int32;
constexpr ScalarType kInt = ScalarType::Int32;
constexpr ScalarType kInt64 = ScalarType::Int64;
constexpr ScalarType kLong = ScalarType::Int64;
constexpr ScalarType kFloat16 = ScalarType::Float16;
constexpr ScalarType kHalf = ScalarType::Float16;
constexpr ScalarType kBFloat16 = ScalarType::BFloat16;
constexpr ScalarType kFloat32 = ScalarType::Float32;
constexpr ScalarType kFloat = ScalarType::Float32;
constexpr ScalarType kFloat64 = ScalarType::Float64;
constexpr ScalarType kDouble = ScalarType::Float64;

size_t itemsize(ScalarType t);
const char* dtype_name(ScalarType t);  // "float32"
ScalarType dtype_from_name(const std::string& name);
std::ostream& operator<<(std::ostream& os, ScalarType t);

constexpr bool is_floating(ScalarType t) {
  return t == kFloat16 || t == kBFloat16 || t == kFloat32 || t == kFloat64;
}
constexpr bool is_integral(ScalarType t, bool include_bool) {
  return (t >= kUInt8 && t <= kInt64) || (include_bool && t == kBool);
}

// libtorch's promotion lattice (bool < integers < floats; uint8 with int8 gives int16,
// float16 with bfloat16 gives float32).
ScalarType promote_types(ScalarType a, ScalarType b);

ScalarType default_dtype();
void set_default_dtype(ScalarType t);

template <class T> constexpr ScalarType dtype_of();
template <> constexpr ScalarType dtype_of<bool>() { return kBool; }
template <> constexpr ScalarType dtype_of<uint8_t>() { return kUInt8; }
template <> constexpr ScalarType dtype_of<int8_t>() { return kInt8; }
template <> constexpr ScalarType dtype_of<int16_t>() { return kInt16; }
template <> constexpr ScalarType dtype_of<int32_t>() { return kInt32; }
template <> constexpr ScalarType dtype_of<int64_t>() { return kInt64; }
template <> constexpr ScalarType dtype_of<long long>() { return kInt64; }
template <> constexpr ScalarType dtype_of<Half>() { return kFloat16; }
template <> constexpr ScalarType dtype_of<BFloat16>() { return kBFloat16; }
template <> constexpr ScalarType dtype_of<float>() { return kFloat32; }
template <> constexpr ScalarType dtype_of<double>() { return kFloat64; }

}  // namespace ember
