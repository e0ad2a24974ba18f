#pragma once
// Loads and stores through a runtime dtype, converting with dev::convert exactly like the
// CPU loops. One switch per access keeps the number of kernel instantiations independent
// of how many storage dtypes an op meets.
#include <cstdint>

#include "kernels/device/cast.h"
#include "ember/dtype.h"

namespace ember::cuda {

template <class T>
__device__ __forceinline__ T load_as(const char* p, ScalarType dt) {
  switch (dt) {
    case ScalarType::Bool: return dev::convert<T>(*reinterpret_cast<const bool*>(p));
    case ScalarType::UInt8: return dev::convert<T>(*reinterpret_cast<const uint8_t*>(p));
    case ScalarType::Int8: return dev::convert<T>(*reinterpret_cast<const int8_t*>(p));
    case ScalarType::Int16: return dev::convert<T>(*reinterpret_cast<const int16_t*>(p));
    case ScalarType::Int32: return dev::convert<T>(*reinterpret_cast<const int32_t*>(p));
    case ScalarType::Int64: return dev::convert<T>(*reinterpret_cast<const int64_t*>(p));
    case ScalarType::Float16: return dev::convert<T>(*reinterpret_cast<const Half*>(p));
    case ScalarType::BFloat16: return dev::convert<T>(*reinterpret_cast<const BFloat16*>(p));
    case ScalarType::Float32: return dev::convert<T>(*reinterpret_cast<const float*>(p));
    default: return dev::convert<T>(*reinterpret_cast<const double*>(p));
  }
}

template <class T>
__device__ __forceinline__ void store_as(char* p, ScalarType dt, T v) {
  switch (dt) {
    case ScalarType::Bool: *reinterpret_cast<bool*>(p) = dev::convert<bool>(v); break;
    case ScalarType::UInt8: *reinterpret_cast<uint8_t*>(p) = dev::convert<uint8_t>(v); break;
    case ScalarType::Int8: *reinterpret_cast<int8_t*>(p) = dev::convert<int8_t>(v); break;
    case ScalarType::Int16: *reinterpret_cast<int16_t*>(p) = dev::convert<int16_t>(v); break;
    case ScalarType::Int32: *reinterpret_cast<int32_t*>(p) = dev::convert<int32_t>(v); break;
    case ScalarType::Int64: *reinterpret_cast<int64_t*>(p) = dev::convert<int64_t>(v); break;
    case ScalarType::Float16: *reinterpret_cast<Half*>(p) = dev::convert<Half>(v); break;
    case ScalarType::BFloat16: *reinterpret_cast<BFloat16*>(p) = dev::convert<BFloat16>(v); break;
    case ScalarType::Float32: *reinterpret_cast<float*>(p) = dev::convert<float>(v); break;
    default: *reinterpret_cast<double*>(p) = dev::convert<double>(v); break;
  }
}

}  // namespace ember::cuda
