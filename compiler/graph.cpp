#include "compiler/graph.h"

#include <ostream>
#include <sstream>

#include "kernels/op_registry.h"
#include "kernels/tensor_alloc.h"
#include "runtime/call_site.h"

namespace ember::jit {

namespace {
struct MetaTrace : TraceInfo {};
}  // namespace

int Graph::add_input(const Tensor& example, std::string name) {
  Value v;
  v.kind = ValueKind::Input;
  v.sizes = example.sizes();
  v.strides = example.strides();
  v.dtype = example.dtype();
  v.device = example.device();
  v.name = std::move(name);
  values.push_back(std::move(v));
  int id = static_cast<int>(values.size()) - 1;
  inputs.push_back(id);
  return id;
}

int Graph::add_constant(const Tensor& value) {
  Value v;
  v.kind = ValueKind::Constant;
  v.sizes = value.sizes();
  v.strides = value.strides();
  v.dtype = value.dtype();
  v.device = value.device();
  v.constant = value;
  v.wrapped = value.impl().wrapped_number;
  values.push_back(std::move(v));
  return static_cast<int>(values.size()) - 1;
}

int Graph::add_node(OpId op, std::vector<int> in, Attrs attrs, const std::vector<Tensor>& outs) {
  Node n{op, std::move(in), {}, std::move(attrs)};
  int id = static_cast<int>(nodes.size());
  for (size_t k = 0; k < outs.size(); ++k) {
    Value v;
    v.kind = ValueKind::Node;
    v.sizes = outs[k].sizes();
    v.strides = outs[k].strides();
    v.offset = outs[k].storage_offset();
    v.dtype = outs[k].dtype();
    v.device = outs[k].device();
    v.node = id;
    v.index = static_cast<int>(k);
    values.push_back(std::move(v));
    n.outputs.push_back(static_cast<int>(values.size()) - 1);
  }
  nodes.push_back(std::move(n));
  return id;
}

Tensor Graph::meta_tensor(int id) const {
  const Value& v = values[id];
  if (v.kind == ValueKind::Constant) return v.constant;
  Tensor t = symbolic_tensor(v.sizes, v.dtype, v.device, std::make_shared<MetaTrace>());
  t.impl().strides = v.strides;
  t.impl().offset = v.offset;
  return t;
}

std::vector<std::vector<int>> Graph::users() const {
  std::vector<std::vector<int>> u(values.size());
  for (size_t n = 0; n < nodes.size(); ++n)
    for (int i : nodes[n].inputs) u[i].push_back(static_cast<int>(n));
  return u;
}

void Graph::verify() const {
  int nv = static_cast<int>(values.size());
  std::vector<bool> defined(values.size(), false);
  for (int i : inputs) {
    EMBER_CHECK(i >= 0 && i < nv && values[i].kind == ValueKind::Input,
                "graph verifier: input %", i, " is not an input value");
    defined[i] = true;
  }
  for (int v = 0; v < nv; ++v)
    if (values[v].kind == ValueKind::Constant) {
      EMBER_CHECK(values[v].constant.defined(), "graph verifier: constant %", v, " has no value");
      defined[v] = true;
    }
  for (size_t n = 0; n < nodes.size(); ++n) {
    const Node& node = nodes[n];
    for (int i : node.inputs) {
      EMBER_CHECK(i >= 0 && i < nv, "graph verifier: node ", n, " (", op_name(node.op),
                  ") uses a value id ", i, " that does not exist");
      EMBER_CHECK(defined[i], "graph verifier: node ", n, " (", op_name(node.op), ") uses %", i,
                  " before it is defined (cycle or bad order)");
    }
    for (int o : node.outputs) {
      EMBER_CHECK(o >= 0 && o < nv && values[o].node == static_cast<int>(n), "graph verifier: node ",
                  n, " output %", o, " does not name it as producer");
      EMBER_CHECK(!defined[o], "graph verifier: %", o, " is defined twice");
      defined[o] = true;
    }
    // Re-infer the outputs from the op table and compare.
    std::vector<Tensor> in;
    for (int i : node.inputs) in.push_back(meta_tensor(i));
    const OpDef& d = op_def(node.op);
    std::vector<Shape> shapes;
    std::vector<ScalarType> dtypes;
    if (d.alias) {
      for (auto& t : d.alias(in, node.attrs)) {
        shapes.push_back(t.sizes());
        dtypes.push_back(t.dtype());
      }
    } else {
      EMBER_CHECK(d.meta, "graph verifier: op ", d.name, " has a data-dependent output shape and "
                  "cannot appear in a graph");
      for (auto& s : d.meta(in, node.attrs)) {
        shapes.push_back(s.sizes);
        dtypes.push_back(s.dtype);
      }
    }
    EMBER_CHECK(shapes.size() == node.outputs.size(), "graph verifier: node ", n, " (", d.name,
                ") has ", node.outputs.size(), " outputs but the op produces ", shapes.size());
    for (size_t k = 0; k < shapes.size(); ++k) {
      const Value& v = values[node.outputs[k]];
      EMBER_CHECK(v.sizes == shapes[k] && v.dtype == dtypes[k], "graph verifier: node ", n, " (",
                  d.name, ") output %", node.outputs[k], " is recorded as ", value_type_str(v),
                  " but the op infers ", dtype_name(dtypes[k]), shape_str(shapes[k]));
    }
  }
  for (int o : outputs)
    EMBER_CHECK(o >= 0 && o < nv && defined[o], "graph verifier: output %", o, " is not defined");
}

Graph extract_subgraph(const Graph& g, const std::vector<int>& nodes, const std::vector<int>& inputs,
                       const std::vector<int>& outputs) {
  Graph out;
  std::vector<int> map(g.values.size(), -1);
  for (int v : inputs) {
    const Value& src = g.values[v];
    Value nv = src;
    nv.kind = ValueKind::Input;
    nv.node = -1;
    nv.constant = Tensor();
    out.values.push_back(nv);
    map[v] = static_cast<int>(out.values.size()) - 1;
    out.inputs.push_back(map[v]);
  }
  auto mapped = [&](int v) {
    if (map[v] >= 0) return map[v];
    const Value& src = g.values[v];
    EMBER_CHECK(src.kind == ValueKind::Constant, "internal: graph partition needs %", v,
                " which is neither an input nor computed by the extracted nodes");
    map[v] = out.add_constant(src.constant);
    return map[v];
  };
  for (int n : nodes) {
    const Node& node = g.nodes[n];
    Node copy{node.op, {}, {}, node.attrs, node.origin};
    for (int i : node.inputs) copy.inputs.push_back(mapped(i));
    int id = static_cast<int>(out.nodes.size());
    for (int o : node.outputs) {
      Value nv = g.values[o];
      nv.node = id;
      out.values.push_back(nv);
      map[o] = static_cast<int>(out.values.size()) - 1;
      copy.outputs.push_back(map[o]);
    }
    out.nodes.push_back(std::move(copy));
  }
  for (int o : outputs) out.outputs.push_back(mapped(o));
  out.origins = g.origins;
  return out;
}

const NodeOrigin* origin_of(const Graph& g, int node) {
  int o = g.nodes[node].origin;
  return o < 0 || o >= static_cast<int>(g.origins.size()) ? nullptr : &g.origins[o];
}

std::string origin_call_site(const Graph& g, int node) {
  const NodeOrigin* origin = origin_of(g, node);
  if (!origin) return "";
  return origin->frames.empty() ? origin->call_site : symbolise(origin->frames);
}

std::string origin_text(const Graph& g, int node) {
  const NodeOrigin* origin = origin_of(g, node);
  if (!origin) return "";
  std::string site = origin_call_site(g, node);
  std::string text = origin->module;
  if (!site.empty()) text += (text.empty() ? "at " : " at ") + site;
  return origin->backward && !text.empty() ? "backward of " + text : text;
}

std::string value_type_str(const Value& v) {
  std::ostringstream os;
  os << dtype_name(v.dtype) << shape_str(v.sizes);
  return os.str();
}

std::string to_text(const Graph& g) {
  std::ostringstream os;
  auto ref = [&](int id) {
    const Value& v = g.values[id];
    if (v.kind == ValueKind::Constant && v.sizes.empty()) {
      std::ostringstream c;
      c << v.constant.item();
      return c.str();
    }
    return "%" + std::to_string(id);
  };
  os << "graph(";
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const Value& v = g.values[g.inputs[i]];
    os << (i ? ",\n      " : "") << "%" << g.inputs[i] << " : " << value_type_str(v) << " " << v.device;
    if (!v.name.empty()) os << "  # " << v.name;
  }
  os << ") {\n";
  for (size_t v = 0; v < g.values.size(); ++v)
    if (g.values[v].kind == ValueKind::Constant && !g.values[v].sizes.empty())
      os << "  %" << v << " = constant : " << value_type_str(g.values[v]) << "\n";
  for (const Node& n : g.nodes) {
    os << "  ";
    for (size_t k = 0; k < n.outputs.size(); ++k) os << (k ? ", " : "") << "%" << n.outputs[k];
    os << " = " << op_name(n.op) << "(";
    for (size_t k = 0; k < n.inputs.size(); ++k) os << (k ? ", " : "") << ref(n.inputs[k]);
    if (!n.attrs.items().empty()) os << (n.inputs.empty() ? "" : ", ") << n.attrs;
    os << ") : ";
    for (size_t k = 0; k < n.outputs.size(); ++k) os << (k ? ", " : "") << value_type_str(g.values[n.outputs[k]]);
    os << "\n";
  }
  os << "  return (";
  for (size_t i = 0; i < g.outputs.size(); ++i) os << (i ? ", " : "") << ref(g.outputs[i]);
  os << ")\n}\n";
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Graph& g) { return os << to_text(g); }

}  // namespace ember::jit
