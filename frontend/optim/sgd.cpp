#include "frontend/optim/sgd.h"

#include "frontend/functional.h"
#include "kernels/backend.h"
#include "runtime/grad_mode.h"

namespace ember::optim {

SGD::SGD(std::vector<Tensor> params, SGDOptions o)
    : Optimizer(std::move(params)), options_(o), buffers_(params_.size()) {
  EMBER_CHECK(o.lr() >= 0, "SGD: invalid learning rate: ", o.lr());
  EMBER_CHECK(o.momentum() >= 0, "SGD: invalid momentum value: ", o.momentum());
  EMBER_CHECK(o.weight_decay() >= 0, "SGD: invalid weight_decay value: ", o.weight_decay());
  EMBER_CHECK(!o.nesterov() || (o.momentum() > 0 && o.dampening() == 0),
              "SGD: Nesterov momentum requires a momentum and zero dampening");
}

void SGD::step() {
  NoGradGuard guard;
  bool has_momentum = options_.momentum() != 0;
  for (auto& group : groups_with_grads()) {
    // Parameters whose momentum buffer starts this step take the gradient as the buffer.
    OptimizerArgs starting, continuing;
    for (size_t k = 0; k < group.index.size(); ++k) {
      size_t i = group.index[k];
      bool first = has_momentum && !buffers_[i].defined();
      if (first) buffers_[i] = zeros_like(params_[i]);
      (first ? starting : continuing).tensors.push_back({params_[i], group.grads[k], buffers_[i]});
    }
    for (auto* a : {&starting, &continuing}) {
      if (a->tensors.empty()) continue;
      a->kind = OptimizerArgs::Kind::Sgd;
      a->sgd = {options_.lr(), options_.momentum(), options_.dampening(), options_.weight_decay(),
                options_.nesterov(), a == &starting};
      backend_for(group.device).optimizer_step(*a);
    }
  }
  for (auto& p : params_) p.bump_version();
}

}  // namespace ember::optim
