#pragma once
// Graph printers and the JSON round trip.
#include <string>
#include <vector>

#include "compiler/fusion.h"
#include "compiler/graph.h"

namespace ember::jit {

constexpr int kGraphSchemaVersion = 1;

// {"format": "ember.graph", "version": 1, "values": [...], "nodes": [...], ...}
std::string to_json(const Graph& g, int indent = 2);
// Validates everything (schema, version, ids, ops, dtypes, acyclicity, shapes by
// re-inference): a bad file raises ember::Error naming the problem.
Graph graph_from_json(const std::string& text);
void save_graph(const Graph& g, const std::string& path);
Graph load_graph(const std::string& path);

// Graphviz DOT; fused groups are drawn as clusters.
std::string to_dot(const Graph& g, const std::vector<FusionGroup>& groups = {});

}  // namespace ember::jit
