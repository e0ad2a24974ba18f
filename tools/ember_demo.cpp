// ember-demo, the README's main job: trains the notes' two-layer network eagerly and
// compiled on the best device available, checks that the two loss curves agree, prints the
// fused graph of the compiled training step (and writes it as SVG), and prints the
// eager-vs-compiled table for that network and a pointwise chain.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "frontend/compile/compile_internals.h"
#include "workloads.h"

using namespace ember;

namespace {

struct Options {
  std::string device;
  int steps = 300;
  std::string svg = "ember_demo_graph.svg";
  int repeat = 50;
};

double median_us(const std::function<void()>& f, int repeat) {
  f();  // warm
  std::vector<double> t;
  for (int i = 0; i < repeat; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    cuda::synchronize();
    t.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

std::vector<double> train(bench::Workload& w, const bench::Fn& step, int steps) {
  std::vector<double> losses;
  for (int t = 0; t < steps; ++t) losses.push_back(step(w.inputs)[0].item<double>());
  return losses;
}

void section(const std::string& title) { std::cout << "\n=== " << title << " ===\n"; }

int run(const Options& o) {
  Device device = o.device.empty() ? (cuda::is_available() ? Device(kCUDA) : Device(kCPU)) : Device(o.device);
  std::cout << "ember demo: the notes' two-layer network (N=64, D_in=1000, H=100, D_out=10, lr 1e-6)\n";
  if (!cuda::is_available()) std::cout << "No CUDA device found (no GPU or no driver): running on the CPU.\n";
  std::cout << "device: " << device << "\n";

  // 1. The same network, same initial weights, trained eagerly and compiled.
  bench::WorkloadOptions wo;
  wo.device = device;
  bench::Workload eager = bench::make_workload("two_layer_net", wo);
  bench::Workload comp = bench::make_workload("two_layer_net", wo);
  CompileOptions co;
  co.name = "two_layer_net_step";
  co.cuda_graphs = device.is_cuda();
  auto compiled = compile(comp.fn, co);
  bench::Fn compiled_step = [&](const std::vector<Tensor>& in) { return compiled(in); };
  auto t0 = std::chrono::steady_clock::now();
  std::vector<double> le = train(eager, eager.fn, o.steps);
  auto t1 = std::chrono::steady_clock::now();
  std::vector<double> lc = train(comp, compiled_step, o.steps);
  auto t2 = std::chrono::steady_clock::now();
  section("training: eager vs compiled loss (" + std::to_string(o.steps) + " steps)");
  std::cout << std::setw(6) << "step" << std::setw(16) << "eager" << std::setw(16) << "compiled" << std::setw(14)
            << "rel. diff\n";
  double worst = 0;
  for (int t = 0; t < o.steps; ++t) {
    double rel = std::fabs(lc[t] - le[t]) / std::max(1e-30, std::fabs(le[t]));
    worst = std::max(worst, rel);
    if (t == 0 || t % 50 == 49)
      std::cout << std::setw(6) << t << std::setw(16) << std::setprecision(8) << le[t] << std::setw(16) << lc[t]
                << std::setw(13) << std::setprecision(2) << rel << "\n";
  }
  bool agree = worst < 1e-3;
  std::cout << (agree ? "the loss curves agree" : "THE LOSS CURVES DIFFER") << " (largest relative difference "
            << std::setprecision(3) << worst << "); loss " << std::setprecision(6) << le.front() << " -> " << le.back()
            << "\nwall time: eager " << std::chrono::duration<double>(t1 - t0).count() << " s, compiled "
            << std::chrono::duration<double>(t2 - t1).count() << " s (including the first call's compile)\n";

  // 2. What the compiler made of the training step.
  section("the compiled training step (forward, backward and SGD update in one graph)");
  const jit::Program& p = jit::forward_program(compiled);
  std::cout << jit::describe(p, false, false);
  std::string dot = jit::program_dot(p);
  if (std::system("command -v dot > /dev/null 2>&1") == 0) {
    FILE* pipe = popen(("dot -Tsvg -o '" + o.svg + "'").c_str(), "w");
    if (pipe) {
      std::fputs(dot.c_str(), pipe);
      if (pclose(pipe) == 0) std::cout << "fused graph written to " << o.svg << "\n";
    }
  } else {
    std::string path = o.svg.substr(0, o.svg.rfind('.')) + ".dot";
    std::ofstream(path) << dot;
    std::cout << "Graphviz 'dot' is not installed: wrote the graph as " << path << " instead\n";
  }

  // 3. Time per call, eager vs compiled.
  section("time per call (median of " + std::to_string(o.repeat) + ", microseconds)");
  std::cout << std::left << std::setw(44) << "workload" << std::right << std::setw(12) << "eager" << std::setw(12)
            << "compiled" << std::setw(10) << "speedup" << std::setw(16) << "launches e/c\n";
  auto row = [&](const std::string& spec, int64_t size) {
    bench::WorkloadOptions w2 = wo;
    w2.size = size;
    bench::Workload a = bench::make_workload(spec, w2), b = bench::make_workload(spec, w2);
    CompileOptions c2;
    c2.name = spec.substr(0, spec.find(':'));
    c2.cuda_graphs = device.is_cuda();
    auto f = compile(b.fn, c2);
    double te = median_us([&] { a.fn(a.inputs); }, o.repeat);
    double tc = median_us([&] { f(b.inputs); }, o.repeat);
    int64_t l0 = kernel_launch_count();
    a.fn(a.inputs);
    int64_t le_count = kernel_launch_count() - l0;
    l0 = kernel_launch_count();
    f(b.inputs);
    int64_t lc_count = kernel_launch_count() - l0;
    std::string label = spec + (size ? " (" + std::to_string(size) + ")" : "");
    std::cout << std::left << std::setw(44) << label << std::right << std::fixed << std::setprecision(1)
              << std::setw(12) << te << std::setw(12) << tc << std::setw(9) << std::setprecision(2) << te / tc
              << "x" << std::setw(10) << le_count << " / " << lc_count << "\n"
              << std::defaultfloat;
  };
  row("two_layer_net", 0);
  row("chain:add,mul,clamp,pow", int64_t{1} << 22);
  row("loss", int64_t{1} << 22);
  std::cout << "\nFor libtorch side by side: build/tools/ember-bench --quick --filter 'two_layer_net|chain:add,mul,clamp,pow$' --sizes 2^24\n";
  return agree ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("ember-demo: the notes' network eager vs compiled, its fused graph, and a timing table");
  Options o;
  app.add_option("--device", o.device, "cpu or cuda[:N] (default: cuda when available)");
  app.add_option("--steps", o.steps, "training steps")->capture_default_str();
  app.add_option("--svg", o.svg, "where to write the fused graph")->capture_default_str();
  app.add_option("--repeat", o.repeat, "timed calls per table row")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::cerr << "ember-demo: error: " << e.what() << "\n";
    return 1;
  }
}
