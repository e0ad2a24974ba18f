#pragma once
// Compiled functions saved as files and run in another process, without the code that was
// traced: `step.save("step.ember")` (ember/compile.h) writes the artifact, load_compiled
// reads it back as a callable. The artifact holds, per traced variant, the traced graph,
// the guards on its arguments, the captured tensors (parameters, optimizer state) by name
// with their metadata and optionally their values, the generated kernel sources and, for
// CUDA, their cubins. docs/ARCHITECTURE.md ("Exported steps") describes the format and
// its compatibility rule.
//
//   auto loaded = ember::load_compiled("step.ember");
//   Tensor loss = loaded({x, y})[0];        // a training step also updates loaded.state()
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/tensor.h"

namespace ember {

namespace jit {
class LoadedArtifact;  // the implementation
}

struct LoadOptions {
  // Captured tensors bound by name (the loaded step reads and updates these very tensors):
  // they take precedence over values embedded in the artifact. Each must have the shape,
  // dtype and device the artifact records.
  std::vector<std::pair<std::string, Tensor>> state;
};

// One captured tensor of an artifact as the loaded function holds it.
struct LoadedStateInfo {
  std::string name;
  Tensor tensor;
  bool from_artifact = false;  // its value came from the artifact (else from LoadOptions)
};

// What a variant takes as one argument.
struct LoadedArgument {
  Shape sizes;
  ScalarType dtype;
  Device device;
};

class LoadedFunction {
 public:
  explicit LoadedFunction(std::shared_ptr<jit::LoadedArtifact> impl);

  // Runs the first variant whose guards `inputs` pass (shape, dtype, device; a
  // non-contiguous input is made contiguous where the variant wants it contiguous); an
  // Error names what differs from each variant otherwise. Outputs carry no autograd history.
  std::vector<Tensor> operator()(const std::vector<Tensor>& inputs) const;

  // The captured tensors by name, as the calls leave them (a training step's parameters
  // and optimizer state after its updates).
  std::vector<std::pair<std::string, Tensor>> state() const;
  std::vector<LoadedStateInfo> state_info() const;
  // The arguments a variant takes (to prepare inputs: ember-run moves them to its device).
  std::vector<LoadedArgument> arguments(size_t variant = 0) const;
  // The artifact's function name, its variants and their guards, one line each.
  std::string describe() const;
  size_t num_variants() const;

 private:
  std::shared_ptr<jit::LoadedArtifact> impl_;
};

// Reads an artifact written by CompiledFunctionBase::save and builds its programs (the
// embedded cubins are used where this process would build the very same kernel; other
// kernels are compiled from the graph, NVRTC being part of ember's CUDA build). Errors are
// specific: not an artifact, a format version this ember does not read, a corrupt member,
// a captured tensor that has neither an embedded value nor one in `options.state`, or a
// bound tensor whose shape, dtype or device differs.
LoadedFunction load_compiled(const std::string& path, const LoadOptions& options = {});

}  // namespace ember
