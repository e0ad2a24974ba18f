#pragma once
// The graph IR: SSA values (dtype, shape, device, strides) produced by nodes whose ops
// come from the one op table (kernels/op_list.h). Nodes are kept in topological order.
#include <iosfwd>
#include <string>
#include <vector>

#include "kernels/attrs.h"
#include "kernels/op_list.h"
#include "ember/tensor.h"

namespace ember::jit {

enum class ValueKind : uint8_t { Input, Constant, Node };

struct Value {
  ValueKind kind = ValueKind::Node;
  Shape sizes;
  Shape strides;  // for views of inputs; contiguous for computed values
  int64_t offset = 0;
  ScalarType dtype = kFloat32;
  Device device;
  int node = -1;  // producer (ValueKind::Node)
  int index = 0;  // which output of the producer
  std::string name;
  Tensor constant;  // ValueKind::Constant: a 0-dim CPU number or a small tensor
  bool wrapped = false;  // the constant is a wrapped number (promotes by category only)
  int64_t numel() const { return numel_of(sizes); }
  int64_t nbytes() const { return numel() * static_cast<int64_t>(itemsize(dtype)); }
};

struct Node {
  OpId op;
  std::vector<int> inputs;
  std::vector<int> outputs;
  Attrs attrs;
  int origin = -1;  // index into Graph::origins, -1 when unknown
};

// Where a traced node came from: the nn module that was running (its path from the outermost
// module called, "model.blocks.1.attn") and the user's call site. Backward nodes carry their
// forward op's origin. Frames are raw return addresses, symbolised when shown; a graph read
// from JSON has the text instead.
struct NodeOrigin {
  std::string module;
  std::vector<void*> frames;
  std::string call_site;  // used when frames is empty
  bool backward = false;
};

class Graph {
 public:
  int add_input(const Tensor& example, std::string name);
  int add_constant(const Tensor& value);
  // Appends a node; outputs get the given metadata (from the op's meta or alias function).
  int add_node(OpId op, std::vector<int> inputs, Attrs attrs, const std::vector<Tensor>& outputs_meta);

  // Structural and semantic check, run after every pass: SSA, topological order, and every
  // node's output metadata re-inferred from the op table.
  void verify() const;

  // Which nodes use each value (by node index), computed on demand.
  std::vector<std::vector<int>> users() const;

  // A traced (symbolic) tensor standing for `value` (for re-inference).
  Tensor meta_tensor(int value) const;

  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<int> inputs;
  std::vector<int> outputs;
  std::vector<NodeOrigin> origins;
};

// A node's origin, null when unknown; its call site, symbolised ("" when unknown); and
// "model.blocks.1.attn at f (binary+0x12)" / "(backward of) ..." for reports.
const NodeOrigin* origin_of(const Graph& g, int node);
std::string origin_call_site(const Graph& g, int node);
std::string origin_text(const Graph& g, int node);

// A graph made of `nodes` of `g` (in order), reading `inputs` (which become its inputs, in
// that order; constants are copied) and returning `outputs`. Every value a node needs must be
// an input, a constant, or produced by an earlier node of the list.
Graph extract_subgraph(const Graph& g, const std::vector<int>& nodes, const std::vector<int>& inputs,
                       const std::vector<int>& outputs);

// Readable text: one line per node, `%3 = Add(%1, %2) : float32[64, 10] cpu`.
std::string to_text(const Graph& g);
std::ostream& operator<<(std::ostream& os, const Graph& g);
std::string value_type_str(const Value& v);

}  // namespace ember::jit
