#pragma once
// CUDA Graph replay of a whole Program: captured once (after a warm-up run), replayed on
// every later call with the inputs copied into the captured graph's static buffers.
#include <memory>
#include <optional>
#include <vector>

#include "ember/tensor.h"

namespace ember::jit {

class Program;

class GraphReplay {
 public:
  virtual ~GraphReplay() = default;
  // The outputs of `p` on `inputs` through the CUDA graph, or nullopt when this call must
  // run normally (the warm-up call, or a program that cannot be captured: the reason is
  // logged under EMBER_LOG=cudagraph and the program runs without a graph from then on).
  virtual std::optional<std::vector<Tensor>> run(const Program& p, const std::vector<Tensor>& inputs) = 0;
};

// Null in builds without CUDA.
std::unique_ptr<GraphReplay> make_graph_replay();

}  // namespace ember::jit
