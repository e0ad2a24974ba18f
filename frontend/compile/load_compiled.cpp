// load_compiled: an artifact written by CompiledFunctionBase::save (artifact_format.h) read
// back as a callable, its programs rebuilt from the traced graphs, its state bound by name.
#include <mutex>
#include <sstream>

#include "compiler/fused_kernel.h"
#include "compiler/serialize_graph.h"
#include "ember/export.h"
#include "ember/grad_mode.h"
#include "frontend/compile/artifact_format.h"
#include "frontend/compile/compiled_function.h"
#include "frontend/compile/options_json.h"
#include "frontend/safetensors_format.h"
#include "frontend/zip_archive.h"
#include "kernels/tensor_alloc.h"

namespace ember::jit {

using json = nlohmann::json;

class LoadedArtifact {
 public:
  LoadedArtifact(const std::string& path, const LoadOptions& options) : zip_(path, "load_compiled"), path_(path) {
    EMBER_CHECK(zip_.contains(kManifestMember), "load_compiled: '", path, "' has no ", kManifestMember,
                ": not an artifact written by a compiled function's save()");
    json m;
    try {
      m = json::parse(zip_.read(kManifestMember));
      EMBER_CHECK(m.at("format") == kArtifactFormat, "load_compiled: '", path, "' is not an ", kArtifactFormat,
                  " artifact (format '", m.at("format").get<std::string>(), "')");
      int version = m.at("version").get<int>();
      EMBER_CHECK(version == kArtifactVersion, "load_compiled: '", path, "' is format version ", version,
                  " (written by ember ", m.value("ember_version", "?"), "); this ember (", EMBER_VERSION,
                  ") reads version ", kArtifactVersion, " only: save it again with this version");
      name_ = m.at("name").get<std::string>();
      ember_version_ = m.at("ember_version").get<std::string>();
      options_ = options_from_json(m.at("options"));
      load_state(m.at("state"), options.state);
      for (const json& jv : m.at("variants")) load_variant(jv);
    } catch (const json::exception& e) {
      EMBER_FAIL("load_compiled: '", path, "': malformed ", kManifestMember, " (", e.what(), ")");
    }
    EMBER_CHECK(!variants_.empty(), "load_compiled: '", path, "' holds no variant");
  }

  std::vector<Tensor> call(const std::vector<Tensor>& inputs) {
    std::lock_guard<std::mutex> g(mu_);
    std::string why;
    for (size_t i = 0; i < variants_.size(); ++i) {
      std::vector<Tensor> args = inputs;
      std::string m = fit(*variants_[i], args);
      if (m.empty()) {
        NoGradGuard no_grad;
        std::vector<Tensor> in;
        std::vector<Tensor> out = run_forward(*variants_[i], args, options_, in);
        out.resize(static_cast<size_t>(variants_[i]->num_user_outputs));
        return out;
      }
      why += "\n  variant " + std::to_string(i) + ": " + m;
    }
    EMBER_FAIL("loaded function '", name_, "' (", path_, "): no variant accepts these inputs:", why);
  }

  std::vector<LoadedStateInfo> state_info() const {
    std::lock_guard<std::mutex> g(mu_);
    return state_;
  }

  std::vector<LoadedArgument> arguments(size_t v) const {
    EMBER_CHECK(v < variants_.size(), "loaded function '", name_, "' has ", variants_.size(), " variant(s), not ", v + 1);
    std::vector<LoadedArgument> out;
    for (const auto& a : variants_[v]->args) out.push_back({a.sizes, a.dtype, a.device});
    return out;
  }

  std::string describe() const {
    std::ostringstream os;
    os << "compiled function '" << name_ << "' (saved by ember " << ember_version_ << ", artifact format "
       << kArtifactVersion << ")\n";
    for (size_t i = 0; i < variants_.size(); ++i) {
      const Variant& v = *variants_[i];
      os << "  variant " << i << ": (";
      for (size_t a = 0; a < v.args.size(); ++a)
        os << (a ? ", " : "") << TensorMetaRecord{v.args[a].sizes, v.args[a].strides, v.args[a].dtype, v.args[a].device}.str();
      os << ") -> " << v.num_user_outputs << " output(s); " << v.forward->kernels().size() << " fused kernel(s)";
      if (!v.writebacks.empty()) os << "; updates " << v.writebacks.size() << " state tensor(s)";
      os << "\n";
    }
    for (const auto& s : state_)
      os << "  state " << s.name << ": " << dtype_name(s.tensor.dtype()) << " " << shape_str(s.tensor.sizes()) << " on "
         << s.tensor.device() << (s.from_artifact ? " (from the artifact)" : " (bound)") << "\n";
    return os.str();
  }

  size_t num_variants() const { return variants_.size(); }

 private:
  void load_state(const json& jstate, const std::vector<std::pair<std::string, Tensor>>& bound) {
    NamedTensorList embedded;
    bool any_embedded = false;
    for (const json& js : jstate) any_embedded = any_embedded || js.at("embedded").get<bool>();
    if (any_embedded) {
      std::string bytes = zip_.read(kStateMember);
      embedded = safetensors::decode(bytes.data(), bytes.size(), kStateMember + std::string(" of '") + path_ + "'",
                                     Device(kCPU));
    }
    for (const auto& [n, t] : bound) {
      bool known = false;
      for (const json& js : jstate) known = known || js.at("name").get<std::string>() == n;
      EMBER_CHECK(known, "load_compiled: LoadOptions::state has '", n, "', which '", path_,
                  "' does not capture (it captures: ", state_names(jstate), ")");
    }
    for (const json& js : jstate) {
      std::string name = js.at("name").get<std::string>();
      TensorMetaRecord meta = TensorMetaRecord::from_json(js);
      const Tensor* given = nullptr;
      for (const auto& [n, t] : bound)
        if (n == name) given = &t;
      if (given) {
        std::string m = meta.mismatch(*given);
        EMBER_CHECK(m.empty(), "load_compiled: state '", name, "' given in LoadOptions has ", m);
        state_.push_back({name, *given, false});
        continue;
      }
      const Tensor* value = nullptr;
      for (const auto& [n, t] : embedded)
        if (n == name) value = &t;
      EMBER_CHECK(js.at("embedded").get<bool>() && value, "load_compiled: captured tensor '", name, "' (", meta.str(),
                  ") has no value: '", path_,
                  "' was saved without embedded state (ExportOptions::embed_state); bind it in LoadOptions::state");
      EMBER_CHECK(value->sizes() == meta.sizes && value->dtype() == meta.dtype, "load_compiled: ", kStateMember,
                  " of '", path_, "' holds '", name, "' as ", dtype_name(value->dtype()), " ", shape_str(value->sizes()),
                  ", the manifest says ", meta.str());
      state_.push_back({name, with_geometry(*value, meta), true});
    }
  }

  // A tensor with `meta`'s strides on its device holding `value` (the program may rely on them).
  static Tensor with_geometry(const Tensor& value, const TensorMetaRecord& meta) {
    int64_t extent = 1;
    for (size_t d = 0; d < meta.sizes.size(); ++d) {
      EMBER_CHECK(meta.strides[d] >= 0, "load_compiled: negative stride in ", shape_str(meta.strides));
      if (meta.sizes[d] == 0) extent = 0;
      else if (extent > 0) extent += (meta.sizes[d] - 1) * meta.strides[d];
    }
    Tensor base = empty_tensor({extent}, meta.dtype, meta.device);
    Tensor t = make_view(base, meta.sizes, meta.strides, 0);
    NoGradGuard g;
    t.copy_(value);
    return t;
  }

  static std::string state_names(const json& jstate) {
    std::string s;
    for (const json& js : jstate) s += (s.empty() ? "" : ", ") + js.at("name").get<std::string>();
    return s.empty() ? "nothing" : s;
  }

  int state_index(const json& name) const {
    std::string n = name.get<std::string>();
    for (size_t i = 0; i < state_.size(); ++i)
      if (state_[i].name == n) return static_cast<int>(i);
    EMBER_FAIL("load_compiled: '", path_, "': a variant reads state '", n, "' the manifest does not list");
  }

  void load_variant(const json& jv) {
    size_t vi = variants_.size();
    auto v = std::make_unique<Variant>();
    for (const auto& s : state_) v->captures.push_back({s.tensor, Variant::TensorGuard::of(s.tensor)});
    for (const json& ja : jv.at("args")) {
      TensorMetaRecord a = TensorMetaRecord::from_json(ja);
      v->args.push_back({a.sizes, a.strides, a.dtype, a.device, false});
    }
    for (const json& ji : jv.at("inputs")) {
      if (ji.contains("arg")) {
        int a = ji.at("arg").get<int>();
        EMBER_CHECK(a >= 0 && a < static_cast<int>(v->args.size()), "load_compiled: '", path_, "': variant ", vi,
                    " reads argument ", a, " of ", v->args.size());
        v->forward_inputs.push_back({Variant::Source::Kind::Arg, a});
      } else {
        v->forward_inputs.push_back({Variant::Source::Kind::Capture, state_index(ji.at("state"))});
      }
    }
    v->num_user_outputs = jv.at("user_outputs").get<int>();
    for (const json& n : jv.at("writebacks")) v->writebacks.push_back(state_index(n));
    for (const json& n : jv.at("grad_assigns")) v->grad_assigns.push_back(state_index(n));
    for (auto& c : v->captures) c.guards_grad = false;

    Graph graph = graph_from_json(zip_.read(jv.at("graph").get<std::string>()));
    check_graph(graph, *v, vi);
    for (const json& jk : jv.at("kernels")) preload(jk);
    auto inplace = jv.at("inplace").get<std::vector<std::pair<int, int>>>();
    v->forward = std::make_unique<Program>(std::move(graph), options_, options_.name + "_forward", inplace);
    variants_.push_back(std::move(v));
  }

  // The graph's inputs are what the manifest says the variant passes it, and it has the outputs.
  void check_graph(const Graph& g, const Variant& v, size_t vi) const {
    std::string where = "load_compiled: '" + path_ + "': variant " + std::to_string(vi);
    EMBER_CHECK(g.inputs.size() == v.forward_inputs.size(), where, ": the graph has ", g.inputs.size(),
                " inputs, the manifest passes ", v.forward_inputs.size());
    for (size_t i = 0; i < g.inputs.size(); ++i) {
      const Value& val = g.values[g.inputs[i]];
      const auto& src = v.forward_inputs[i];
      Shape sizes = src.kind == Variant::Source::Kind::Arg ? v.args[src.index].sizes
                                                           : Shape(v.captures[src.index].tensor.sizes());
      EMBER_CHECK(val.sizes == sizes, where, ": graph input ", i, " is ", shape_str(val.sizes), ", what it is given is ",
                  shape_str(sizes));
    }
    size_t needed = static_cast<size_t>(v.num_user_outputs) + v.writebacks.size() + v.grad_assigns.size();
    EMBER_CHECK(v.num_user_outputs >= 0 && g.outputs.size() >= needed, where, ": the graph has ", g.outputs.size(),
                " outputs, the manifest uses ", needed);
  }

  // An embedded cubin serves only where this process would build the very same kernel.
  void preload(const json& jk) const {
    if (!jk.contains("binary")) return;
    std::string source = zip_.read(jk.at("source").get<std::string>());
    std::string key = jk.at("cache_key").get<std::string>();
    if (kernel_binary_key(source, jk.at("arch").get<int>()) != key) return;
    std::string bytes = zip_.read(jk.at("binary").get<std::string>());
    preload_kernel_binary(key, std::vector<char>(bytes.begin(), bytes.end()));
  }

  // Empty when `args` pass v's guards (made contiguous where v wants them so), else why not.
  static std::string fit(const Variant& v, std::vector<Tensor>& args) {
    if (args.size() != v.args.size())
      return "takes " + std::to_string(v.args.size()) + " tensors, got " + std::to_string(args.size());
    for (size_t i = 0; i < args.size(); ++i) {
      EMBER_CHECK(args[i].defined(), "loaded function: input ", i, " is undefined");
      Variant::TensorGuard want = v.args[i];
      want.requires_grad = args[i].requires_grad();
      if (want.matches(args[i])) continue;
      if (args[i].sizes() == want.sizes && args[i].dtype() == want.dtype && args[i].device() == want.device &&
          Shape(args[i].contiguous().strides()) == want.strides) {
        args[i] = args[i].contiguous();
        continue;
      }
      return "input " + std::to_string(i) + " " + want.mismatch(args[i]);
    }
    return "";
  }

  ZipReader zip_;
  std::string path_, name_, ember_version_;
  CompileOptions options_;
  std::vector<LoadedStateInfo> state_;
  std::vector<std::unique_ptr<Variant>> variants_;
  mutable std::mutex mu_;
};

}  // namespace ember::jit

namespace ember {

LoadedFunction::LoadedFunction(std::shared_ptr<jit::LoadedArtifact> impl) : impl_(std::move(impl)) {}

std::vector<Tensor> LoadedFunction::operator()(const std::vector<Tensor>& inputs) const { return impl_->call(inputs); }

std::vector<std::pair<std::string, Tensor>> LoadedFunction::state() const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (auto& s : impl_->state_info()) out.emplace_back(s.name, s.tensor);
  return out;
}

std::vector<LoadedStateInfo> LoadedFunction::state_info() const { return impl_->state_info(); }
std::vector<LoadedArgument> LoadedFunction::arguments(size_t variant) const { return impl_->arguments(variant); }
std::string LoadedFunction::describe() const { return impl_->describe(); }
size_t LoadedFunction::num_variants() const { return impl_->num_variants(); }

LoadedFunction load_compiled(const std::string& path, const LoadOptions& options) {
  return LoadedFunction(std::make_shared<jit::LoadedArtifact>(path, options));
}

}  // namespace ember
