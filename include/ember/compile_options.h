#pragma once
#include <string>

namespace ember {

struct CompileOptions {
  // Capture each compiled step (forward and backward) in a CUDA graph and replay it.
  bool cuda_graphs = false;
  // Make every op that cannot be fused or compiled an error instead of a split.
  bool strict = false;
  // Check every step of this function's programs for NaN/Inf and name the kernel that made
  // one, as autograd::DetectAnomalyGuard does for every compiled function while it is on
  // (slow: each result is read on the host; no CUDA-graph replay meanwhile).
  bool detect_anomaly = false;
  // Cached variants (distinct guards) before the oldest is evicted with a warning.
  int max_variants = 8;
  // Name used in kernel names, logs and dumps.
  std::string name = "fn";
};

}  // namespace ember
