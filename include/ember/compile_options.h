#pragma once
#include <string>

namespace ember {

struct CompileOptions {
  // Capture each compiled step (forward and backward) in a CUDA graph and replay it.
  bool cuda_graphs = false;
  // Make every op that cannot be fused or compiled an error instead of a split.
  bool strict = false;
  // Cached variants (distinct guards) before the oldest is evicted with a warning.
  int max_variants = 8;
  // Name used in kernel names, logs and dumps.
  std::string name = "fn";
};

}  // namespace ember
