#include "compiler/dump.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "compiler/fused_kernel.h"
#include "compiler/serialize_graph.h"
#include "compiler/step_name.h"
#include "kernels/op_registry.h"

namespace ember::jit {

namespace {
std::vector<FusionGroup> groups_of(const Program& p) {
  std::vector<FusionGroup> groups;
  for (const auto& k : p.kernels()) groups.push_back(k->group());
  return groups;
}

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path);
  EMBER_CHECK(f, "EMBER_DUMP: cannot write '", path.string(), "'");
  f << text;
}
// Per step, each source op with the module and call site it came from.
std::string provenance(const Program& p) {
  bool any = false;
  for (const Node& n : p.graph().nodes) any = any || n.origin >= 0;
  if (!any) return "";
  std::ostringstream os;
  os << "\n== provenance (module, call site) of each step's ops\n";
  for (const Step& s : p.steps()) {
    if (s.kind == Step::Kind::Fused) os << "  kernel " << p.kernels()[s.fused]->name() << "\n" << step_origins(p, s, "    ");
    else os << step_origins(p, s, "  op ");
  }
  return os.str();
}
}  // namespace

std::string describe(const Program& p, bool passes, bool kernels) {
  std::ostringstream os;
  os << "== " << p.name() << ": traced graph\n" << to_text(p.traced());
  if (passes)
    for (const auto& r : p.pass_records())
      os << "\n== after " << r.name << " (" << r.rewrites << " rewrite(s))\n" << to_text(r.after);
  os << "\n== optimized graph\n" << to_text(p.graph());
  os << "\n== execution steps\n";
  for (const Step& s : p.steps()) {
    if (s.kind == Step::Kind::Op) {
      const Node& n = p.graph().nodes[s.node];
      os << "  op     " << op_name(n.op) << " -> %" << (n.outputs.empty() ? -1 : n.outputs[0]);
      if (n.op == OpId::FusedMm) {
        bool cuda = p.graph().values[n.outputs[0]].device.is_cuda();
        os << "  [" << (cuda ? "cuBLASLt GEMM with epilogue" : "oneDNN matmul with post-ops") << ":"
           << (n.attrs.b("bias") ? " bias" : "") << (n.attrs.b("relu") ? " relu" : "") << "]";
      }
      os << "\n";
    } else {
      const FusedKernel& k = *p.kernels()[s.fused];
      os << "  kernel " << k.name() << " [";
      for (size_t i = 0; i < k.group().nodes.size(); ++i)
        os << (i ? ", " : "") << op_name(p.graph().nodes[k.group().nodes[i]].op);
      os << "] on " << k.group().device << "\n";
    }
  }
  os << provenance(p);
  if (kernels)
    for (const auto& k : p.kernels()) os << "\n== kernel " << k->name() << "\n" << k->source();
  const ProgramSummary& s = p.summary();
  os << "\n== summary\n  ops " << s.ops << ", fused kernels " << s.kernels << ", launches per call "
     << s.launches_per_call << "\n  bytes read " << s.bytes_read << ", written " << s.bytes_written
     << "\n  planned intermediates " << s.planned_bytes << " bytes (eager peak " << s.eager_peak_bytes
     << " bytes)\n  compile time " << s.compile_ms << " ms\n";
  return os.str();
}

std::string summary_json(const Program& p) {
  const ProgramSummary& s = p.summary();
  nlohmann::json j = {{"name", p.name()},
                      {"ops", s.ops},
                      {"kernels", s.kernels},
                      {"launches_per_call", s.launches_per_call},
                      {"bytes_read", s.bytes_read},
                      {"bytes_written", s.bytes_written},
                      {"planned_bytes", s.planned_bytes},
                      {"eager_peak_bytes", s.eager_peak_bytes},
                      {"compile_ms", s.compile_ms}};
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& k : p.kernels()) {
    nlohmann::json ops = nlohmann::json::array();
    nlohmann::json origins = nlohmann::json::array();
    for (int n : k->group().nodes) {
      ops.push_back(op_name(p.graph().nodes[n].op));
      origins.push_back(origin_text(p.graph(), n));
    }
    groups.push_back({{"kernel", k->name()}, {"ops", ops}, {"origins", origins}, {"device", k->group().device.str()}});
  }
  j["fused_groups"] = groups;
  return j.dump(2);
}

std::string program_dot(const Program& p) { return to_dot(p.graph(), groups_of(p)); }

void dump_programs(const Program* forward, const Program* backward, const std::string& name,
                   const std::string& dir) {
  std::filesystem::create_directories(dir);
  auto dump_program = [&](const Program* p, const std::string& part) {
    if (!p) return;
    std::filesystem::path base = std::filesystem::path(dir) / (name + "." + part);
    write(base.string() + ".traced.txt", to_text(p->traced()));
    write(base.string() + ".traced.json", to_json(p->traced()));
    write(base.string() + ".txt", describe(*p, true, true));
    write(base.string() + ".json", to_json(p->graph()));
    write(base.string() + ".dot", program_dot(*p));
    write(base.string() + ".summary.json", summary_json(*p));
    for (const auto& k : p->kernels())
      write(base.string() + "." + k->name() + (k->group().device.is_cuda() ? ".cu" : ".cpu.txt"), k->source());
  };
  dump_program(forward, "forward");
  dump_program(backward, "backward");
}

}  // namespace ember::jit
