#include "compiler/program.h"

#include <atomic>
#include <chrono>
#include <iostream>
#include <set>

#include "compiler/anomaly_check.h"
#include "compiler/fused_kernel.h"
#include "compiler/graph_replay.h"
#include "compiler/log.h"
#include "compiler/memory_plan.h"
#include "compiler/nvtx_range.h"
#include "compiler/run_node.h"
#include "compiler/step_name.h"
#include "kernels/backend.h"
#include "kernels/op_registry.h"
#include "kernels/ops/ops_util.h"
#include "kernels/tensor_alloc.h"
#include "ember/autograd/anomaly_mode.h"
#include "ember/grad_mode.h"

namespace ember::jit {

struct ProgramMemory {
  MemoryPlan plan;
};

namespace {

// Value ids a step reads and writes.
void step_io(const Graph& g, const Step& s, const std::vector<std::unique_ptr<FusedKernel>>& kernels,
             std::vector<int>* reads, std::vector<int>* writes) {
  if (s.kind == Step::Kind::Op) {
    *reads = g.nodes[s.node].inputs;
    *writes = g.nodes[s.node].outputs;
  } else {
    *reads = kernels[s.fused]->group().inputs;
    *writes = kernels[s.fused]->group().outputs;
  }
}

struct Lifetimes {
  std::vector<int> def, last, base;  // per value: defining step, last reading step, base value
  std::vector<bool> planned;         // whether it owns new memory the arena may hold
};

// Lifetimes over `num_steps` steps; io(step, &reads, &writes) returns whether the step makes
// views of its first input. A view's readers keep its base alive; outputs (and anything they
// view) escape the arena.
template <class StepIO>
Lifetimes lifetimes(const Graph& g, int num_steps, const StepIO& io) {
  int nv = static_cast<int>(g.values.size());
  Lifetimes l{std::vector<int>(nv, -1), std::vector<int>(nv, -1), std::vector<int>(nv), std::vector<bool>(nv, false)};
  for (int v = 0; v < nv; ++v) l.base[v] = v;
  std::vector<int> reads, writes;
  for (int s = 0; s < num_steps; ++s) {
    bool alias = io(s, &reads, &writes);
    for (int r : reads) l.last[l.base[r]] = std::max(l.last[l.base[r]], s);
    for (int w : writes) {
      l.def[w] = s;
      l.last[w] = std::max(l.last[w], s);
      if (alias) l.base[w] = l.base[reads[0]];
      else l.planned[w] = true;
    }
  }
  for (int o : g.outputs) l.planned[l.base[o]] = false;
  return l;
}

}  // namespace

Program::Program(Graph traced, const CompileOptions& options, const std::string& name,
                 const std::vector<std::pair<int, int>>& inplace)
    : traced_(std::move(traced)), inplace_offers_(inplace), name_(name), options_(options) {
  auto t0 = std::chrono::steady_clock::now();
  optimise();
  fuse(options);
  Device main_device = plan(inplace);
  summarise(main_device);
  if (options.cuda_graphs) replay_ = make_graph_replay();
  if (nvtx_enabled()) label_steps();
  summary_.compile_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EMBER_LOG("memory", name_ << ": planned " << summary_.planned_bytes << " bytes of intermediates "
                            << "(eager peak " << summary_.eager_peak_bytes << ")");
}

void Program::optimise() {
  graph_ = traced_;
  passes_ = run_passes(graph_);
  int epilogues = fuse_matmul_epilogues(graph_);
  graph_.verify();
  passes_.push_back({"fuse_matmul_epilogues", epilogues, graph_});
}

namespace {
std::atomic<bool> g_codegen_failures{false};
}  // namespace

void inject_codegen_failures(bool on) { g_codegen_failures.store(on); }
bool codegen_failures_injected() { return g_codegen_failures.load(); }

void Program::fuse(const CompileOptions& options) {
  FusionReport fusion = find_fusion_groups(graph_);
  if (options.strict && !fusion.refusals.empty())
    EMBER_FAIL("compile(strict): ", fusion.refusals.front());
  // A group whose kernel cannot be built (an NVRTC failure, say) runs as its ops, one by one,
  // with the eager kernels: the same results, only slower. Strict mode makes it an error.
  std::vector<int> kernel_of(fusion.groups.size(), -1);
  for (size_t gi = 0; gi < fusion.groups.size(); ++gi) {
    const FusionGroup& grp = fusion.groups[gi];
    try {
      EMBER_CHECK(!codegen_failures_injected(), "injected code generation failure");
      kernels_.push_back(grp.device.is_cuda() ? make_cuda_fused_kernel(graph_, grp) : make_cpu_fused_kernel(graph_, grp));
      kernel_of[gi] = static_cast<int>(kernels_.size()) - 1;
    } catch (const Error& e) {
      std::string why = e.what();
      why = why.substr(0, why.find('\n'));
      if (options.strict) EMBER_FAIL("compile(strict): cannot build the fused kernel ", grp.kernel_name, ": ", why);
      std::cerr << "[ember] warning: " << name_ << ": cannot build the fused kernel " << grp.kernel_name << " ("
                << why << "); its " << grp.nodes.size() << " ops run unfused\n";
    }
  }
  for (const ScheduledStep& s : fusion.schedule) {
    if (s.group < 0) steps_.push_back(Step{Step::Kind::Op, s.node, -1});
    else if (kernel_of[s.group] >= 0) steps_.push_back(Step{Step::Kind::Fused, -1, kernel_of[s.group]});
    else
      for (int n : fusion.groups[s.group].nodes) steps_.push_back(Step{Step::Kind::Op, n, -1});
  }
}

Device Program::plan(const std::vector<std::pair<int, int>>& inplace) {
  Lifetimes life = lifetimes(graph_, static_cast<int>(steps_.size()), [&](int s, std::vector<int>* r, std::vector<int>* w) {
    step_io(graph_, steps_[s], kernels_, r, w);
    return steps_[s].kind == Step::Kind::Op && op_def(graph_.nodes[steps_[s].node].op).alias;
  });
  plan_inplace(inplace, life.def, life.last, life.base);
  // The arena serves one device: the first planned value's; values on another stay out.
  int nv = static_cast<int>(graph_.values.size());
  Device main_device;
  bool found = false;
  for (int v = 0; v < nv; ++v)
    if (life.planned[v] && !found) {
      main_device = graph_.values[v].device;
      found = true;
    }
  for (int v = 0; v < nv; ++v)
    if (life.planned[v] && graph_.values[v].device != main_device) life.planned[v] = false;
  memory_ = std::make_unique<ProgramMemory>();
  memory_->plan = plan_memory(graph_, life.def, life.last, life.planned);
  memory_->plan.device = main_device;
  return main_device;
}

void Program::summarise(Device main_device) {
  summary_.ops = static_cast<int64_t>(graph_.nodes.size());
  summary_.kernels = static_cast<int64_t>(kernels_.size());
  summary_.planned_bytes = memory_->plan.arena_bytes;
  for (const Step& s : steps_) {
    std::vector<int> reads, writes;
    step_io(graph_, s, kernels_, &reads, &writes);
    bool alias = s.kind == Step::Kind::Op && op_def(graph_.nodes[s.node].op).alias;
    if (alias) continue;
    for (int r : reads)
      if (graph_.values[r].kind != ValueKind::Constant || graph_.values[r].numel() > 1)
        summary_.bytes_read += graph_.values[r].nbytes();
    for (int w : writes) summary_.bytes_written += graph_.values[w].nbytes();
  }
  // Eager peak: the traced graph's intermediates, each allocated alone, node by node.
  const Graph& t = traced_;
  Lifetimes life = lifetimes(t, static_cast<int>(t.nodes.size()), [&](int n, std::vector<int>* r, std::vector<int>* w) {
    *r = t.nodes[n].inputs;
    *w = t.nodes[n].outputs;
    return op_def(t.nodes[n].op).alias != nullptr;
  });
  for (size_t v = 0; v < t.values.size(); ++v)
    if (t.values[v].device != main_device) life.planned[v] = false;
  summary_.eager_peak_bytes = plan_memory(t, life.def, life.last, life.planned).eager_peak_bytes;
}

Program::~Program() = default;

void Program::plan_inplace(const std::vector<std::pair<int, int>>& pairs, const std::vector<int>& def,
                           const std::vector<int>& last, const std::vector<int>& base) {
  inplace_input_.assign(graph_.values.size(), -1);
  std::vector<int> uses(graph_.values.size(), 0);
  for (int o : graph_.outputs) ++uses[o];
  for (auto [k, j] : pairs) {
    int o = graph_.outputs[k], in = graph_.inputs[j];
    const Value &ov = graph_.values[o], &iv = graph_.values[in];
    int s = def[o];
    if (ov.kind != ValueKind::Node || s < 0 || uses[o] != 1 || base[o] != o || inplace_input_[o] >= 0) continue;
    if (ov.dtype != iv.dtype || ov.sizes != iv.sizes || ov.device != iv.device ||
        !is_contiguous_layout(iv.sizes, iv.strides) || uses[in] > 0)
      continue;
    // The old values must be dead once the new ones are written: every read of the input
    // (and of views of it) happens before the producing step, or inside a fused kernel
    // that reads it element by element at the same index it writes.
    int read_last = last[base[in]];
    if (read_last > s) continue;
    if (read_last == s) {
      // Only a fused kernel that reads the input itself, densely, at the index it writes.
      const Step& st = steps_[s];
      if (st.kind != Step::Kind::Fused) continue;
      const FusionGroup& grp = kernels_[st.fused]->group();
      bool aligned = grp.shape == iv.sizes;
      for (int g_in : grp.inputs)
        if (base[g_in] == in && g_in != in) aligned = false;  // a view of it: other indices
      // Per element the group runs its ops in order: no op after the writer may read the
      // old values (the writer itself may: it reads before it writes).
      for (int n : grp.nodes)
        for (int i : graph_.nodes[n].inputs)
          if (i == in && n > ov.node) aligned = false;
      if (!aligned) continue;
    }
    inplace_input_[o] = j;
    EMBER_LOG("memory", name_ << ": output " << k << " is computed in place into input " << j);
  }
}

bool Program::aliases_constant(int v) const {
  while (graph_.values[v].kind == ValueKind::Node) {
    const Node& n = graph_.nodes[graph_.values[v].node];
    if (!op_def(n.op).alias) return false;
    v = n.inputs[0];
  }
  return graph_.values[v].kind == ValueKind::Constant;
}

std::vector<int> Program::step_nodes(const Step& s) const {
  if (s.kind == Step::Kind::Op) return {s.node};
  return kernels_[s.fused]->group().nodes;
}

void Program::label_steps() {
  for (const Step& s : steps_) nvtx_labels_.push_back(step_label(*this, s));
}

std::vector<Tensor> Program::run(const std::vector<Tensor>& inputs) const {
  NvtxRange range(name_.c_str());
  if (replay_ && !autograd::AnomalyMode::is_enabled() && !options_.detect_anomaly) {  // they check every step
    int64_t before = kernel_launch_count();
    if (auto out = replay_->run(*this, inputs)) {
      summary_.launches_per_call = kernel_launch_count() - before;
      return *out;
    }
  }
  return run_steps(inputs);
}

std::vector<Tensor> Program::run_steps(const std::vector<Tensor>& inputs) const {
  EMBER_CHECK(inputs.size() == graph_.inputs.size(), "compiled graph ", name_, " expects ",
              graph_.inputs.size(), " inputs but got ", inputs.size());
  NoGradGuard no_grad;
  int64_t launches_before = kernel_launch_count();
  std::vector<Tensor> values(graph_.values.size());
  for (size_t i = 0; i < inputs.size(); ++i) values[graph_.inputs[i]] = inputs[i];
  for (size_t v = 0; v < graph_.values.size(); ++v)
    if (graph_.values[v].kind == ValueKind::Constant) values[v] = graph_.values[v].constant;

  const MemoryPlan& plan = memory_->plan;
  Tensor arena;
  if (plan.arena_bytes > 0) arena = empty_tensor({plan.arena_bytes}, kUInt8, plan.device);
  auto buffer = [&](int v) {
    const Value& val = graph_.values[v];
    if (inplace_input_[v] >= 0) return inputs[inplace_input_[v]];
    if (plan.offset[v] < 0) return allocate_value(val);
    int64_t item = static_cast<int64_t>(itemsize(val.dtype));
    auto impl = std::make_shared<TensorImpl>(arena.impl().storage, val.sizes, contiguous_strides(val.sizes),
                                             plan.offset[v] / item, val.dtype, val.device);
    return Tensor(impl);
  };

  bool check_values = options_.detect_anomaly ||
                      (autograd::AnomalyMode::is_enabled() && autograd::AnomalyMode::should_check_nan());
  for (size_t si = 0; si < steps_.size(); ++si) {
    const Step& s = steps_[si];
    NvtxRange range(nvtx_labels_.empty() ? nullptr : nvtx_labels_[si].c_str());
    if (s.kind == Step::Kind::Fused) {
      const FusedKernel& k = *kernels_[s.fused];
      for (int o : k.group().outputs) values[o] = buffer(o);
      k.run(graph_, values);
      if (check_values) check_step_anomaly(*this, s, values);
      continue;
    }
    run_node(graph_, s.node, values, buffer);
    if (check_values) check_step_anomaly(*this, s, values);
  }
  // Outputs escape to the caller: one that aliases a constant of the program (a folded
  // value, or a view of one) must be a copy, or the caller could write into the program.
  std::vector<Tensor> result;
  for (int o : graph_.outputs) {
    Tensor t = values[o];
    if (graph_.values[o].kind == ValueKind::Constant || (t.defined() && aliases_constant(o))) {
      Tensor c = allocate_value(graph_.values[o]);
      copy_into(c, t);
      t = c;
    }
    result.push_back(t);
  }
  summary_.launches_per_call = kernel_launch_count() - launches_before;
  return result;
}

}  // namespace ember::jit
