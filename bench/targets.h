#pragma once
// Issue 5's performance targets, checked against one run's rows: ember eager on the notes'
// network vs libtorch, the compiled 4-op chain on 2^24 floats vs libtorch, and compile
// latency (cold per fused kernel, cold for the whole network, warm from the disk cache).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bench_result.h"

namespace ember::bench {

struct TargetCheck {
  std::string name;
  std::string target;     // e.g. "<= 200 ms"
  std::optional<double> value;
  std::string unit;
  std::optional<bool> met;  // empty: not measured in this run
  std::string detail;
};

std::vector<TargetCheck> evaluate_targets(const std::vector<BenchResult>& rows);
nlohmann::json to_json(const std::vector<TargetCheck>& checks);
std::string format_targets(const std::vector<TargetCheck>& checks);

}  // namespace ember::bench
