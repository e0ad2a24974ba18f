#pragma once
// Finding the fusion that broke a result. A repro bundle is a directory ember writes for a
// compiled program: for every program's first run when EMBER_REPRO_DIR is set, and by itself
// when compiling fails (the error names the directory). ember-dump --replay/--bisect read it.
#include <string>

namespace ember {

struct BisectResult {
  bool all_agree = true;   // every fused kernel matched its ops run alone
  std::string first_bad;   // the first kernel that did not, with its source ops
  std::string report;      // one line per kernel
};

// Compiles the bundle's graph with its options and runs each fused kernel on its own (every
// other step as its ops one by one) on the bundle's inputs (random ones when it has none),
// comparing what the kernel writes with its ops run alone: pointwise kernels bitwise,
// reductions within |a - b| <= 1e-5 + 1e-5 |b|.
BisectResult bisect_repro_bundle(const std::string& dir);

}  // namespace ember
