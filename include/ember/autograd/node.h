#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ember/tensor.h"

namespace ember {

class Node;

// Where a gradient flows: input `input_nr` of node `fn`.
struct Edge {
  std::shared_ptr<Node> function;
  uint32_t input_nr = 0;
  bool valid() const { return function != nullptr; }
  bool is_valid() const { return valid(); }  // libtorch's name
};
using edge_list = std::vector<Edge>;

// A hook on the gradient of one tensor (Tensor::register_hook): returns the gradient to
// use instead, or an undefined tensor to keep it.
struct GradHook {
  unsigned id;
  std::function<Tensor(const Tensor&)> fn;
};
unsigned next_hook_id();
// Runs `h` on `grad` (if defined); a defined result replaces it.
void run_grad_hook(const GradHook& h, Tensor& grad);

// Shape, dtype and device of one forward output; gradients arriving for it must match.
struct TensorMeta {
  Shape sizes;
  ScalarType dtype = kFloat32;
  Device device;
  static TensorMeta of(const Tensor& t) { return {t.sizes(), t.dtype(), t.device()}; }
};

// A step of the backward graph. Its inputs are the gradients of the forward op's outputs;
// its outputs are the gradients of the forward op's inputs, sent along next_edges().
class Node : public std::enable_shared_from_this<Node> {
 public:
  Node();
  virtual ~Node() = default;

  virtual std::string name() const = 0;
  virtual std::vector<Tensor> apply(std::vector<Tensor>&& grads) = 0;
  // Drops saved tensors once backward ran without retain_graph.
  virtual void release_variables() {}

  const std::vector<Edge>& next_edges() const { return next_edges_; }
  const std::vector<Edge>& next_functions() const { return next_edges_; }  // libtorch's name
  std::vector<Edge>& mutable_next_edges() { return next_edges_; }
  void add_next_edge(Edge e) { next_edges_.push_back(std::move(e)); }
  const Edge& next_edge(size_t i) const { return next_edges_[i]; }
  size_t num_outputs() const { return next_edges_.size(); }

  size_t num_inputs() const { return input_meta_.size(); }
  void add_input_meta(const TensorMeta& m) { input_meta_.push_back(m); }
  const TensorMeta& input_meta(size_t i) const { return input_meta_[i]; }

  uint64_t sequence_nr() const { return sequence_nr_; }

  // Non-leaf tensors that asked for retain_grad(), by output slot of this node.
  void add_retained_grad(uint32_t slot, std::weak_ptr<TensorImpl> t);
  void store_retained_grads(const std::vector<Tensor>& grads);

  // register_hook on a non-leaf output of this node (slot = its output_nr).
  void add_pre_hook(uint32_t slot, GradHook h) { pre_hooks_.emplace_back(slot, std::move(h)); }
  bool remove_pre_hook(unsigned id);
  // Runs the hooks on the incoming gradients, in registration order; AccumulateGrad runs
  // its leaf's hooks.
  virtual void run_pre_hooks(std::vector<Tensor>& grads);

 protected:
  std::vector<Edge> next_edges_;
  std::vector<TensorMeta> input_meta_;

 private:
  uint64_t sequence_nr_;
  std::vector<std::pair<uint32_t, std::weak_ptr<TensorImpl>>> retained_;
  std::vector<std::pair<uint32_t, GradHook>> pre_hooks_;
};

// Sink of the backward graph for a leaf: adds the incoming gradient into leaf.grad().
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> leaf);
  std::string name() const override { return "AccumulateGrad"; }
  std::vector<Tensor> apply(std::vector<Tensor>&& grads) override;
  void run_pre_hooks(std::vector<Tensor>& grads) override;
  Tensor variable() const { return Tensor(leaf_); }

 private:
  std::shared_ptr<TensorImpl> leaf_;
};

// Prints the backward graph below `root`, one node per line, indented by depth.
std::string format_graph(const std::shared_ptr<Node>& root);

}  // namespace ember
