#pragma once
// A Program is a graph made ready to run: passes applied, fusion groups formed and their
// kernels generated, buffers planned. run() executes it on real tensors.
#include <memory>
#include <string>
#include <vector>

#include "ember/compile_options.h"
#include "compiler/graph.h"
#include "compiler/passes.h"

namespace ember::jit {

class FusedKernel;
class GraphReplay;
struct ProgramMemory;

struct Step {
  enum class Kind : uint8_t { Op, Fused } kind = Kind::Op;
  int node = -1;   // Kind::Op
  int fused = -1;  // Kind::Fused: index into Program::kernels()
};

struct ProgramSummary {
  int64_t ops = 0;                 // nodes in the optimized graph
  int64_t kernels = 0;             // fused kernels
  int64_t launches_per_call = 0;   // measured on the last run
  int64_t bytes_read = 0, bytes_written = 0;  // device memory traffic per call (estimate)
  int64_t planned_bytes = 0;       // intermediate buffers after planning
  int64_t eager_peak_bytes = 0;    // intermediates alive at once when run eagerly
  double compile_ms = 0;
};

class Program {
 public:
  // `inplace` offers (output k, input j) pairs: output k may be computed straight into input
  // j's memory (an in-place update written back by the caller) when the plan shows that is
  // safe; run() then returns input j's tensor as output k.
  Program(Graph traced, const CompileOptions& options, const std::string& name,
          const std::vector<std::pair<int, int>>& inplace = {});
  ~Program();

  // Runs the program (through a CUDA graph when compiled with cuda_graphs and capturable).
  std::vector<Tensor> run(const std::vector<Tensor>& inputs) const;
  // Runs the steps directly (what a CUDA graph captures).
  std::vector<Tensor> run_steps(const std::vector<Tensor>& inputs) const;

  const Graph& traced() const { return traced_; }
  const Graph& graph() const { return graph_; }
  const std::vector<PassRecord>& pass_records() const { return passes_; }
  const std::vector<Step>& steps() const { return steps_; }
  const std::vector<std::unique_ptr<FusedKernel>>& kernels() const { return kernels_; }
  const ProgramSummary& summary() const { return summary_; }
  const std::string& name() const { return name_; }
  const CompileOptions& options() const { return options_; }
  // The (output, input) pairs offered to the constructor: with traced() and options(), all
  // it takes to build this program again.
  const std::vector<std::pair<int, int>>& inplace_offers() const { return inplace_offers_; }
  // Which graph nodes each step runs, for "which source ops does each kernel hold".
  std::vector<int> step_nodes(const Step& s) const;

 private:
  // The constructor's stages.
  void optimise();                       // passes, then matmul epilogues
  void fuse(const CompileOptions& options);  // fusion groups, their kernels, the schedule
  Device plan(const std::vector<std::pair<int, int>>& inplace);  // lifetimes, in-place, arena
  void summarise(Device main_device);    // counters and the eager peak for comparison
  void label_steps();                    // EMBER_NVTX: a range name per step
  // Whether value v is a constant or a view of one.
  bool aliases_constant(int v) const;
  void plan_inplace(const std::vector<std::pair<int, int>>& pairs, const std::vector<int>& def,
                    const std::vector<int>& last, const std::vector<int>& base);

  Graph traced_, graph_;
  std::vector<std::pair<int, int>> inplace_offers_;
  std::vector<PassRecord> passes_;
  std::vector<Step> steps_;
  std::vector<std::unique_ptr<FusedKernel>> kernels_;
  std::unique_ptr<ProgramMemory> memory_;
  std::vector<int> inplace_input_;  // per value: the input it is computed into, or -1
  std::vector<std::string> nvtx_labels_;  // per step, with EMBER_NVTX=1
  std::unique_ptr<GraphReplay> replay_;
  mutable ProgramSummary summary_;
  std::string name_;
  CompileOptions options_;
};

}  // namespace ember::jit
