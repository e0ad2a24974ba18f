#pragma once
// Measures one benchmark case in every mode: ember eager, ember compiled (with or without
// CUDA graphs) and libtorch eager. Each mode is prepared first (compiled modes before eager,
// so their first call is a cold compile), then all are timed interleaved, in rounds, so that
// a drift in the machine's speed (a shared host, a neighbour's build) hits every mode alike;
// then launches, memory and the warm compile are measured mode by mode. A failing mode (a
// workload that cannot compile, say) becomes a row with `error` set.
#include <string>
#include <vector>

#include "bench_result.h"
#include "ember/device.h"
#include "suite.h"
#include "timing.h"

namespace ember::bench {

struct RunOptions {
  Device device;
  TimingOptions timing;
  // Each cold compile points EMBER_CACHE_DIR at a fresh directory under this one, so the
  // disk kernel cache starts empty; the warm compile then reads what the cold one wrote.
  std::string cache_root;
  uint64_t seed = 0;
  bool libtorch = false;  // add a "libtorch eager" row (CPU only)
};

// Modes of ember on this device: "compiled", "compiled+cuda_graphs" (CUDA), "eager".
std::vector<std::string> ember_modes(const Device& d);

// The rows of one case: ember eager first, then the compiled modes, then libtorch.
std::vector<BenchResult> measure_case(const BenchCase& c, const RunOptions& o);

}  // namespace ember::bench
