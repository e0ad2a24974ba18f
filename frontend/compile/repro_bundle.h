#pragma once
// Repro bundles: one compiled program made reproducible anywhere. A directory holding
//   graph.json          the traced graph (before any pass), compiler/serialize_graph.h's format
//   inputs.safetensors  the program's inputs "input0", "input1", ... (absent when the values
//                       were not at hand: a backward graph that failed to compile)
//   manifest.json       {"format": "ember.repro", "version": 1, ember version, program name,
//                       why it was written, the CompileOptions}
// Written for every program on its first run when EMBER_REPRO_DIR is set, and automatically
// when compiling a program fails (strict refusals included). ember-dump --replay/--bisect read it.
#include <string>
#include <vector>

#include "compiler/graph.h"
#include "ember/compile_options.h"

namespace ember::jit {

class Program;

constexpr int kReproBundleVersion = 1;

struct ReproBundle {
  Graph graph;
  std::vector<Tensor> inputs;  // empty when the bundle has none
  bool has_inputs = false;
  CompileOptions options;
  std::string program, reason, ember_version;
};

void write_repro_bundle(const std::string& dir, const Graph& graph, const std::vector<Tensor>* inputs,
                        const CompileOptions& options, const std::string& program, const std::string& reason);
ReproBundle load_repro_bundle(const std::string& dir);

// EMBER_REPRO_DIR, or "".
std::string repro_dir();

// On request: the first run of each program writes a bundle (before it runs: in-place updates
// must not reach the saved inputs). No-op without EMBER_REPRO_DIR.
void bundle_first_run(const Program& program, const std::vector<Tensor>& inputs, const CompileOptions& options);

// Compiling `graph` failed with `what`: writes a bundle (EMBER_REPRO_DIR, else the temporary
// directory) and returns the message with where it went appended.
std::string bundle_failure(const Graph& graph, const std::vector<Tensor>* inputs, const CompileOptions& options,
                           const std::string& program, const std::string& what);

}  // namespace ember::jit

namespace ember::jit {

// Random values shaped like the graph's inputs (normal floats, small integers, coin-flip bools).
std::vector<Tensor> random_inputs(const Graph& graph);

}  // namespace ember::jit
