#include "ember/optim/sgd.h"

#include <string>
#include <tuple>

#include "frontend/compile/tracer.h"

#include "ember/functional.h"
#include "kernels/backend.h"
#include "ember/grad_mode.h"

namespace ember::optim {

namespace {
void check(const SGDOptions& o) {
  EMBER_CHECK(o.lr() >= 0, "Invalid learning rate: ", o.lr());
  EMBER_CHECK(o.momentum() >= 0, "Invalid momentum value: ", o.momentum());
  EMBER_CHECK(o.weight_decay() >= 0, "Invalid weight_decay value: ", o.weight_decay());
  EMBER_CHECK(!o.nesterov() || (o.momentum() > 0 && o.dampening() == 0),
              "Nesterov momentum requires a momentum and zero dampening");
}
}  // namespace

SGD::SGD(const std::vector<OptimizerParamGroup>& param_groups, SGDOptions defaults)
    : Optimizer(param_groups, std::make_unique<SGDOptions>(defaults)) {
  check(defaults);
  for (auto& g : param_groups_) check(static_cast<const SGDOptions&>(g.options()));
}

const Tensor& SGD::momentum_buffer(size_t i) const {
  static const Tensor none;
  auto it = state_.find(parameters().at(i).unsafeGetTensorImpl());
  return it == state_.end() ? none : static_cast<const SGDParamState&>(*it->second).momentum_buffer();
}

Tensor SGD::step(LossClosure closure) {
  Tensor loss = begin_step(closure);
  NoGradGuard guard;
  for (size_t g = 0; g < param_groups_.size(); ++g) {
    auto& group = param_groups_[g];
    const auto& o = static_cast<const SGDOptions&>(group.options());
    if (auto* tracer = jit::active_tracer()) {
      // The trace bakes the hyperparameters in, except the lr, which a scheduler changes
      // every step: the program reads it from a host value refreshed on every call.
      tracer->guard_value(
          [this, g, traced = std::make_tuple(o.momentum(), o.dampening(), o.weight_decay(), o.nesterov())] {
            if (g >= param_groups_.size()) return false;
            const auto& now = static_cast<const SGDOptions&>(param_groups_[g].options());
            return std::make_tuple(now.momentum(), now.dampening(), now.weight_decay(), now.nesterov()) == traced;
          },
          "SGD hyperparameters of param group " + std::to_string(g));
      Tensor lr = tracer->bind_host_value([this, g] { return param_groups_.at(g).options().get_lr(); });
      step_traced(group.params(), o, lr);
      continue;
    }
    bool has_momentum = o.momentum() != 0;
    for (auto& batch : batches_with_grads(group.params())) {
      // Parameters whose momentum buffer starts this step take the gradient as the buffer.
      OptimizerArgs starting, continuing;
      for (size_t k = 0; k < batch.params.size(); ++k) {
        const Tensor& p = batch.params[k];
        Tensor buf;
        bool first = false;
        if (has_momentum) {
          auto& s = state_of<SGDParamState>(p, [] { return std::make_unique<SGDParamState>(); });
          first = !s.momentum_buffer_.defined();
          if (first) s.momentum_buffer_ = zeros_like(p);
          if (s.started.defined()) {
            first = !s.started.item<bool>();
            s.started.fill_(true);
          }
          buf = s.momentum_buffer_;
        }
        (first ? starting : continuing).tensors.push_back({p, batch.grads[k], buf});
      }
      for (auto* a : {&starting, &continuing}) {
        if (a->tensors.empty()) continue;
        a->kind = OptimizerArgs::Kind::Sgd;
        a->sgd = {o.lr(), o.momentum(), o.dampening(), o.weight_decay(), o.nesterov(), a == &starting};
        backend_for(batch.device).optimizer_step(*a);
      }
    }
    for (auto& p : group.params()) p.bump_version();
  }
  return loss;
}

void SGD::step_traced(const std::vector<Tensor>& params, const SGDOptions& o, const Tensor& lr) {
  bool has_momentum = o.momentum() != 0;
  for (const Tensor& p : params) {
    Tensor d = p.grad();
    if (!d.defined()) continue;
    // Mirrors dev::sgd_update operation for operation (same rounding).
    if (o.weight_decay() != 0) d = d + p * o.weight_decay();
    if (has_momentum) {
      auto& s = state_of<SGDParamState>(p, [&] {
        auto st = std::make_unique<SGDParamState>();
        st->momentum_buffer_ = zeros_like(p);
        st->started = zeros({}, kBool);
        return st;
      });
      if (!s.started.defined()) {
        jit::TraceScope outside(nullptr);
        s.started = ones({}, kBool);  // the buffer started in an eager step
      }
      Tensor next = s.momentum_buffer_ * o.momentum() + d * (1 - o.dampening());
      next = where(s.started, next, d);
      s.momentum_buffer_.copy_(next);
      s.started.fill_(true);
      d = o.nesterov() ? d + next * o.momentum() : next;
    }
    p.sub_(d * lr);
  }
}

}  // namespace ember::optim
