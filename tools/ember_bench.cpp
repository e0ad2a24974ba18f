// ember-bench: time per call of the shared workloads (bench/workloads.h) in ember eager,
// ember compiled (and compiled with CUDA graphs on a GPU) and libtorch eager, with kernel
// launches, bandwidth, peak memory and compile latency; a table, JSON and a plot.
#include <CLI/CLI.hpp>
#include <ember/ember.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "bandwidth.h"
#include "cuda_device.h"
#include "machine_info.h"
#include "report_table.h"
#include "runner.h"
#include "suite.h"
#include "targets.h"
#include "torch_workloads.h"

using namespace ember;
using namespace ember::bench;

namespace {

const char* kExamples = R"(Examples:
  ember-bench                                   the full sweep on the best device (CPU: a few minutes)
  ember-bench --quick                           a fast subset (smoke test)
  ember-bench --filter 'two_layer_net|chain:add,mul,clamp,pow$' --sizes 2^20,2^24
  ember-bench --workload chain:add,exp --workload mlp --repeat 50
  ember-bench --json bench/results/cpu.json --plot bench/results/cpu.png
Workloads: chain:<ops> chain_broadcast:<ops> loss two_layer_net mlp dynamic_net:<k>
           regression transformer_mlp transformer_mlp_train cnn conv2d:<C>x<HW>
Exit status: 0 success, 1 error, 2 bad arguments, 3 some measurement failed (see its row).)";

struct Options {
  std::string device = "auto", filter, sizes, json, plot, plot_script = EMBER_BENCH_PLOT_SCRIPT;
  std::vector<std::string> workloads;
  int64_t rows = 0;
  int repeat = 1000, warmup = 3, threads = 0;
  double budget_ms = 1000;
  bool quick = false, no_torch = false, list = false;
  uint64_t seed = 0;
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Device pick_device(const std::string& spec) {
  if (spec == "auto") return cuda::is_available() ? Device(kCUDA) : Device(kCPU);
  if (spec != "cpu" && spec.rfind("cuda", 0) != 0)
    throw UsageError("unknown device '" + spec + "' (use cpu, cuda or cuda:N)");
  Device d;
  try {
    d = Device(spec);
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
  if (d.is_cuda() && d.index >= cuda::device_count())
    throw UsageError("device " + spec + " is not available (" + std::to_string(cuda::device_count()) +
                     " CUDA devices; no GPU or driver, or ember built without CUDA)");
  return d;
}

// Fails before any measurement if the file cannot be written (an empty file may remain).
void check_writable(const std::string& path, const char* what) {
  std::ofstream f(path, std::ios::app);
  if (!f) throw UsageError(std::string("cannot write ") + what + " file '" + path + "'");
}

void write_json(const nlohmann::json& j, const std::string& path) {
  std::ofstream f(path, std::ios::trunc);
  f << j.dump(2) << "\n";
  if (!f) throw std::runtime_error("cannot write --json file '" + path + "'");
}

// A Python that has matplotlib: $EMBER_BENCH_PYTHON, python3 on the PATH, or Debian's own
// /usr/bin/python3 (python3-matplotlib installs there, not into pyenv or venv interpreters).
std::string find_plot_python() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("EMBER_BENCH_PYTHON")) candidates.push_back(env);
  candidates.push_back("python3");
  candidates.push_back("/usr/bin/python3");
  for (const auto& py : candidates)
    if (std::system(("'" + py + "' -c 'import matplotlib' > /dev/null 2>&1").c_str()) == 0) return py;
  throw UsageError("--plot needs a python3 with matplotlib (apt-get install python3-matplotlib, or set EMBER_BENCH_PYTHON)");
}

void plot(const Options& o, const std::string& python, const std::string& json_path) {
  std::string cmd = "'" + python + "' '" + o.plot_script + "' '" + json_path + "' -o '" + o.plot + "'";
  if (std::system(cmd.c_str()) != 0)
    throw std::runtime_error("plotting failed: '" + cmd + "' (needs python3-matplotlib)");
  std::cerr << "plot written to " << o.plot << "\n";
}

std::string temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "ember-bench-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary directory");
  return pattern;
}

int run(const Options& o) {
  if (o.repeat < 1) throw UsageError("--repeat must be at least 1");
  if (o.budget_ms <= 0) throw UsageError("--budget-ms must be positive");
  if (o.threads > 0) omp_set_num_threads(o.threads);
  Device device = pick_device(o.device);
  std::vector<BenchCase> cases;
  try {
    SuiteOptions so;
    so.cuda = device.is_cuda();
    so.quick = o.quick;
    so.rows = o.rows;
    so.workloads = o.workloads;
    so.filter = o.filter;
    if (!o.sizes.empty()) so.sizes = parse_sizes(o.sizes);
    cases = make_suite(so);
  } catch (const Error& e) {  // a bad size, regex or workload name
    throw UsageError(e.what());
  }
  if (o.list) {
    for (const auto& c : cases) std::cout << c.workload << " " << (c.pointwise ? size_text(c.size) : "N=" + std::to_string(c.size)) << "\n";
    return 0;
  }
  if (!o.json.empty()) check_writable(o.json, "--json");
  if (!o.plot.empty()) check_writable(o.plot, "--plot");
  std::string python = o.plot.empty() ? "" : find_plot_python();

  RunOptions ro;
  ro.device = device;
  ro.seed = o.seed;
  ro.timing = {o.warmup, o.repeat, std::min(10, o.repeat), o.budget_ms};
  ro.cache_root = temp_dir();
  struct RemoveDir {
    std::string path;
    ~RemoveDir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } cleanup{ro.cache_root};

  int threads = omp_get_max_threads();
  bool with_torch = libtorch::available() && !o.no_torch && device.is_cpu();
  ro.libtorch = with_torch;
  nlohmann::json machine = host_info();
  machine["device"] = device.str();
  machine["cuda"] = device.is_cuda() ? cuda_info(device.index) : nlohmann::json(nullptr);
  machine["libtorch"] = nullptr;
  BlasInfo blas = blas_info();
  if (with_torch) {
    libtorch::TorchInfo ti = libtorch::setup(threads);
    machine["libtorch"] = {{"version", ti.version}, {"threads", ti.threads}, {"parallel_info", ti.parallel_info},
                           {"blas", blas.name}, {"blas_path", blas.path}};
  }
  std::cout << "ember-bench on " << device << ": " << machine["cpu_model"].get<std::string>() << ", " << threads
            << " threads, load " << machine["load_average_1min"].get<double>()
            << ", CPU transcendentals: " << machine["cpu_vector_math"].get<std::string>() << "\n";
  if (device.is_cuda()) std::cout << "GPU: " << machine["cuda"]["name"].get<std::string>() << "\n";
  if (with_torch) {
    std::cout << "libtorch " << machine["libtorch"]["version"].get<std::string>() << " with " << threads
              << " threads, BLAS: " << blas.name << " (" << blas.path << ")\n";
    if (!blas.optimized)
      std::cerr << "ember-bench: warning: libtorch uses " << blas.name
                << "; install libopenblas0-openmp for a fair comparison\n";
  } else if (!o.no_torch) {
    std::cout << (libtorch::available() ? "libtorch: CPU-only here; for GPUs use bench/pytorch_gpu.py\n"
                                        : "libtorch: not built in (EMBER_TORCH)\n");
  }

  // The copy is measured before and after the cases; the faster one is the ceiling (a shared
  // machine's memory bandwidth drifts with its neighbours).
  int64_t copy_elements = device.is_cuda() ? int64_t{1} << 26 : int64_t{1} << 24;
  CopyBandwidth copy = measure_copy_bandwidth(device, copy_elements, ro.timing);
  std::cout << "copy bandwidth: " << copy.gbps << " GB/s (Tensor.copy_ of " << size_text(copy.elements) << " floats)\n\n";

  std::vector<BenchResult> results;
  auto t_start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < cases.size(); ++i) {
    const BenchCase& c = cases[i];
    std::cerr << "[" << i + 1 << "/" << cases.size() << "] " << c.workload << " "
              << (c.pointwise ? size_text(c.size) : "N=" + std::to_string(c.size)) << " ..." << std::flush;
    auto t0 = std::chrono::steady_clock::now();
    std::vector<BenchResult> rows = measure_case(c, ro);
    fill_bandwidth(rows, copy.gbps);
    for (const auto& r : rows)
      if (!r.error.empty()) std::cerr << " [" << r.label() << " failed: " << r.error << "]";
    char took[32];
    std::snprintf(took, sizeof took, " %.1f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    std::cerr << took;
    results.insert(results.end(), rows.begin(), rows.end());
    empty_cache(device);  // each case starts from the same allocator state
  }
  double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  CopyBandwidth copy_end = measure_copy_bandwidth(device, copy_elements, ro.timing);
  if (copy_end.gbps > copy.gbps)
    for (auto& r : results)
      if (r.copy_fraction) r.copy_fraction = *r.gbps / copy_end.gbps;
  double copy_gbps = std::max(copy.gbps, copy_end.gbps);

  std::vector<TargetCheck> targets = evaluate_targets(results);
  std::cout << format_table(results) << "\n" << format_targets(targets);
  std::cout << "\ncopy bandwidth at the end: " << copy_end.gbps << " GB/s (ceiling used for %copy: " << copy_gbps
            << " GB/s)\n" << cases.size() << " cases in " << total_s << " s; load average now " << load_average() << "\n";

  bool failed = false;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : results) {
    rows.push_back(to_json(r));
    failed = failed || !r.error.empty();
  }
  machine["load_average_1min_end"] = load_average();
  nlohmann::json doc = {{"schema", "ember-bench/1"},
                        {"tool", "ember-bench"},
                        {"machine", machine},
                        {"settings",
                         {{"device", device.str()}, {"quick", o.quick}, {"filter", o.filter}, {"repeat", o.repeat},
                          {"warmup", o.warmup}, {"budget_ms", o.budget_ms}, {"seed", o.seed},
                          {"timer", device.is_cuda() ? "cuda events" : "steady_clock"},
                          {"timing", "modes of a case interleaved in 5 rounds of (1 untimed + a chunk of timed calls)"}, {"total_s", total_s}}},
                        {"copy_bandwidth", {{"gbps", copy_gbps}, {"start", to_json(copy)}, {"end", to_json(copy_end)}}},
                        {"results", rows},
                        {"targets", to_json(targets)}};
  std::string json_path = o.json;
  if (json_path.empty() && !o.plot.empty()) json_path = ro.cache_root + "/results.json";
  if (!json_path.empty()) write_json(doc, json_path);
  if (!o.json.empty()) std::cerr << "results written to " << o.json << "\n";
  if (!o.plot.empty()) plot(o, python, json_path);
  return failed ? 3 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("ember-bench: ember eager vs compiled vs libtorch, time per call and what moves it");
  app.footer(kExamples);
  Options o;
  app.add_option("--filter", o.filter, "only workloads whose name matches this regex");
  app.add_option("-w,--workload", o.workloads, "run these workloads (repeatable) instead of the default list");
  app.add_option("--device", o.device, "cpu, cuda or cuda:N (auto: cuda when available)")->capture_default_str();
  app.add_option("--sizes", o.sizes, "elements for pointwise workloads, e.g. 2^10,2^20,65536 (default: 2^10..2^24 on CPU, ..2^26 on CUDA)");
  app.add_option("--rows", o.rows, "batch rows for the networks (default: each workload's own)");
  auto* repeat = app.add_option("--repeat", o.repeat, "timed calls per measurement at most")->capture_default_str();
  auto* budget = app.add_option("--budget-ms", o.budget_ms, "stop timing a measurement after this long (at least 10 calls)")->capture_default_str();
  auto* warmup = app.add_option("--warmup", o.warmup, "untimed calls before timing")->capture_default_str();
  app.add_option("--threads", o.threads, "CPU threads for ember and libtorch (default: OpenMP's)");
  app.add_flag("--quick", o.quick, "a fast subset with few repeats (smoke test)");
  app.add_flag("--no-torch", o.no_torch, "leave out libtorch");
  app.add_flag("--list", o.list, "print the cases that would run and exit");
  app.add_option("--json", o.json, "write all results and the machine description as JSON");
  app.add_option("--plot", o.plot, "write a PNG of time per call and speedup vs size (bench/plot.py, matplotlib)");
  app.add_option("--plot-script", o.plot_script, "the plotting script")->capture_default_str();
  app.add_option("--seed", o.seed, "random seed for inputs and weights")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "ember-bench: error: " << e.what() << " (see --help)\n";
    return 2;
  }
  if (o.quick) {
    if (repeat->count() == 0) o.repeat = 10;
    if (budget->count() == 0) o.budget_ms = 50;
    if (warmup->count() == 0) o.warmup = 1;
  }
  try {
    return run(o);
  } catch (const UsageError& e) {
    std::cerr << "ember-bench: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::string msg = e.what();
    std::cerr << "ember-bench: error: " << msg.substr(0, msg.find('\n')) << "\n";
    return 1;
  }
}
