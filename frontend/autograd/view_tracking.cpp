#include "frontend/autograd/view_tracking.h"

#include <algorithm>

#include "frontend/autograd/copy_slices.h"
#include "frontend/dispatch.h"
#include "kernels/op_registry.h"
#include "ember/functional.h"
#include "ember/grad_mode.h"

namespace ember::autograd {

namespace {

std::optional<int64_t> slice_end(const Attrs& a) { return a.i("end"); }

IntList inverse(const IntList& p) {
  IntList inv(p.size());
  int64_t n = static_cast<int64_t>(p.size());
  for (size_t i = 0; i < p.size(); ++i) inv[wrap_dim(p[i], n, "permute")] = static_cast<int64_t>(i);
  return inv;
}

Tensor apply_step(const Tensor& t, const ViewSteps& s, bool for_gradient) {
  if (s.op == OpId::View && for_gradient) return t.reshape(s.attrs.ints("shape"));
  return call1(s.op, {t}, s.attrs);
}

// `t` with the region that step `s` views replaced by `inner`.
Tensor scatter_step(const Tensor& t, const ViewSteps& s, const Tensor& inner) {
  const Attrs& a = s.attrs;
  switch (s.op) {
    case OpId::Select: return select_scatter(t, inner, a.i("dim"), a.i("index"));
    case OpId::Slice: return slice_scatter(t, inner, a.i("dim"), a.i("start"), slice_end(a), a.i("step"));
    case OpId::Permute: return inner.permute(inverse(a.ints("dims")));
    case OpId::View:
    case OpId::Expand:
      EMBER_CHECK(inner.numel() == t.numel(), "CopySlices: an in-place write into an expanded "
                  "view of shape ", shape_str(inner.sizes()), " has no unique base region");
      return inner.reshape(t.sizes());
    default: EMBER_FAIL("internal: CopySlices cannot replay the view op ", op_name(s.op));
  }
}

Tensor replace_from(const Tensor& t, const std::vector<const ViewSteps*>& steps, size_t k,
                    const Tensor& value) {
  if (k == steps.size()) return value;
  Tensor inner = replace_from(apply_step(t, *steps[k], true), steps, k + 1, value);
  return scatter_step(t, *steps[k], inner);
}

}  // namespace

void record_view(const Tensor& out, const Tensor& in, OpId op, const Attrs& attrs) {
  bool grad = GradMode::is_enabled();
  if (InferenceMode::is_enabled() || !is_floating(out.dtype())) return;
  if (!grad && !in.requires_grad()) return;
  const ViewInfo* parent = in.impl().autograd ? in.impl().autograd->view ? &*in.impl().autograd->view
                                                                        : nullptr
                                              : nullptr;
  ViewInfo v;
  v.base = parent ? parent->base : in.impl_ptr();
  v.steps = std::make_shared<ViewSteps>(ViewSteps{parent ? parent->steps : nullptr, op, attrs});
  v.creation = parent && parent->creation != ViewCreation::Default ? parent->creation
               : grad ? ViewCreation::Default : ViewCreation::NoGradMode;
  v.version = out._version();
  out.impl().autograd_meta().view = std::move(v);
}

std::vector<const ViewSteps*> view_steps(const ViewSteps* last) {
  std::vector<const ViewSteps*> steps;
  for (const ViewSteps* s = last; s; s = s->parent.get()) steps.push_back(s);
  std::reverse(steps.begin(), steps.end());
  return steps;
}

Tensor apply_view_steps(const Tensor& t, const std::vector<const ViewSteps*>& steps,
                        bool for_gradient) {
  Tensor r = t;
  for (const ViewSteps* s : steps) r = apply_step(r, *s, for_gradient);
  return r;
}

Tensor replace_view_region(const Tensor& t, const std::vector<const ViewSteps*>& steps,
                           const Tensor& value) {
  return replace_from(t, steps, 0, value);
}

void rebuild_view_history(const Tensor& view) {
  auto& m = view.impl().autograd_meta();
  ViewInfo& v = *m.view;
  v.version = view._version();
  if (v.creation != ViewCreation::Default) return;
  Tensor base(v.base);
  if (!base.requires_grad()) return;
  AutoGradMode enable(true);
  Tensor replayed = apply_view_steps(base, view_steps(v.steps.get()), false);
  auto& rm = replayed.impl().autograd_meta();
  m.grad_fn = rm.grad_fn;
  m.output_nr = rm.output_nr;
}

void rebase_view_history(const Tensor& view, const std::shared_ptr<Node>& fn, bool fn_has_self) {
  const ViewInfo& v = *view.impl().autograd_meta().view;
  Tensor base(v.base);
  auto node = std::make_shared<CopySlices>(base, v.steps, fn, fn_has_self);
  set_history(base, node, 0);
  rebuild_view_history(view);
}

void check_inplace_on_view(const Tensor& view, const char* op) {
  const ViewInfo& v = *view.impl().autograd_meta().view;
  EMBER_CHECK(v.creation != ViewCreation::NoGradMode, op, "_: A view was created in no_grad mode "
              "and is being modified inplace with grad mode enabled. Given that this use case is "
              "ambiguous and error-prone, it is forbidden. You can clarify your code by moving "
              "both the view and the inplace either both inside the no_grad block (if you don't "
              "want the inplace to be tracked) or both outside (if you want the inplace to be "
              "tracked).");
  Tensor base(v.base);
  EMBER_CHECK(!(base.is_leaf() && base.requires_grad()), op, "_: a view of a leaf Variable that "
              "requires grad is being used in an in-place operation.");
}

}  // namespace ember::autograd
