#include "frontend/compile/repro_bundle.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "compiler/bisect.h"
#include "compiler/program.h"
#include "compiler/serialize_graph.h"
#include "ember/functional.h"
#include "ember/repro.h"
#include "ember/serialize.h"
#include "frontend/atomic_file.h"
#include "frontend/compile/options_json.h"

namespace ember::jit {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::string unique_dir(const std::string& parent, const std::string& name) {
  static std::atomic<int> counter{0};
  return (fs::path(parent) / (name + "_" + std::to_string(::getpid()) + "_" + std::to_string(++counter))).string();
}

}  // namespace

std::string repro_dir() {
  const char* env = std::getenv("EMBER_REPRO_DIR");
  return env ? env : "";
}

void write_repro_bundle(const std::string& dir, const Graph& graph, const std::vector<Tensor>* inputs,
                        const CompileOptions& options, const std::string& program, const std::string& reason) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  EMBER_CHECK(!ec, "repro bundle: cannot create '", dir, "': ", ec.message());
  save_graph(graph, dir + "/graph.json");
  if (inputs) {
    NamedTensorList named;
    for (size_t i = 0; i < inputs->size(); ++i) named.emplace_back("input" + std::to_string(i), (*inputs)[i]);
    save_tensors(named, dir + "/inputs.safetensors");
  }
  json m = {{"format", "ember.repro"},
            {"version", kReproBundleVersion},
            {"ember_version", EMBER_VERSION},
            {"program", program},
            {"reason", reason},
            {"has_inputs", inputs != nullptr},
            {"options", options_json(options)}};
  std::string text = m.dump(2) + "\n";
  write_file_atomically(dir + "/manifest.json", [&](std::ostream& f) { f << text; }, "repro bundle");
}

ReproBundle load_repro_bundle(const std::string& dir) {
  std::ifstream f(dir + "/manifest.json");
  EMBER_CHECK(f, "repro bundle '", dir, "': no manifest.json (is it a bundle directory?)");
  ReproBundle b;
  try {
    json m = json::parse(f);
    EMBER_CHECK(m.at("format") == "ember.repro", "repro bundle '", dir, "': manifest format is not ember.repro");
    int version = m.at("version").get<int>();
    EMBER_CHECK(version == kReproBundleVersion, "repro bundle '", dir, "': version ", version,
                " (this ember reads version ", kReproBundleVersion, ")");
    b.ember_version = m.at("ember_version").get<std::string>();
    b.program = m.at("program").get<std::string>();
    b.reason = m.at("reason").get<std::string>();
    b.has_inputs = m.at("has_inputs").get<bool>();
    b.options = options_from_json(m.at("options"));
  } catch (const json::exception& e) {
    EMBER_FAIL("repro bundle '", dir, "': malformed manifest.json (", e.what(), ")");
  }
  b.graph = load_graph(dir + "/graph.json");
  if (b.has_inputs) {
    NamedTensorList named = load_tensors(dir + "/inputs.safetensors");
    EMBER_CHECK(named.size() == b.graph.inputs.size(), "repro bundle '", dir, "': ", named.size(),
                " inputs for a graph of ", b.graph.inputs.size());
    for (size_t i = 0; i < named.size(); ++i) {
      const std::string want = "input" + std::to_string(i);
      const Tensor* t = nullptr;
      for (auto& [n, v] : named)
        if (n == want) t = &v;
      EMBER_CHECK(t, "repro bundle '", dir, "': inputs.safetensors has no '", want, "'");
      b.inputs.push_back(t->to(b.graph.values[b.graph.inputs[i]].device));
    }
  }
  return b;
}

void bundle_first_run(const Program& p, const std::vector<Tensor>& inputs, const CompileOptions& options) {
  std::string parent = repro_dir();
  if (parent.empty()) return;
  static std::mutex mu;
  static std::set<const Program*> done;
  {
    std::lock_guard<std::mutex> g(mu);
    if (!done.insert(&p).second) return;
  }
  write_repro_bundle(unique_dir(parent, p.name()), p.traced(), &inputs, options, p.name(), "EMBER_REPRO_DIR");
}

std::string bundle_failure(const Graph& graph, const std::vector<Tensor>* inputs, const CompileOptions& options,
                           const std::string& program, const std::string& what) {
  std::string parent = repro_dir().empty() ? fs::temp_directory_path().string() : repro_dir();
  std::string dir = unique_dir(parent, "ember-repro-" + program);
  try {
    write_repro_bundle(dir, graph, inputs, options, program, what);
  } catch (const std::exception& e) {
    return what + "\n  (no repro bundle: " + e.what() + ")";
  }
  return what + "\n  repro bundle: " + dir + " (ember-dump --replay " + dir + ")";
}

std::vector<Tensor> random_inputs(const Graph& g) {
  std::vector<Tensor> in;
  for (int i : g.inputs) {
    const Value& v = g.values[i];
    auto o = TensorOptions().dtype(v.dtype).device(v.device);
    if (v.dtype == kBool) in.push_back(rand(v.sizes, TensorOptions().device(v.device)) > 0.5);
    else if (is_floating(v.dtype)) in.push_back(randn(v.sizes, o));
    else in.push_back(randint(0, 8, v.sizes, o));
  }
  return in;
}

}  // namespace ember::jit

namespace ember {

BisectResult bisect_repro_bundle(const std::string& dir) {
  jit::ReproBundle b = jit::load_repro_bundle(dir);
  jit::Program p(b.graph, b.options, b.program);
  jit::BisectReport r = jit::bisect(p, b.has_inputs ? b.inputs : jit::random_inputs(b.graph));
  BisectResult out;
  out.all_agree = r.first_bad < 0;
  if (!out.all_agree) out.first_bad = r.kernels[r.first_bad].kernel;
  out.report = r.describe();
  return out;
}

}  // namespace ember
