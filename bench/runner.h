#pragma once
// Measures one benchmark case in one mode: ember eager, ember compiled (with or without CUDA
// graphs) or libtorch eager. A failing mode (a workload that cannot compile, say) becomes a
// row with `error` set, so one failure never hides the rest of a run.
#include <string>

#include "bench_result.h"
#include "runtime/device.h"
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
};

// mode: "eager", "compiled" or "compiled+cuda_graphs".
BenchResult measure_ember(const BenchCase& c, const std::string& mode, const RunOptions& o);

// libtorch eager on the CPU (Debian's libtorch has no CUDA).
BenchResult measure_libtorch(const BenchCase& c, const RunOptions& o);

}  // namespace ember::bench
