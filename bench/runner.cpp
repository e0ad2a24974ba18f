#include "frontend/compile/compile_internals.h"
#include "runner.h"

#include <ember/ember.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "cuda_device.h"
#include "torch_workloads.h"
#include "workloads.h"

#ifdef EMBER_WITH_CUDA
#include "compiler/codegen/nvrtc.h"
#endif

namespace ember::bench {

namespace {

using Compiled = CompiledFn<Fn>;

BenchResult row(const BenchCase& c, const std::string& impl, const std::string& mode, const Device& d) {
  BenchResult r;
  r.workload = c.workload;
  r.size = c.size;
  r.size_kind = c.pointwise ? "elements" : "rows";
  r.impl = impl;
  r.mode = mode;
  r.device = d.str();
  return r;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// Empty in-memory and on-disk kernel caches for the next compile (NVRTC kernels; the CPU
// backend generates no code that outlives its Program).
void start_cold_kernel_cache(const std::string& cache_root) {
  static int counter = 0;
  std::string dir = cache_root + "/cold-" + std::to_string(counter++);
  std::filesystem::create_directories(dir);
  setenv("EMBER_CACHE_DIR", dir.c_str(), 1);
#ifdef EMBER_WITH_CUDA
  jit::clear_memory_kernel_cache();
#endif
}

// The next compile finds nothing in memory and everything on disk.
void start_warm_kernel_cache() {
#ifdef EMBER_WITH_CUDA
  jit::clear_memory_kernel_cache();
#endif
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void add_program(const jit::Program& p, CompileTimes& c, int64_t& bytes) {
  const jit::ProgramSummary& s = p.summary();
  c.program_ms += s.compile_ms;
  c.fused_kernels += s.kernels;
  c.ops += s.ops;
  bytes += s.bytes_read + s.bytes_written;
}

// Leaves a few touched blocks of the largest input's size in the caching allocator, so that
// a first call's fresh allocations do not count page faults (or cudaMalloc) as compile time.
void prewarm_allocator(const std::vector<Tensor>& inputs) {
  const Tensor* largest = nullptr;
  for (const auto& t : inputs)
    if (!largest || t.numel() > largest->numel()) largest = &t;
  if (!largest) return;
  NoGradGuard no_grad;
  std::vector<Tensor> blocks;
  for (int i = 0; i < 3; ++i) blocks.push_back(zeros(largest->sizes(), TensorOptions().device(largest->device())));
}

// One mode made ready to time.
struct Prepared {
  BenchResult row;
  std::function<void()> call;
  CallTimer timer;
  std::function<void(BenchResult&)> finish;  // measurements after timing (needs the median)
  std::shared_ptr<void> state;
};

struct EmberState {
  Workload w;
  std::unique_ptr<Compiled> compiled;
};

Prepared prepare_ember(const BenchCase& c, const std::string& mode, const RunOptions& o) {
  Prepared p;
  p.row = row(c, "ember", mode, o.device);
  Device dev = o.device;
  auto sync = [dev] {
    if (dev.is_cuda()) cuda::synchronize(dev.index);
  };
  int64_t allocated_before = memory_stats(dev).allocated_bytes;
  auto st = std::make_shared<EmberState>();
  WorkloadOptions wo;
  wo.device = dev;
  wo.size = c.size;
  wo.seed = o.seed;
  st->w = make_workload(c.workload, wo);
  if (st->w.min_bytes > 0) {
    p.row.bytes_per_call = st->w.min_bytes;
    p.row.bytes_source = "min_bytes";
  }
  CompileOptions co;
  co.name = c.workload.substr(0, c.workload.find(':'));
  co.cuda_graphs = mode == "compiled+cuda_graphs";
  double cold_first_ms = 0;
  if (mode != "eager") {
    start_cold_kernel_cache(o.cache_root);
    prewarm_allocator(st->w.inputs);
    st->compiled = std::make_unique<Compiled>(st->w.fn, co);
    auto t0 = std::chrono::steady_clock::now();
    (*st->compiled)(st->w.inputs);
    sync();
    cold_first_ms = ms_since(t0);
  }
  // What this mode keeps alive (inputs, weights, optimizer state, compiled constants).
  int64_t own_bytes = memory_stats(dev).allocated_bytes - allocated_before;
  EmberState* s = st.get();
  p.call = s->compiled ? std::function<void()>([s] { (*s->compiled)(s->w.inputs); })
                       : std::function<void()>([s] { s->w.fn(s->w.inputs); });
  p.timer = dev.is_cuda() ? cuda_event_timer(dev.index) : host_timer(sync);
  p.state = st;
  p.finish = [s, sync, dev, co, cold_first_ms, own_bytes, call = p.call](BenchResult& r) {
    sync();
    int64_t launches_before = kernel_launch_count();
    call();
    sync();
    r.launches_per_call = kernel_launch_count() - launches_before;

    AllocatorStats before = memory_stats(dev);
    reset_peak_memory_stats(dev);
    call();
    sync();
    r.peak_extra_bytes = memory_stats(dev).peak_allocated_bytes - before.allocated_bytes;
    r.peak_bytes = own_bytes + *r.peak_extra_bytes;

    if (!s->compiled) return;
    CompileTimes ct;
    int64_t bytes = 0;
    add_program(jit::forward_program(*s->compiled), ct, bytes);
    if (const jit::Program* b = jit::backward_program(*s->compiled)) add_program(*b, ct, bytes);
    r.program_bytes = bytes;
    double steady_ms = r.time->median_us / 1000;
    ct.cold_first_call_ms = cold_first_ms;
    ct.cold_ms = std::max(0.0, cold_first_ms - steady_ms);
    // A new compile() of the same function: traced and planned again, kernels from disk.
    start_warm_kernel_cache();
    Compiled again(s->w.fn, co);
    auto t0 = std::chrono::steady_clock::now();
    again(s->w.inputs);
    sync();
    ct.warm_first_call_ms = ms_since(t0);
    ct.warm_ms = std::max(0.0, ct.warm_first_call_ms - steady_ms);
    r.compile = ct;
  };
  return p;
}

Prepared prepare_libtorch(const BenchCase& c, const RunOptions& o) {
  Prepared p;
  p.row = row(c, "libtorch", "eager", Device(kCPU));
  p.call = libtorch::make_workload(c.workload, c.size, o.seed);
  p.timer = host_timer([] {});
  return p;
}

// Times the prepared modes in rounds: per round and mode, one untimed call (the other modes
// have just used the caches) and then a chunk of timed calls sized so that each mode spends
// about its budget over all rounds.
void time_interleaved(std::vector<Prepared*>& modes, const TimingOptions& o) {
  constexpr int kRounds = 5;
  std::vector<std::vector<double>> samples(modes.size());
  std::vector<int> chunk(modes.size(), 1);
  auto guarded = [&](size_t i, const std::function<void()>& f) {
    if (!modes[i]->row.error.empty()) return;
    try {
      f();
    } catch (const std::exception& e) {
      modes[i]->row.error = first_line(e.what());
    }
  };
  for (size_t i = 0; i < modes.size(); ++i)
    guarded(i, [&] {
      double last = 0;
      for (int k = 0; k < std::max(1, o.warmup); ++k) last = modes[i]->timer(modes[i]->call);
      double per_round_us = o.budget_ms * 1000 / kRounds;
      int most = std::max(1, (o.max_repeat + kRounds - 1) / kRounds);
      chunk[i] = std::clamp(static_cast<int>(per_round_us / std::max(last, 1e-3)), 1, most);
    });
  for (int round = 0; round < kRounds; ++round)
    for (size_t i = 0; i < modes.size(); ++i)
      guarded(i, [&] {
        if (modes.size() > 1) modes[i]->timer(modes[i]->call);
        for (int k = 0; k < chunk[i] && static_cast<int>(samples[i].size()) < o.max_repeat; ++k)
          samples[i].push_back(modes[i]->timer(modes[i]->call));
      });
  for (size_t i = 0; i < modes.size(); ++i)
    guarded(i, [&] {
      while (static_cast<int>(samples[i].size()) < std::min(o.min_repeat, o.max_repeat))
        samples[i].push_back(modes[i]->timer(modes[i]->call));
      modes[i]->row.time = summarize(samples[i]);
    });
}

}  // namespace

std::vector<std::string> ember_modes(const Device& d) {
  // Compiled modes first: ember keeps oneDNN primitives (and the GPU its modules) for the
  // life of the process, so a compile after the eager run would not be cold.
  std::vector<std::string> modes = {"compiled"};
  if (d.is_cuda()) modes.push_back("compiled+cuda_graphs");
  modes.push_back("eager");
  return modes;
}

std::vector<BenchResult> measure_case(const BenchCase& c, const RunOptions& o) {
  std::vector<Prepared> prepared;
  auto prepare = [&](const std::string& impl, const std::string& mode, const std::function<Prepared()>& make) {
    try {
      prepared.push_back(make());
    } catch (const std::exception& e) {
      Prepared failed;
      failed.row = row(c, impl, mode, impl == "libtorch" ? Device(kCPU) : o.device);
      failed.row.error = first_line(e.what());
      prepared.push_back(std::move(failed));
    }
  };
  for (const auto& m : ember_modes(o.device)) prepare("ember", m, [&] { return prepare_ember(c, m, o); });
  if (o.libtorch) prepare("libtorch", "eager", [&] { return prepare_libtorch(c, o); });

  std::vector<Prepared*> timed;
  for (auto& p : prepared)
    if (p.row.error.empty()) timed.push_back(&p);
  time_interleaved(timed, o.timing);

  std::vector<BenchResult> rows;
  for (auto& p : prepared) {
    if (p.row.error.empty() && p.finish) {
      try {
        p.finish(p.row);
      } catch (const std::exception& e) {
        p.row.error = first_line(e.what());
      }
    }
    if (!p.row.error.empty()) {  // a failed row carries nothing but its identity and error
      BenchResult failed = row(c, p.row.impl, p.row.mode, Device(p.row.device));
      failed.error = p.row.error;
      p.row = failed;
    }
    rows.push_back(p.row);
  }
  std::stable_partition(rows.begin(), rows.end(), [](const BenchResult& r) { return r.label() == "ember eager"; });
  return rows;
}

}  // namespace ember::bench
