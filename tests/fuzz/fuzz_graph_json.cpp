// What ember-dump does with a graph JSON file: parse it, compile it, run it on random inputs.
#include "compiler/program.h"
#include "compiler/serialize_graph.h"
#include "frontend/compile/repro_bundle.h"
#include "fuzz_target.h"

EMBER_FUZZ_TARGET({
  ember::jit::Graph g = ember::jit::graph_from_json(std::string(reinterpret_cast<const char*>(data), size));
  ember::jit::Program p(g, ember::CompileOptions{}, "fuzz");
  p.run(ember::jit::random_inputs(g));
})
