#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ember/tensor.h"

namespace ember {

class Node;

// Where a gradient flows: input `input_nr` of node `fn`.
struct Edge {
  std::shared_ptr<Node> fn;
  uint32_t input_nr = 0;
  bool valid() const { return fn != nullptr; }
};

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

 protected:
  std::vector<Edge> next_edges_;
  std::vector<TensorMeta> input_meta_;

 private:
  uint64_t sequence_nr_;
  std::vector<std::pair<uint32_t, std::weak_ptr<TensorImpl>>> retained_;
};

// Sink of the backward graph for a leaf: adds the incoming gradient into leaf.grad().
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> leaf);
  std::string name() const override { return "AccumulateGrad"; }
  std::vector<Tensor> apply(std::vector<Tensor>&& grads) override;
  Tensor variable() const { return Tensor(leaf_); }

 private:
  std::shared_ptr<TensorImpl> leaf_;
};

// Prints the backward graph below `root`, one node per line, indented by depth.
std::string format_graph(const std::shared_ptr<Node>& root);

}  // namespace ember
