#pragma once
// Anomaly mode's eager checks (ember/autograd/anomaly_mode.h): forward results, the forward
// call site of each autograd node, and the gradients each node returns.
#include <memory>
#include <vector>

#include "ember/autograd/node.h"

namespace ember::autograd {

// Inside a backward function the engine checks what it returns; the ops of its formula are
// not checked one by one (their "inputs from outside" would be the incoming gradients).
class BackwardFunctionScope {
 public:
  BackwardFunctionScope();
  ~BackwardFunctionScope();
  static bool active();

 private:
  bool prev_;
};

// After op `op` computed `outputs` from `inputs`: a NaN in a result is an error naming the op
// and its call site, or the input that already held NaN.
void check_forward_anomaly(const char* op, const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs);

// Remembers the caller's stack for `node` (anomaly mode on), for backward's errors.
void record_forward_site(const std::shared_ptr<Node>& node);

// After `node` turned `incoming` gradients into `outgoing`: NaN or Inf in a gradient it
// returned is an error naming the node and the forward call that made it (libtorch's text:
// "Function 'LogBackward0' returned nan values in its 0th output.").
void check_backward_anomaly(const Node& node, const std::vector<Tensor>& incoming,
                            const std::vector<Tensor>& outgoing);

}  // namespace ember::autograd
