// CompiledFunctionBase::save: every traced variant of a compiled function into one
// artifact (frontend/compile/artifact_format.h) that load_compiled runs without fn.
#include <set>
#include <sstream>
#include <unordered_map>

#include "compiler/dump.h"
#include "compiler/fused_kernel.h"
#include "compiler/serialize_graph.h"
#include "frontend/compile/artifact_format.h"
#include "frontend/compile/compile_internals.h"
#include "frontend/compile/options_json.h"
#include "frontend/safetensors_format.h"
#include "frontend/zip_archive.h"
#include "kernels/op_registry.h"

namespace ember {

namespace {

using json = nlohmann::json;
using jit::Variant;

// The captured tensors of all variants, each once, under its given name or "capture<k>".
class StateTable {
 public:
  explicit StateTable(const std::vector<std::pair<std::string, Tensor>>& names) {
    for (const auto& [n, t] : names) {
      EMBER_CHECK(!n.empty(), "save: ExportOptions::names has an empty name");
      EMBER_CHECK(t.defined(), "save: ExportOptions::names: '", n, "' is an undefined tensor");
      EMBER_CHECK(taken_.insert(n).second, "save: ExportOptions::names has '", n, "' twice");
      given_.emplace(t.impl_ptr().get(), n);
    }
  }

  const std::string& name_of(const Variant::Capture& c) {
    const TensorImpl* impl = c.tensor.impl_ptr().get();
    auto it = index_.find(impl);
    if (it != index_.end()) return entries_[it->second].name;
    std::string name;
    auto g = given_.find(impl);
    if (g != given_.end()) {
      name = g->second;
    } else {
      do name = "capture" + std::to_string(unnamed_++);
      while (taken_.count(name));
      taken_.insert(name);
    }
    index_.emplace(impl, entries_.size());
    entries_.push_back({name, c.tensor, g != given_.end()});
    return entries_.back().name;
  }

  struct Entry {
    std::string name;
    Tensor tensor;
    bool named;  // by ExportOptions::names
  };
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::unordered_map<const TensorImpl*, std::string> given_;
  std::unordered_map<const TensorImpl*, size_t> index_;
  std::set<std::string> taken_;
  std::vector<Entry> entries_;
  int unnamed_ = 0;
};

bool stale(const Variant& v) {
  for (const auto& c : v.captures)
    if (!c.guard.matches(c.tensor)) return true;
  return false;
}


// The kernels' sources (and CUDA binaries) as members; their entries for the manifest.
json add_kernels(const jit::Program& p, size_t vi, ZipWriter& zip) {
  json out = json::array();
  for (size_t i = 0; i < p.kernels().size(); ++i) {
    const jit::FusedKernel& k = *p.kernels()[i];
    bool cuda = k.group().device.is_cuda();
    std::string stem = jit::variant_member(vi, "kernels/" + std::to_string(i) + "_" + k.name());
    json e = {{"name", k.name()}, {"device", k.group().device.str()}, {"ops", json::array()}};
    for (int n : k.group().nodes) e["ops"].push_back(op_name(p.graph().nodes[n].op));
    std::string source = stem + (cuda ? ".cu" : ".txt");
    e["source"] = source;
    zip.add(source, k.source(), true);
    jit::KernelBinary bin = k.binary();
    if (bin.bytes) {
      std::string binary = stem + ".sm_" + std::to_string(bin.arch) + ".cubin";
      e["binary"] = binary;
      e["arch"] = bin.arch;
      e["cache_key"] = bin.cache_key;
      zip.add(binary, std::string(bin.bytes->begin(), bin.bytes->end()), false);
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

void CompiledFunctionBase::save(const std::string& path, const ExportOptions& options) const {
  const std::string& fn = impl_->options().name;
  std::vector<std::shared_ptr<Variant>> variants = impl_->variants();
  EMBER_CHECK(!variants.empty(), "save: compiled function '", fn, "' has not been called yet: nothing is traced to export");
  StateTable state(options.names);
  ZipWriter zip(path, "save");
  json jvariants = json::array();
  int skipped = 0;
  for (const auto& vp : variants) {
    const Variant& v = *vp;
    if (stale(v)) {  // a capture changed shape since: the variant can never run again
      ++skipped;
      continue;
    }
    for (const auto& b : v.host_bindings) *b.tensor.data_ptr<double>() = b.read();
    size_t vi = jvariants.size();
    const jit::Program& p = *v.forward;
    json jv = {{"graph", jit::variant_member(vi, "graph.json")},
               {"program", jit::variant_member(vi, "program.txt")},
               {"static_key", v.static_key},
               {"grad_mode", v.grad_mode},
               {"differentiable", v.backward != nullptr},
               {"user_outputs", v.num_user_outputs},
               {"args", json::array()},
               {"inputs", json::array()},
               {"writebacks", json::array()},
               {"grad_assigns", json::array()},
               {"inplace", p.inplace_offers()}};
    for (const auto& a : v.args) jv["args"].push_back(jit::tensor_meta_json(a.sizes, a.strides, a.dtype, a.device));
    for (const auto& s : v.forward_inputs) {
      if (s.kind == Variant::Source::Kind::Arg) jv["inputs"].push_back({{"arg", s.index}});
      else jv["inputs"].push_back({{"state", state.name_of(v.captures[s.index])}});
    }
    for (int c : v.writebacks) jv["writebacks"].push_back(state.name_of(v.captures[c]));
    for (int c : v.grad_assigns) jv["grad_assigns"].push_back(state.name_of(v.captures[c]));
    zip.add(jit::variant_member(vi, "graph.json"), jit::to_json(p.traced()), true);
    zip.add(jit::variant_member(vi, "program.txt"), jit::describe(p, false, true), true);
    jv["kernels"] = add_kernels(p, vi, zip);
    jvariants.push_back(std::move(jv));
  }
  EMBER_CHECK(!jvariants.empty(), "save: every variant of '", fn,
              "' captured a tensor that has since changed shape, dtype or device: none can run again");

  json jstate = json::array();
  NamedTensorList values;
  for (const auto& e : state.entries()) {
    const Tensor& t = e.tensor;
    json js = jit::tensor_meta_json(t.sizes(), t.strides(), t.dtype(), t.device());
    js["name"] = e.name;
    bool embed = options.embed_state || !e.named;
    js["embedded"] = embed;
    jstate.push_back(std::move(js));
    if (embed) values.emplace_back(e.name, t);
  }
  zip.add(jit::kStateMember, safetensors::encode(values, "save"), false);
  json manifest = {{"format", jit::kArtifactFormat},
                   {"version", jit::kArtifactVersion},
                   {"ember_version", EMBER_VERSION},
                   {"name", fn},
                   {"options", jit::options_json(impl_->options())},
                   {"stale_variants_skipped", skipped},
                   {"state", std::move(jstate)},
                   {"variants", std::move(jvariants)}};
  zip.add(jit::kManifestMember, manifest.dump(2) + "\n", true);
  zip.close();
}

}  // namespace ember
