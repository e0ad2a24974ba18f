#pragma once
#include <memory>
#include <string>

#include "ember/tensor.h"

namespace ember {

// A tensor kept for backward, stamped with its version: unpacking it after an in-place
// change raises the error PyTorch users know. An output of the saving node is kept without
// its history (no reference cycle) and gets it back on unpack, so create_graph can
// differentiate through formulas that use it.
class SavedVariable {
 public:
  SavedVariable() = default;
  SavedVariable(const Tensor& t, bool is_output);
  // Call after the output's history is set (the node that saves it is its grad_fn).
  void set_output_history(const std::shared_ptr<Node>& fn, uint32_t output_nr);
  Tensor unpack(const std::string& node_name) const;
  void reset() {
    data_ = Tensor();
    released_ = true;
  }
  bool defined() const { return data_.defined(); }

 private:
  Tensor data_;
  uint32_t version_ = 0;
  bool released_ = false;
  bool was_defined_ = false;
  std::weak_ptr<Node> grad_fn_;  // outputs: the node they came from
  uint32_t output_nr_ = 0;
};

}  // namespace ember
