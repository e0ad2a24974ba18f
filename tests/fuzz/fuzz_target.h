#pragma once
// What every harness shares. ember::Error is the promised answer to bad input, so it is caught;
// anything else (another exception, a crash, a sanitizer report, a leak) reaches libFuzzer.
// The CPU allocator is capped, so that a file describing a huge tensor is refused with an
// ember::Error rather than taking the machine's memory.
#include <ember/ember.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <unistd.h>

namespace ember::fuzz {

constexpr size_t kMemoryLimit = size_t{512} << 20;

inline void prepare() {
  static bool once = [] {
    set_cpu_memory_limit(kMemoryLimit);
    return true;
  }();
  (void)once;
}

// A per-process file holding `data`, for loaders that read paths.
inline std::string write_temp(const uint8_t* data, size_t size, const char* suffix) {
  std::string path = "/tmp/ember_fuzz_" + std::to_string(getpid()) + suffix;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace ember::fuzz

#define EMBER_FUZZ_TARGET(body)                                              \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    ::ember::fuzz::prepare();                                                \
    try {                                                                    \
      body                                                                   \
    } catch (const ::ember::Error&) {                                        \
    }                                                                        \
    return 0;                                                                \
  }
