#pragma once
// Named workloads shared by ember-dump and ember-bench. A workload is a function of
// tensors (with eager semantics: compile() it for the compiled mode) plus inputs for it.
#include <ember/ember.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ember::bench {

using Fn = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

struct Workload {
  std::string name;         // as given, e.g. "chain:add,clamp,pow"
  std::string description;
  std::vector<Tensor> inputs;
  Fn fn;
  bool training = false;    // one call is a training step (updates parameters)
  int64_t min_bytes = 0;    // bytes a call must move at least (inputs read + outputs written)
  std::shared_ptr<void> state;  // modules and optimizers the function captures
};

struct WorkloadOptions {
  Device device = Device(kCPU);
  // Elements for pointwise workloads; batch rows for networks (0: the workload's default).
  int64_t size = 0;
  bool grad = false;        // ember-dump --grad: inputs require grad (traces the backward)
  uint64_t seed = 0;
};

// Names: chain:<op>,<op>,... (ops: add sub mul div clamp pow exp sigmoid tanh relu neg abs
// sqrt log gelu), chain_broadcast:<ops>, loss (pointwise then sum), two_layer_net (the
// notes' training step), mlp (nn::Sequential + Adam step), dynamic_net:<k> (k reuses of the
// shared middle layer), regression (the notes' 1-D regression step), transformer_mlp
// (Linear-GELU-Linear, forward), transformer_mlp_train, cnn (a LeNet-style training step) and
// conv2d:<C>x<HW> (conv3x3-ReLU-conv3x3, forward + backward), gpt (a training step of
// examples/gpt's model, batch 8 x context 128) and attention:<T> (causal SDPA forward +
// backward at sequence length T), softmax:<C> and layer_norm:<C> (forward over size / C rows
// of C). Unknown names raise ember::Error.
Workload make_workload(const std::string& spec, const WorkloadOptions& o);

std::vector<std::string> workload_names();

}  // namespace ember::bench
