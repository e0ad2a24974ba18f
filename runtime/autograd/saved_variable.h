#pragma once
#include <string>

#include "runtime/tensor.h"

namespace ember {

// A tensor kept for backward, stamped with its version: unpacking it after an in-place
// change raises the error PyTorch users know. Outputs of the saving node are kept without
// their history (no reference cycle).
class SavedVariable {
 public:
  SavedVariable() = default;
  SavedVariable(const Tensor& t, bool is_output);
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
};

}  // namespace ember
