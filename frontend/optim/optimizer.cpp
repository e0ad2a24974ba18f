#include "ember/optim/optimizer.h"

#include "frontend/compile/zero_grads.h"
#include "ember/grad_mode.h"

namespace ember::optim {

Optimizer::Optimizer(std::vector<Tensor> params) : params_(std::move(params)) {
  EMBER_CHECK(!params_.empty(), "optimizer got an empty parameter list");
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    EMBER_CHECK(p.defined(), "optimizer: parameter ", i, " is undefined");
    EMBER_CHECK(p.is_leaf(), "optimizer: can't optimize a non-leaf Tensor (parameter ", i, ")");
    EMBER_CHECK(is_floating(p.dtype()), "optimizer: parameter ", i,
                " must be floating point, got ", dtype_name(p.dtype()));
  }
}

void Optimizer::zero_grad(bool set_to_none) { zero_grads(params_, set_to_none); }

std::vector<Optimizer::Group> Optimizer::groups_with_grads() const {
  std::vector<Group> groups;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    const Tensor& g = p.grad();
    if (!g.defined()) continue;
    EMBER_CHECK(p.is_contiguous(), "optimizer: parameter ", i, " is not contiguous");
    EMBER_CHECK(g.sizes() == p.sizes() && g.device() == p.device(), "optimizer: gradient of "
                "parameter ", i, " has shape ", shape_str(g.sizes()), " on ", g.device(),
                " but the parameter has shape ", shape_str(p.sizes()), " on ", p.device());
    Group* grp = nullptr;
    for (auto& gr : groups)
      if (gr.device == p.device()) grp = &gr;
    if (!grp) {
      groups.push_back({p.device(), {}, {}});
      grp = &groups.back();
    }
    grp->index.push_back(i);
    Tensor dense = g.dtype() == p.dtype() ? g : g.to(p.dtype());
    grp->grads.push_back(dense.is_contiguous() ? dense : dense.contiguous());
  }
  return groups;
}

}  // namespace ember::optim
