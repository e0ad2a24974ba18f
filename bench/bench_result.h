#pragma once
// One row of ember-bench's results: a workload at one size, run by one implementation in
// one mode. The JSON form of a row is the schema shared with bench/pytorch_gpu.py and
// bench/merge_results.py ("ember-bench/1"); absent measurements are null.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "timing.h"

namespace ember::bench {

struct CompileTimes {
  // First call minus a steady call, kernel caches empty; the allocator already holds blocks
  // of the inputs' size, so first-touch page faults are not counted as compiling.
  double cold_ms = 0;
  double warm_ms = 0;             // a new compile() of the same function, kernels from the disk cache
  double cold_first_call_ms = 0;  // the first call as the user sees it (compile + run)
  double warm_first_call_ms = 0;
  double program_ms = 0;          // the compiler's own count (passes, codegen, planning), all programs
  int64_t fused_kernels = 0;      // over the forward and backward programs
  int64_t ops = 0;                // nodes in the optimized graphs
};

struct BenchResult {
  std::string workload;           // e.g. "chain:add,mul,clamp,pow"
  int64_t size = 0;               // elements (pointwise workloads) or batch rows (networks)
  std::string size_kind;          // "elements" or "rows"
  std::string impl;               // "ember", "libtorch", "pytorch"
  std::string mode;               // "eager", "compiled", "compiled+cuda_graphs", "torch.compile", ...
  std::string device;             // "cpu", "cuda:0"
  std::optional<Timing> time;
  std::optional<int64_t> launches_per_call;
  std::optional<int64_t> bytes_per_call;
  std::string bytes_source;       // "min_bytes" (the workload's floor) or "program" (compiler's estimate)
  std::optional<double> gbps, copy_fraction;
  std::optional<int64_t> peak_bytes, peak_extra_bytes;  // extra: above what was allocated before the call
  std::optional<int64_t> program_bytes;                 // compiled modes: the programs' summary bytes
  std::optional<CompileTimes> compile;
  std::string error;              // non-empty when this mode failed; the other fields are then absent

  std::string label() const { return impl + " " + mode; }
};

nlohmann::json to_json(const BenchResult& r);
nlohmann::json to_json(const Timing& t);

}  // namespace ember::bench
