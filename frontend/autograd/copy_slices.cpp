#include "frontend/autograd/copy_slices.h"

#include "frontend/autograd/derivatives.h"
#include "ember/functional.h"

namespace ember::autograd {

CopySlices::CopySlices(const Tensor& base, std::shared_ptr<const ViewSteps> steps,
                       std::shared_ptr<Node> fn, bool fn_has_self)
    : steps_(std::move(steps)), fn_(std::move(fn)), fn_has_self_(fn_has_self) {
  add_input_meta(TensorMeta::of(base));
  add_next_edge(gradient_edge(base));
  if (fn_)
    for (size_t i = fn_has_self_ ? 1 : 0; i < fn_->num_outputs(); ++i) add_next_edge(fn_->next_edge(i));
}

std::vector<Tensor> CopySlices::apply(std::vector<Tensor>&& grads) {
  Tensor g = grads[0].defined() ? grads[0] : zeros_of(input_meta(0));
  auto steps = view_steps(steps_.get());
  Tensor region = apply_view_steps(g, steps, true);
  std::vector<Tensor> out(num_outputs());
  Tensor self_grad;
  if (fn_) {
    std::vector<Tensor> r = fn_->apply({region});
    EMBER_CHECK(r.size() == fn_->num_outputs(), "CopySlices: ", fn_->name(), " returned ",
                r.size(), " gradients but expected ", fn_->num_outputs());
    size_t first = fn_has_self_ ? 1 : 0;
    if (fn_has_self_) self_grad = r[0];
    for (size_t i = first; i < r.size(); ++i) out[1 + i - first] = r[i];
  }
  if (self_grad.defined() && self_grad.sizes() != region.sizes())
    self_grad = self_grad.sum_to_size(region.sizes());
  if (!self_grad.defined()) self_grad = zeros(region.sizes(), region.options());
  out[0] = replace_view_region(g, steps, self_grad.to(g.dtype()));
  return out;
}

void CopySlices::release_variables() {
  if (fn_) fn_->release_variables();
}

}  // namespace ember::autograd
