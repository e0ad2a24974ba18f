#include "compiler/serialize_graph.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kernels/op_registry.h"
#include "kernels/tensor_alloc.h"
#include "runtime/dispatch.h"
#include "ember/grad_mode.h"
#include "kernels/ops/ops_util.h"

namespace ember::jit {

namespace {

using json = nlohmann::json;

json attr_json(const AttrValue& v) {
  return std::visit(
      [](const auto& x) -> json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, int64_t>) return {{"int", x}};
        else if constexpr (std::is_same_v<T, double>) return {{"float", x}};
        else if constexpr (std::is_same_v<T, bool>) return {{"bool", x}};
        else if constexpr (std::is_same_v<T, IntList>) return {{"ints", x}};
        else if constexpr (std::is_same_v<T, ScalarType>) return {{"dtype", dtype_name(x)}};
        else if constexpr (std::is_same_v<T, Device>) return {{"device", x.str()}};
        else {
          const char* kind = x.is_floating() ? "float" : (x.is_bool() ? "bool" : "int");
          json val = x.is_floating() ? json(x.to_double()) : (x.is_bool() ? json(x.to_bool()) : json(x.to_int()));
          return {{"scalar", {{"kind", kind}, {"value", val}}}};
        }
      },
      v);
}

// An integer the file gives: a JSON float here would be converted with undefined behaviour
// when out of range (found by fuzz_graph_json), so only JSON integers are taken.
int64_t integer(const json& j, const char* what) {
  EMBER_CHECK(j.is_number_integer(), "graph JSON: ", what, " must be an integer (got ", j.dump(), ")");
  return j.get<int64_t>();
}
IntList integers(const json& j, const char* what) {
  EMBER_CHECK(j.is_array(), "graph JSON: ", what, " must be a list of integers (got ", j.dump(), ")");
  IntList out;
  for (const auto& x : j) out.push_back(integer(x, what));
  return out;
}

AttrValue attr_from(const std::string& key, const json& j) {
  EMBER_CHECK(j.is_object() && j.size() == 1, "graph JSON: attribute '", key, "' must be an object with one typed entry");
  auto it = j.begin();
  const std::string& type = it.key();
  const json& val = it.value();
  if (type == "int") return integer(val, "an int attribute");
  if (type == "float") return val.get<double>();
  if (type == "bool") return val.get<bool>();
  if (type == "ints") return integers(val, "an ints attribute");
  if (type == "dtype") return dtype_from_name(val.get<std::string>());
  if (type == "device") return Device(val.get<std::string>());
  if (type == "scalar") {
    std::string kind = val.at("kind").get<std::string>();
    if (kind == "float") return Scalar(val.at("value").get<double>());
    if (kind == "bool") return Scalar(val.at("value").get<bool>());
    if (kind == "int") return Scalar(integer(val.at("value"), "an int scalar"));
    EMBER_FAIL("graph JSON: attribute '", key, "' has unknown scalar kind '", kind, "'");
  }
  EMBER_FAIL("graph JSON: attribute '", key, "' has unknown type '", type, "'");
}

template <class S>
void append_values(const S* p, int64_t n, json& data) {
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<S, bool>) data.push_back(p[i]);
    else if constexpr (std::is_integral_v<S>) data.push_back(static_cast<int64_t>(p[i]));
    else data.push_back(static_cast<double>(static_cast<float>(p[i])));
  }
}
template <>
void append_values(const double* p, int64_t n, json& data) {
  for (int64_t i = 0; i < n; ++i) data.push_back(p[i]);
}

template <class S>
void read_values(const json& data, S* p) {
  for (size_t i = 0; i < data.size(); ++i) {
    if constexpr (std::is_same_v<S, bool>) p[i] = data[i].get<bool>();
    else if constexpr (std::is_integral_v<S>) p[i] = static_cast<S>(integer(data[i], "an integer constant's value"));
    else p[i] = S(data[i].get<double>());
  }
}

json constant_data(const Tensor& t) {
  Tensor h = contiguous_on(t, Device(kCPU));
  json data = json::array();
  EMBER_DISPATCH_ALL_TYPES(h.dtype(), "graph JSON", [&] {
    append_values(static_cast<const scalar_t*>(h.data_ptr()), h.numel(), data);
  });
  return data;
}

const char* kind_name(ValueKind k) {
  return k == ValueKind::Input ? "input" : (k == ValueKind::Constant ? "constant" : "node");
}

}  // namespace

std::string to_json(const Graph& g, int indent) {
  json j;
  j["format"] = "ember.graph";
  j["version"] = kGraphSchemaVersion;
  json values = json::array();
  for (size_t v = 0; v < g.values.size(); ++v) {
    const Value& val = g.values[v];
    json jv = {{"id", v}, {"kind", kind_name(val.kind)}, {"dtype", dtype_name(val.dtype)},
               {"shape", val.sizes}, {"strides", val.strides}, {"offset", val.offset},
               {"device", val.device.str()}};
    if (!val.name.empty()) jv["name"] = val.name;
    if (val.kind == ValueKind::Constant) {
      jv["data"] = constant_data(val.constant);
      jv["wrapped"] = val.wrapped;
    }
    values.push_back(jv);
  }
  j["values"] = values;
  json nodes = json::array();
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    json attrs = json::object();
    for (const auto& [k, a] : n.attrs.items()) attrs[k] = attr_json(a);
    json jn = {{"op", op_name(n.op)}, {"inputs", n.inputs}, {"outputs", n.outputs}, {"attrs", attrs}};
    if (const NodeOrigin* o = origin_of(g, static_cast<int>(i)))
      jn["origin"] = {{"module", o->module}, {"call_site", origin_call_site(g, static_cast<int>(i))}, {"backward", o->backward}};
    nodes.push_back(std::move(jn));
  }
  j["nodes"] = nodes;
  j["inputs"] = g.inputs;
  j["outputs"] = g.outputs;
  return j.dump(indent);
}

Graph graph_from_json(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    EMBER_FAIL("graph JSON: not valid JSON (", e.what(), ")");
  }
  Graph g;
  try {
    EMBER_CHECK(j.is_object() && j.value("format", "") == "ember.graph",
                "graph JSON: not an ember graph (missing \"format\": \"ember.graph\")");
    int64_t version = integer(j.at("version"), "version");
    EMBER_CHECK(version == kGraphSchemaVersion, "graph JSON: unsupported schema version ", version,
                " (this build reads version ", kGraphSchemaVersion, ")");
    const json& values = j.at("values");
    for (size_t v = 0; v < values.size(); ++v) {
      const json& jv = values[v];
      EMBER_CHECK(integer(jv.at("id"), "a value id") == static_cast<int64_t>(v), "graph JSON: value ids must be 0..n-1 in order (entry ", v,
                  " has id ", jv.at("id").dump(), ")");
      Value val;
      std::string kind = jv.at("kind").get<std::string>();
      val.dtype = dtype_from_name(jv.at("dtype").get<std::string>());
      val.sizes = integers(jv.at("shape"), "a shape");
      for (auto s : val.sizes) EMBER_CHECK(s >= 0, "graph JSON: value ", v, " has a negative dimension");
      val.strides = jv.contains("strides") ? Shape(integers(jv.at("strides"), "strides")) : contiguous_strides(val.sizes);
      EMBER_CHECK(val.strides.size() == val.sizes.size(), "graph JSON: value ", v, " has ",
                  val.strides.size(), " strides for ", val.sizes.size(), " dims");
      val.offset = jv.contains("offset") ? integer(jv.at("offset"), "an offset") : 0;
      val.device = Device(jv.at("device").get<std::string>());
      val.name = jv.value("name", "");
      if (kind == "input") {
        val.kind = ValueKind::Input;
      } else if (kind == "constant") {
        val.kind = ValueKind::Constant;
        const json& data = jv.at("data");
        EMBER_CHECK(static_cast<int64_t>(data.size()) == numel_of(val.sizes), "graph JSON: constant ", v,
                    " has ", data.size(), " values for shape ", shape_str(val.sizes));
        Tensor c = empty_tensor(val.sizes, val.dtype, Device(kCPU));
        EMBER_DISPATCH_ALL_TYPES(val.dtype, "graph JSON", [&] { read_values(data, static_cast<scalar_t*>(c.data_ptr())); });
        val.wrapped = jv.value("wrapped", false);
        c.impl().wrapped_number = val.wrapped;
        val.constant = val.device.is_cpu() ? c : contiguous_on(c, val.device);
        val.constant.impl().wrapped_number = val.wrapped;
      } else if (kind == "node") {
        val.kind = ValueKind::Node;
      } else {
        EMBER_FAIL("graph JSON: value ", v, " has unknown kind '", kind, "'");
      }
      g.values.push_back(std::move(val));
    }
    int nv = static_cast<int>(g.values.size());
    auto check_id = [&](int64_t id, const char* what) {
      EMBER_CHECK(id >= 0 && id < nv, "graph JSON: ", what, " refers to value ", id, ", which does not exist");
      return static_cast<int>(id);
    };
    const json& nodes = j.at("nodes");
    for (size_t n = 0; n < nodes.size(); ++n) {
      const json& jn = nodes[n];
      Node node{op_from_name(jn.at("op").get<std::string>()), {}, {}, {}};
      for (const auto& i : jn.at("inputs")) node.inputs.push_back(check_id(integer(i, "a value id"), "a node input"));
      for (const auto& o : jn.at("outputs")) {
        int id = check_id(integer(o, "a value id"), "a node output");
        EMBER_CHECK(g.values[id].kind == ValueKind::Node && g.values[id].node < 0,
                    "graph JSON: value ", id, " is produced twice or is not a node value");
        g.values[id].node = static_cast<int>(n);
        g.values[id].index = static_cast<int>(node.outputs.size());
        node.outputs.push_back(id);
      }
      const json attrs = jn.value("attrs", json::object());
      EMBER_CHECK(attrs.is_object(), "graph JSON: node ", n, " has attrs that are not an object");
      for (auto it = attrs.begin(); it != attrs.end(); ++it) node.attrs.set(it.key(), attr_from(it.key(), it.value()));
      if (jn.contains("origin")) {
        const json& jo = jn.at("origin");
        node.origin = static_cast<int>(g.origins.size());
        g.origins.push_back({jo.value("module", ""), {}, jo.value("call_site", ""), jo.value("backward", false)});
      }
      g.nodes.push_back(std::move(node));
    }
    for (const auto& i : j.at("inputs")) {
      int id = check_id(integer(i, "a value id"), "the input list");
      EMBER_CHECK(g.values[id].kind == ValueKind::Input, "graph JSON: graph input ", id, " is not an input value");
      g.inputs.push_back(id);
    }
    for (const auto& o : j.at("outputs")) g.outputs.push_back(check_id(integer(o, "a value id"), "the output list"));
    for (int v = 0; v < nv; ++v)
      EMBER_CHECK(g.values[v].kind != ValueKind::Node || g.values[v].node >= 0, "graph JSON: value ", v,
                  " is a node value that no node produces");
  } catch (const json::exception& e) {
    EMBER_FAIL("graph JSON: malformed (", e.what(), ")");
  }
  g.verify();
  return g;
}

void save_graph(const Graph& g, const std::string& path) {
  std::ofstream f(path);
  EMBER_CHECK(f, "save_graph: cannot open '", path, "' for writing");
  f << to_json(g) << "\n";
  EMBER_CHECK(f, "save_graph: writing '", path, "' failed");
}

Graph load_graph(const std::string& path) {
  std::ifstream f(path);
  EMBER_CHECK(f, "load_graph: cannot open '", path, "'");
  std::stringstream ss;
  ss << f.rdbuf();
  return graph_from_json(ss.str());
}

std::string to_dot(const Graph& g, const std::vector<FusionGroup>& groups) {
  std::ostringstream os;
  os << "digraph ember {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n";
  auto label = [&](int v) { return value_type_str(g.values[v]); };
  // Provenance shows as the node's tooltip (SVG hover).
  auto tooltip = [&](size_t n) {
    std::string t = origin_text(g, static_cast<int>(n)), out;
    for (char c : t) out += c == '"' ? std::string("\\\"") : std::string(1, c);
    return out.empty() ? std::string() : ", tooltip=\"" + out + "\"";
  };
  for (int i : g.inputs)
    os << "  v" << i << " [shape=ellipse, label=\"" << (g.values[i].name.empty() ? "%" + std::to_string(i) : g.values[i].name)
       << "\\n" << label(i) << "\"];\n";
  std::vector<int> group_of(g.nodes.size(), -1);
  for (size_t k = 0; k < groups.size(); ++k)
    for (int n : groups[k].nodes) group_of[n] = static_cast<int>(k);
  for (size_t k = 0; k < groups.size(); ++k) {
    os << "  subgraph cluster_" << k << " {\n    label=\"" << groups[k].kernel_name
       << "\";\n    style=filled; color=\"#ffe9c4\";\n";
    for (int n : groups[k].nodes)
      os << "    n" << n << " [label=\"" << op_name(g.nodes[n].op) << "\\n" << label(g.nodes[n].outputs[0]) << "\""
         << tooltip(n) << "];\n";
    os << "  }\n";
  }
  for (size_t n = 0; n < g.nodes.size(); ++n)
    if (group_of[n] < 0)
      os << "  n" << n << " [label=\"" << op_name(g.nodes[n].op) << "\\n"
         << (g.nodes[n].outputs.empty() ? "" : label(g.nodes[n].outputs[0])) << "\"" << tooltip(n) << "];\n";
  auto src = [&](int v) -> std::string {
    const Value& val = g.values[v];
    if (val.kind == ValueKind::Node) return "n" + std::to_string(val.node);
    if (val.kind == ValueKind::Input) return "v" + std::to_string(v);
    return "";
  };
  for (size_t n = 0; n < g.nodes.size(); ++n)
    for (int i : g.nodes[n].inputs) {
      std::string s = src(i);
      if (!s.empty()) os << "  " << s << " -> n" << n << ";\n";
    }
  for (size_t k = 0; k < g.outputs.size(); ++k) {
    os << "  out" << k << " [shape=ellipse, label=\"output " << k << "\"];\n";
    std::string s = src(g.outputs[k]);
    if (!s.empty()) os << "  " << s << " -> out" << k << ";\n";
  }
  os << "}\n";
  return os.str();
}

}  // namespace ember::jit
