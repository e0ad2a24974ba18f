// ember-dump: shows what the compiler does with a graph: the traced graph, the graph after
// each pass, the fused groups and their ops, generated kernel sources, and a summary.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "frontend/compile/compile_internals.h"
#include "compiler/bisect.h"
#include "compiler/serialize_graph.h"
#include "frontend/compile/repro_bundle.h"
#include "workloads.h"

using namespace ember;

namespace {

const char* kExamples = R"(Examples:
  ember-dump --model two_layer_net                 the notes' training step, text
  ember-dump --model chain:add,clamp,pow --kernels generated kernel sources
  ember-dump --model mlp --grad --passes           the graph after every pass
  ember-dump --model dynamic_net:2 --dot           Graphviz, fused groups as clusters
  ember-dump --model two_layer_net --svg net.svg   rendered with Graphviz's dot
  ember-dump graph.json --run 100                  a saved graph, timed on random inputs
  ember-dump --model loss --json                   machine-readable
  ember-dump --replay DIR                          a repro bundle: compiled, run, each kernel checked
  ember-dump --bisect DIR                          only the check: the first kernel that differs
Workloads: chain:<ops> chain_broadcast:<ops> loss two_layer_net mlp dynamic_net:<k>
           regression transformer_mlp transformer_mlp_train)";

struct Options {
  std::string file, model, device = "cpu", svg, png, replay, bisect;
  int64_t size = 0;
  bool grad = false, passes = false, kernels = false, json = false, dot = false;
  int run = 0;
};

void render(const std::string& dot, const std::string& path, const char* format) {
  if (std::system("command -v dot > /dev/null 2>&1") != 0)
    EMBER_FAIL("Graphviz's 'dot' was not found; install it (apt-get install graphviz) or use --dot");
  std::string cmd = std::string("dot -T") + format + " -o '" + path + "'";
  FILE* p = popen(cmd.c_str(), "w");
  EMBER_CHECK(p, "could not run '", cmd, "'");
  std::fputs(dot.c_str(), p);
  EMBER_CHECK(pclose(p) == 0, "'", cmd, "' failed (is the path writable?)");
}

// The programs to show: a saved graph, or a workload run once through compile().
struct Dumped {
  std::vector<const jit::Program*> programs;
  std::unique_ptr<jit::Program> loaded;
  std::function<void()> call;  // one more call, for --run
  std::shared_ptr<void> keep;
};

Dumped prepare(const Options& o) {
  Dumped d;
  if (!o.file.empty()) {
    jit::Graph g = jit::load_graph(o.file);
    d.loaded = std::make_unique<jit::Program>(g, CompileOptions{}, o.file);
    std::vector<Tensor> in = jit::random_inputs(g);
    d.loaded->run(in);
    jit::Program* p = d.loaded.get();
    d.call = [p, in] { p->run(in); };
    d.programs = {p};
    return d;
  }
  bench::WorkloadOptions wo;
  wo.device = Device(o.device);
  wo.size = o.size;
  wo.grad = o.grad;
  auto w = std::make_shared<bench::Workload>(bench::make_workload(o.model, wo));
  CompileOptions co;
  co.name = o.model.substr(0, o.model.find(':'));
  auto f = std::make_shared<CompiledFn<bench::Fn>>(w->fn, co);
  (*f)(w->inputs);
  d.programs = {&jit::forward_program(*f)};
  if (jit::backward_program(*f)) d.programs.push_back(jit::backward_program(*f));
  d.call = [f, w] { (*f)(w->inputs); };
  d.keep = std::make_shared<std::pair<decltype(f), decltype(w)>>(f, w);
  return d;
}

// A repro bundle (EMBER_REPRO_DIR, or the one a failed compile names): what was bundled, the
// program as compiled now (unless only bisecting) and each fused kernel against its ops alone.
// Exit code 1 when a kernel differs beyond the promise.
int replay(const std::string& dir, bool describe) {
  jit::ReproBundle b = jit::load_repro_bundle(dir);
  std::cout << "bundle " << dir << ": program " << b.program << ", written by ember " << b.ember_version
            << " because " << b.reason.substr(0, b.reason.find('\n')) << "\n"
            << (b.has_inputs ? "inputs: bundled\n" : "inputs: none bundled, random ones\n");
  jit::Program p(b.graph, b.options, b.program);
  std::vector<Tensor> in = b.has_inputs ? b.inputs : jit::random_inputs(b.graph);
  if (describe) {
    p.run(in);
    std::cout << jit::describe(p, false, false) << "\n";
  }
  jit::BisectReport r = jit::bisect(p, in);
  std::cout << r.describe();
  return r.first_bad < 0 ? 0 : 1;
}

int run(const Options& o) {
  if (!o.replay.empty() || !o.bisect.empty()) return replay(o.replay.empty() ? o.bisect : o.replay, o.bisect.empty());
  Dumped d = prepare(o);
  if (o.json) {
    std::cout << "[\n";
    for (size_t i = 0; i < d.programs.size(); ++i)
      std::cout << (i ? ",\n" : "") << "{\"name\": \"" << d.programs[i]->name() << "\", \"summary\": "
                << jit::summary_json(*d.programs[i]) << ", \"graph\": " << jit::to_json(d.programs[i]->graph())
                << "}";
    std::cout << "\n]\n";
  } else if (o.dot) {
    for (auto* p : d.programs) std::cout << jit::program_dot(*p);
  } else {
    for (auto* p : d.programs) std::cout << jit::describe(*p, o.passes, o.kernels) << "\n";
  }
  if (!o.svg.empty()) render(jit::program_dot(*d.programs[0]), o.svg, "svg");
  if (!o.png.empty()) render(jit::program_dot(*d.programs[0]), o.png, "png");
  if (o.run > 0) {
    d.call();  // warm
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < o.run; ++i) d.call();
    cuda::synchronize();
    double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / o.run;
    std::cerr << "ran " << o.run << " times: " << us << " us per call\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("ember-dump: inspect how ember compiles a graph (fused groups, kernels, memory)");
  app.footer(kExamples);
  Options o;
  auto* file = app.add_option("graph", o.file, "a graph JSON file (graph.save(), EMBER_DUMP's *.json)");
  auto* model = app.add_option("--model", o.model, "a built-in workload instead of a file");
  file->excludes(model);
  app.add_option("--shapes,--size", o.size, "elements (chains) or batch rows (networks)");
  app.add_option("--device", o.device, "cpu or cuda[:N]")->capture_default_str();
  app.add_flag("--grad", o.grad, "inputs require grad: include the backward graph");
  app.add_flag("--passes", o.passes, "show the graph after each pass");
  app.add_flag("--kernels", o.kernels, "show each generated kernel's source");
  app.add_flag("--json", o.json, "JSON instead of text");
  app.add_flag("--dot", o.dot, "Graphviz DOT (fused groups as clusters)");
  app.add_option("--svg", o.svg, "render the forward graph to an SVG file (needs Graphviz)");
  app.add_option("--png", o.png, "render the forward graph to a PNG file (needs Graphviz)");
  auto* replay_opt = app.add_option("--replay", o.replay, "a repro bundle directory: compile, run, check each kernel");
  auto* bisect_opt = app.add_option("--bisect", o.bisect, "a repro bundle directory: the first kernel that differs");
  replay_opt->excludes(file)->excludes(model)->excludes(bisect_opt);
  bisect_opt->excludes(file)->excludes(model);
  app.add_option("--run", o.run, "execute the graph N times on random inputs and print the time per call");
  CLI11_PARSE(app, argc, argv);
  if (o.file.empty() && o.model.empty() && o.replay.empty() && o.bisect.empty()) {
    std::cerr << "ember-dump: error: give a graph file, --model NAME, --replay DIR or --bisect DIR (see --help)\n";
    return 2;
  }
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::string msg = e.what();
    std::cerr << "ember-dump: error: " << msg.substr(0, msg.find('\n')) << "\n";
    return 1;
  }
}
