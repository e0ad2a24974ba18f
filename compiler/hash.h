#pragma once
// 64-bit FNV-1a: kernel names, kernel cache keys and cache entry checksums. Not cryptographic.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ember::jit {

constexpr uint64_t kFnv1aBasis = 1469598103934665603ull;

inline uint64_t fnv1a(const void* data, size_t n, uint64_t h = kFnv1aBasis) {
  const unsigned char* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

inline uint64_t fnv1a(std::string_view s, uint64_t h = kFnv1aBasis) { return fnv1a(s.data(), s.size(), h); }

}  // namespace ember::jit
