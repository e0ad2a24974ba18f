#pragma once
// The exported-step artifact (docs/ARCHITECTURE.md, "Exported steps"): a zip archive with
// manifest.json, per variant its traced graph, program description and kernel sources
// (cubins for CUDA kernels), and state.safetensors with the captured values if embedded.
// Readers accept exactly kArtifactVersion.
#include <nlohmann/json.hpp>
#include <string>

#include "ember/tensor.h"

namespace ember::jit {

constexpr const char* kArtifactFormat = "ember.compiled";
constexpr int kArtifactVersion = 1;
constexpr const char* kManifestMember = "manifest.json";
constexpr const char* kStateMember = "state.safetensors";

inline std::string variant_member(size_t v, const std::string& file) {
  return "variant" + std::to_string(v) + "/" + file;
}

// {"sizes": [...], "strides": [...], "dtype": "float32", "device": "cpu"}
nlohmann::json tensor_meta_json(IntArrayRef sizes, IntArrayRef strides, ScalarType dtype, Device device);

struct TensorMetaRecord {
  Shape sizes, strides;
  ScalarType dtype = kFloat32;
  Device device{kCPU};
  static TensorMetaRecord from_json(const nlohmann::json& j);
  // Empty when `t` has this metadata, else what differs ("shape [2, 3], expected [4, 3]").
  std::string mismatch(const Tensor& t) const;
  std::string str() const;  // "float32 [4, 3] on cpu"
};

}  // namespace ember::jit
