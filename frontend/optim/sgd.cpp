#include "ember/optim/sgd.h"

#include "frontend/compile/tracer.h"

#include "ember/functional.h"
#include "kernels/backend.h"
#include "ember/grad_mode.h"

namespace ember::optim {

SGD::SGD(std::vector<Tensor> params, SGDOptions o)
    : Optimizer(std::move(params)), options_(o), buffers_(params_.size()), started_(params_.size()) {
  EMBER_CHECK(o.lr() >= 0, "SGD: invalid learning rate: ", o.lr());
  EMBER_CHECK(o.momentum() >= 0, "SGD: invalid momentum value: ", o.momentum());
  EMBER_CHECK(o.weight_decay() >= 0, "SGD: invalid weight_decay value: ", o.weight_decay());
  EMBER_CHECK(!o.nesterov() || (o.momentum() > 0 && o.dampening() == 0),
              "SGD: Nesterov momentum requires a momentum and zero dampening");
}

void SGD::step() {
  NoGradGuard guard;
  if (jit::active_tracer()) return step_traced();
  bool has_momentum = options_.momentum() != 0;
  for (auto& group : groups_with_grads()) {
    // Parameters whose momentum buffer starts this step take the gradient as the buffer.
    OptimizerArgs starting, continuing;
    for (size_t k = 0; k < group.index.size(); ++k) {
      size_t i = group.index[k];
      bool first = has_momentum && !buffers_[i].defined();
      if (first) buffers_[i] = zeros_like(params_[i]);
      if (has_momentum && started_[i].defined()) {
        first = !started_[i].item<bool>();
        started_[i].fill_(true);
      }
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

void SGD::step_traced() {
  const SGDOptions& o = options_;
  bool has_momentum = o.momentum() != 0;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    Tensor d = p.grad();
    if (!d.defined()) continue;
    if (has_momentum && !buffers_[i].defined()) {
      jit::TraceScope outside(nullptr);  // optimizer state is real, created outside the trace
      buffers_[i] = zeros_like(p);
      started_[i] = zeros({}, kBool);
    }
    // Mirrors dev::sgd_update operation for operation (same rounding).
    if (o.weight_decay() != 0) d = d + p * o.weight_decay();
    if (has_momentum) {
      Tensor next = buffers_[i] * o.momentum() + d * (1 - o.dampening());
      if (started_[i].defined()) next = where(started_[i], next, d);
      buffers_[i].copy_(next);
      if (started_[i].defined()) started_[i].fill_(true);
      d = o.nesterov() ? d + next * o.momentum() : next;
    }
    p.sub_(d * o.lr());
  }
}

}  // namespace ember::optim
