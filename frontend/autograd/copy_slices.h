#pragma once
#include <memory>
#include <vector>

#include "frontend/autograd/view_tracking.h"

namespace ember::autograd {

// libtorch's CopySlices: the history of a base after an in-place op wrote into one of its
// views. The gradient of the base passes unchanged outside the view's region; inside it, the
// in-place op's backward `fn` maps it to the gradient of the view's old value (which goes
// back into the region) and of the op's other inputs (further outputs of this node).
class CopySlices final : public Node {
 public:
  CopySlices(const Tensor& base, std::shared_ptr<const ViewSteps> steps, std::shared_ptr<Node> fn,
             bool fn_has_self);
  std::string name() const override { return "CopySlices"; }
  std::vector<Tensor> apply(std::vector<Tensor>&& grads) override;
  void release_variables() override;

 private:
  std::shared_ptr<const ViewSteps> steps_;
  std::shared_ptr<Node> fn_;
  bool fn_has_self_;
};

}  // namespace ember::autograd
