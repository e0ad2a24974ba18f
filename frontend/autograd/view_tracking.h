#pragma once
// Which tensors are views of which, for autograd: in-place ops on a view rebase its
// history onto its base (CopySlices), and views of a base changed in place rebuild theirs.
#include <memory>
#include <vector>

#include "kernels/attrs.h"
#include "kernels/op_list.h"
#include "runtime/autograd/autograd_meta.h"

namespace ember {

// A linked list of the view ops from a base to a view (shared by views of views).
struct ViewSteps {
  std::shared_ptr<const ViewSteps> parent;
  OpId op;
  Attrs attrs;
};

namespace autograd {

// After a view op made `out` from `in`: remembers the base and the steps when autograd may
// need them (grad mode on, or `in` requires grad: a view made in no_grad mode).
void record_view(const Tensor& out, const Tensor& in, OpId op, const Attrs& attrs);

// The steps from the base to the view, base first.
std::vector<const ViewSteps*> view_steps(const ViewSteps* last);

// Applies the steps to `t` (of the base's shape): the view's region of t. With
// `for_gradient`, View steps reshape (gradients may have any strides).
Tensor apply_view_steps(const Tensor& t, const std::vector<const ViewSteps*>& steps,
                        bool for_gradient);

// `t` (of the base's shape) with the view's region replaced by `value`, out of place.
Tensor replace_view_region(const Tensor& t, const std::vector<const ViewSteps*>& steps,
                           const Tensor& value);

// Rebuilds the history of `view` from its base's current history (the slot runtime's
// refresh_view_if_stale calls).
void rebuild_view_history(const Tensor& view);

// An in-place op `fn` (may be null: values that need no gradient) just wrote into `view`:
// the base gets a CopySlices node wrapping fn, and the view's history is rebuilt from it.
void rebase_view_history(const Tensor& view, const std::shared_ptr<Node>& fn, bool fn_has_self);

// Refuses in-place writes that libtorch refuses on views (of leaves, made in no_grad mode).
void check_inplace_on_view(const Tensor& view, const char* op);

}  // namespace autograd
}  // namespace ember
