#include <cuda_runtime_api.h>

#include <atomic>

#include "compiler/graph_replay.h"
#include "compiler/log.h"
#include "compiler/passes.h"
#include "compiler/program.h"
#include "kernels/backend.h"
#include "kernels/op_registry.h"
#include "kernels/ops/ops_util.h"
#include "kernels/tensor_alloc.h"
#include "runtime/cuda/cuda_check.h"
#include "runtime/cuda/cuda_context.h"
#include "runtime/cuda/launch_check.h"
#include "ember/grad_mode.h"

namespace ember::jit {

namespace {

std::atomic<uint64_t> g_next_pool{1};

// A tensor with the same sizes and strides as `t`, in fresh memory.
Tensor same_layout(const Tensor& t) {
  int64_t extent = 1;
  for (int64_t d = 0; d < t.dim(); ++d) extent += (t.sizes()[d] - 1) * t.strides()[d];
  if (t.numel() == 0) extent = 0;
  Tensor base = empty_tensor({extent}, t.dtype(), t.device());
  auto impl = std::make_shared<TensorImpl>(base.impl().storage, t.sizes(), t.strides(), 0, t.dtype(), t.device());
  return Tensor(impl);
}

class CudaGraphReplay final : public GraphReplay {
 public:
  ~CudaGraphReplay() override { reset(); }

  std::optional<std::vector<Tensor>> run(const Program& p, const std::vector<Tensor>& inputs) override {
    if (disabled_) return std::nullopt;
    if (!exec_) {
      if (!capturable(p, inputs)) return std::nullopt;
      if (calls_++ == 0) return std::nullopt;  // warm-up: modules, workspaces, cached blocks
      if (!capture(p, inputs)) return std::nullopt;
    }
    NoGradGuard no_grad;
    for (size_t i = 0; i < inputs.size(); ++i)
      if (!inputs[i].is_same(static_in_[i])) copy_into(static_in_[i], inputs[i]);
    cuda::DeviceGuard guard(device_.index);
    EMBER_CUDA_CHECK(cudaGraphLaunch(exec_, static_cast<cudaStream_t>(cuda::current_stream(device_.index))));
    cuda::check_launch("a CUDA graph replay");
    count_kernel_launch();
    std::vector<Tensor> out;
    for (const auto& t : static_out_) {
      Tensor c = empty_tensor(t.sizes(), t.dtype(), t.device());
      copy_into(c, t);
      out.push_back(c);
    }
    return out;
  }

 private:
  bool refuse(const std::string& why) {
    EMBER_LOG("cudagraph", "running without a CUDA graph: " << why);
    disabled_ = true;
    return false;
  }

  bool capturable(const Program& p, const std::vector<Tensor>& inputs) {
    for (const auto& t : inputs) {
      if (!t.is_cuda()) return refuse("an input lives on " + t.device().str() + " (a graph bakes host values in)");
      device_ = t.device();
    }
    for (const auto& v : p.graph().values)
      if (v.device != device_ && !(v.kind == ValueKind::Constant && v.sizes.empty()))
        return refuse("the program uses more than one device");
    for (const auto& n : p.graph().nodes)
      if (has_side_effect(n.op))
        return refuse(std::string("the program draws random numbers (") + op_name(n.op) +
                      "), and a replay would repeat the seed and offset captured with it");
    return !inputs.empty() || refuse("the program has no inputs");
  }

  bool capture(const Program& p, const std::vector<Tensor>& inputs) {
    NoGradGuard no_grad;
    cuda::DeviceGuard guard(device_.index);
    auto stream = static_cast<cudaStream_t>(cuda::current_stream(device_.index));
    for (const auto& t : inputs) {
      Tensor s = same_layout(t);
      copy_into(s, t);
      static_in_.push_back(s);
    }
    EMBER_CUDA_CHECK(cudaStreamSynchronize(stream));
    Allocator* alloc = allocator_for(device_);
    pool_ = g_next_pool.fetch_add(1);
    alloc->begin_private_pool(pool_);
    cudaGraph_t graph = nullptr;
    try {
      EMBER_CUDA_CHECK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeRelaxed));
      static_out_ = p.run_steps(static_in_);
      EMBER_CUDA_CHECK(cudaStreamEndCapture(stream, &graph));
      alloc->end_private_pool();
      EMBER_CUDA_CHECK(cudaGraphInstantiate(&exec_, graph, 0));
      cudaGraphDestroy(graph);
    } catch (const Error& e) {
      cudaGraph_t partial = nullptr;
      cudaStreamEndCapture(stream, &partial);
      if (partial) cudaGraphDestroy(partial);
      if (graph) cudaGraphDestroy(graph);
      cudaGetLastError();
      alloc->end_private_pool();
      reset();
      return refuse(std::string("capture failed: ") + e.what());
    }
    EMBER_LOG("cudagraph", p.name() << ": captured " << p.steps().size() << " steps in one CUDA graph");
    return true;
  }

  void reset() {
    if (exec_) cudaGraphExecDestroy(exec_);
    exec_ = nullptr;
    static_in_.clear();
    static_out_.clear();
    if (pool_) allocator_for(device_)->release_private_pool(pool_);
    pool_ = 0;
  }

  bool disabled_ = false;
  int calls_ = 0;
  Device device_{kCUDA, 0};
  uint64_t pool_ = 0;
  cudaGraphExec_t exec_ = nullptr;
  std::vector<Tensor> static_in_, static_out_;
};

}  // namespace

std::unique_ptr<GraphReplay> make_graph_replay() { return std::make_unique<CudaGraphReplay>(); }

}  // namespace ember::jit
