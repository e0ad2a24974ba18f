#pragma once
#include <string>
#include <vector>

#include "frontend/autograd/derivatives.h"
#include "ember/autograd/saved_variable.h"

namespace ember::autograd {

// The backward node of one recorded op call: saved tensors, attributes and the op's
// derivative formula.
class OpNode final : public Node {
 public:
  OpNode(OpId op, const Derivative& d, Attrs attrs, const std::vector<Tensor>& inputs);
  std::string name() const override { return name_; }
  void set_name(const char* name) { name_ = name; }  // a string literal or table entry
  std::vector<Tensor> apply(std::vector<Tensor>&& grads) override;
  void release_variables() override;
  void save_outputs(const std::vector<Tensor>& outputs);
  // In-place ops overwrite input 0: the node keeps this copy of its old value instead.
  void replace_saved_input(size_t i, const Tensor& value) { saved_in_[i] = SavedVariable(value, false); }
  bool saves_input(size_t i) const { return (d_.saves_inputs >> i) & 1u; }
  OpId op() const { return op_; }
  const Attrs& attrs() const { return attrs_; }

 private:
  OpId op_;
  const char* name_;
  const Derivative& d_;
  Attrs attrs_;
  std::vector<SavedVariable> saved_in_, saved_out_;
  std::vector<TensorMeta> in_meta_;
  std::vector<bool> needs_;
};

}  // namespace ember::autograd
