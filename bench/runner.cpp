#include "runner.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include <ember/ember.h>

#include "cuda_device.h"
#include "torch_workloads.h"
#include "workloads.h"

#ifdef EMBER_WITH_CUDA
#include "compiler/codegen/nvrtc.h"
#endif

namespace ember::bench {

namespace {

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

}  // namespace

BenchResult measure_ember(const BenchCase& c, const std::string& mode, const RunOptions& o) {
  BenchResult r = row(c, "ember", mode, o.device);
  try {
    WorkloadOptions wo;
    wo.device = o.device;
    wo.size = c.size;
    wo.seed = o.seed;
    Workload w = make_workload(c.workload, wo);
    if (w.min_bytes > 0) {
      r.bytes_per_call = w.min_bytes;
      r.bytes_source = "min_bytes";
    }
    Device dev = o.device;
    auto sync = [dev] {
      if (dev.is_cuda()) cuda::synchronize(dev.index);
    };
    CallTimer timer = dev.is_cuda() ? cuda_event_timer(dev.index) : host_timer(sync);

    using Compiled = CompiledFn<Fn>;
    std::unique_ptr<Compiled> compiled;
    CompileOptions co;
    co.name = c.workload.substr(0, c.workload.find(':'));
    co.cuda_graphs = mode == "compiled+cuda_graphs";
    double cold_first_ms = 0;
    if (mode != "eager") {
      start_cold_kernel_cache(o.cache_root);
      prewarm_allocator(w.inputs);
      compiled = std::make_unique<Compiled>(w.fn, co);
      auto t0 = std::chrono::steady_clock::now();
      (*compiled)(w.inputs);
      sync();
      cold_first_ms = ms_since(t0);
    }
    std::function<void()> call = compiled ? std::function<void()>([&] { (*compiled)(w.inputs); })
                                          : std::function<void()>([&] { w.fn(w.inputs); });

    r.time = time_calls(call, timer, o.timing);

    sync();
    int64_t launches_before = kernel_launch_count();
    call();
    sync();
    r.launches_per_call = kernel_launch_count() - launches_before;

    AllocatorStats before = memory_stats(dev);
    reset_peak_memory_stats(dev);
    call();
    sync();
    AllocatorStats after = memory_stats(dev);
    r.peak_bytes = after.peak_allocated_bytes;
    r.peak_extra_bytes = after.peak_allocated_bytes - before.allocated_bytes;

    if (compiled) {
      CompileTimes ct;
      int64_t bytes = 0;
      add_program(compiled->program(), ct, bytes);
      if (const jit::Program* b = compiled->backward_program()) add_program(*b, ct, bytes);
      r.program_bytes = bytes;
      double steady_ms = r.time->median_us / 1000;
      ct.cold_first_call_ms = cold_first_ms;
      ct.cold_ms = std::max(0.0, cold_first_ms - steady_ms);
      // A new compile() of the same function: traced and planned again, kernels from disk.
      start_warm_kernel_cache();
      Compiled again(w.fn, co);
      auto t0 = std::chrono::steady_clock::now();
      again(w.inputs);
      sync();
      ct.warm_first_call_ms = ms_since(t0);
      ct.warm_ms = std::max(0.0, ct.warm_first_call_ms - steady_ms);
      r.compile = ct;
    }
  } catch (const std::exception& e) {
    BenchResult failed = row(c, "ember", mode, o.device);
    failed.error = first_line(e.what());
    return failed;
  }
  return r;
}

BenchResult measure_libtorch(const BenchCase& c, const RunOptions& o) {
  BenchResult r = row(c, "libtorch", "eager", Device(kCPU));
  try {
    std::function<void()> call = libtorch::make_workload(c.workload, c.size, o.seed);
    r.time = time_calls(call, host_timer([] {}), o.timing);
  } catch (const std::exception& e) {
    r.error = first_line(e.what());
  }
  return r;
}

}  // namespace ember::bench
