#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "ember/autograd/node.h"

namespace ember {

// How a view came to be: libtorch's CreationMeta. In-place ops on a view made in no_grad
// mode are refused once grad mode is back on, because their meaning is ambiguous.
enum class ViewCreation : uint8_t { Default, NoGradMode, InferenceMode };

// The view ops that lead from the base to a view (replayed to rebuild the view's history
// after an in-place op changed the base, and to find the view's region in a gradient of the
// base). Defined by the frontend, which has the ops: frontend/autograd/view_tracking.h.
struct ViewSteps;

struct ViewInfo {
  std::shared_ptr<TensorImpl> base;         // the root: never itself a view
  std::shared_ptr<const ViewSteps> steps;   // base -> this view
  ViewCreation creation = ViewCreation::Default;
  uint32_t version = 0;  // the shared version when the view's history was last built
};

struct AutogradMeta {
  bool requires_grad = false;
  bool retains_grad = false;
  bool is_inference = false;                // created in InferenceMode
  Tensor grad;
  std::shared_ptr<Node> grad_fn;            // null for leaves
  std::weak_ptr<Node> grad_accumulator;     // leaves only, created on demand
  uint32_t output_nr = 0;
  std::optional<ViewInfo> view;             // set for views ember tracks for autograd
  std::vector<GradHook> hooks;              // leaves: register_hook (non-leaves keep them on grad_fn)
};

// The edge through which a gradient for `t` enters the backward graph: its grad_fn, or
// (for a leaf that requires grad) its AccumulateGrad node. Invalid when t needs no grad.
Edge gradient_edge(const Tensor& t);

// Makes `fn` (output slot `nr`) the history of `t`.
void set_history(const Tensor& t, const std::shared_ptr<Node>& fn, uint32_t nr);

// Rebuilds a view's history when its base changed in place since it was built. The runtime
// owns the slot, the frontend (which has the view ops) fills it on its first in-place op.
using ViewRefresher = void (*)(const Tensor& view);
void set_view_refresher(ViewRefresher f);
void refresh_view_if_stale(const Tensor& t);

}  // namespace ember
