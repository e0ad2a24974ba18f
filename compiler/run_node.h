#pragma once
// One graph node run with its eager op: what a program step of kind Op does, what bisect runs
// each node as, and what a fused kernel falls back to for shapes it does not handle.
#include <vector>

#include "compiler/graph.h"
#include "kernels/op_registry.h"

namespace ember::jit {

// Inputs come from `values` (by value id); outputs go to buffer(value id) (or are views, for
// aliasing ops) and are stored back into `values`.
template <class Buffer>
void run_node(const Graph& g, int n, std::vector<Tensor>& values, const Buffer& buffer) {
  const Node& node = g.nodes[n];
  const OpDef& d = op_def(node.op);
  std::vector<Tensor> in;
  in.reserve(node.inputs.size());
  for (int i : node.inputs) in.push_back(values[i]);
  std::vector<Tensor> out;
  if (d.alias) {
    out = d.alias(in, node.attrs);
  } else {
    for (int o : node.outputs) out.push_back(buffer(o));
    d.run(in, node.attrs, out);
  }
  for (size_t k = 0; k < node.outputs.size(); ++k) values[node.outputs[k]] = out[k];
}

}  // namespace ember::jit
