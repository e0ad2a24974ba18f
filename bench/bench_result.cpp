#include "bench_result.h"

namespace ember::bench {

namespace {

template <class T>
nlohmann::json or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json to_json(const Timing& t) {
  return {{"median", t.median_us}, {"p10", t.p10_us}, {"p90", t.p90_us}, {"min", t.min_us},
          {"max", t.max_us},       {"mean", t.mean_us}, {"repeats", t.repeats}};
}

nlohmann::json to_json(const BenchResult& r) {
  nlohmann::json j = {{"workload", r.workload},
                      {"size", r.size},
                      {"size_kind", r.size_kind},
                      {"impl", r.impl},
                      {"mode", r.mode},
                      {"label", r.label()},
                      {"device", r.device},
                      {"time_us", r.time ? to_json(*r.time) : nlohmann::json(nullptr)},
                      {"launches_per_call", or_null(r.launches_per_call)},
                      {"bytes_per_call", or_null(r.bytes_per_call)},
                      {"bytes_source", r.bytes_source.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.bytes_source)},
                      {"gbps", or_null(r.gbps)},
                      {"copy_fraction", or_null(r.copy_fraction)},
                      {"peak_bytes", or_null(r.peak_bytes)},
                      {"peak_extra_bytes", or_null(r.peak_extra_bytes)},
                      {"program_bytes", or_null(r.program_bytes)},
                      {"compile", nullptr},
                      {"error", r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error)}};
  if (r.compile) {
    const CompileTimes& c = *r.compile;
    j["compile"] = {{"cold_ms", c.cold_ms},
                    {"warm_ms", c.warm_ms},
                    {"cold_first_call_ms", c.cold_first_call_ms},
                    {"warm_first_call_ms", c.warm_first_call_ms},
                    {"program_ms", c.program_ms},
                    {"fused_kernels", c.fused_kernels},
                    {"ops", c.ops},
                    {"cold_ms_per_kernel", c.fused_kernels > 0 ? c.cold_ms / static_cast<double>(c.fused_kernels)
                                                               : c.cold_ms}};
  }
  return j;
}

}  // namespace ember::bench
