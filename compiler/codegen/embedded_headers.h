#pragma once
// The text of kernels/device/*.h, embedded at build time (cmake/embed_headers.cmake).
#include <string>
#include <vector>

namespace ember::jit {

struct EmbeddedHeader {
  const char* name;  // "pointwise.h"
  const char* text;
};

const std::vector<EmbeddedHeader>& embedded_headers();

}  // namespace ember::jit
