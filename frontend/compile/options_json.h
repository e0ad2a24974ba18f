#pragma once
// CompileOptions as JSON, for the files that record how a program was compiled (repro
// bundles, exported steps): {"cuda_graphs", "strict", "detect_anomaly", "max_variants", "name"}.
#include <nlohmann/json.hpp>

#include "ember/compile_options.h"

namespace ember::jit {

nlohmann::json options_json(const CompileOptions& o);
// Throws nlohmann::json::exception on a missing or mistyped field; a file from before
// detect_anomaly existed reads as false.
CompileOptions options_from_json(const nlohmann::json& j);

}  // namespace ember::jit
