#include "frontend/compile/options_json.h"

namespace ember::jit {

nlohmann::json options_json(const CompileOptions& o) {
  return {{"cuda_graphs", o.cuda_graphs},
          {"strict", o.strict},
          {"detect_anomaly", o.detect_anomaly},
          {"max_variants", o.max_variants},
          {"name", o.name}};
}

CompileOptions options_from_json(const nlohmann::json& j) {
  CompileOptions o;
  o.cuda_graphs = j.at("cuda_graphs").get<bool>();
  o.strict = j.at("strict").get<bool>();
  o.detect_anomaly = j.value("detect_anomaly", false);
  o.max_variants = j.at("max_variants").get<int>();
  o.name = j.at("name").get<std::string>();
  return o;
}

}  // namespace ember::jit
