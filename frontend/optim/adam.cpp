#include "ember/optim/adam.h"

#include "frontend/compile/tracer.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>

#include "ember/functional.h"
#include "kernels/backend.h"
#include "ember/grad_mode.h"

namespace ember::optim {

namespace {
template <class O>
void check(const O& o) {
  auto [b1, b2] = o.betas();
  EMBER_CHECK(o.lr() >= 0, "Invalid learning rate: ", o.lr());
  EMBER_CHECK(o.eps() >= 0, "Invalid epsilon value: ", o.eps());
  EMBER_CHECK(b1 >= 0 && b1 < 1, "Invalid beta parameter at index 0: ", b1);
  EMBER_CHECK(b2 >= 0 && b2 < 1, "Invalid beta parameter at index 1: ", b2);
  EMBER_CHECK(o.weight_decay() >= 0, "Invalid weight_decay value: ", o.weight_decay());
}

template <class O>
void check_groups(const O& defaults, const std::vector<OptimizerParamGroup>& groups) {
  check(defaults);
  for (const auto& g : groups) check(static_cast<const O&>(g.options()));
}
}  // namespace

Adam::Adam(const std::vector<OptimizerParamGroup>& param_groups, AdamOptions defaults)
    : Adam(param_groups, std::make_unique<AdamOptions>(defaults), false) {
  check_groups(defaults, param_groups_);
}

Adam::Adam(std::vector<OptimizerParamGroup> param_groups, std::unique_ptr<OptimizerOptions> defaults, bool decoupled)
    : Optimizer(std::move(param_groups), std::move(defaults)), decoupled_(decoupled) {}

AdamW::AdamW(const std::vector<OptimizerParamGroup>& param_groups, AdamWOptions defaults)
    : Adam(param_groups, std::make_unique<AdamWOptions>(defaults), true) {
  check_groups(defaults, param_groups_);
}

Adam::Hyper Adam::hyper(const OptimizerOptions& o) const {
  auto get = [](const auto& x) {
    auto [b1, b2] = x.betas();
    return Hyper{x.lr(), b1, b2, x.eps(), x.weight_decay(), x.amsgrad()};
  };
  return decoupled_ ? get(static_cast<const AdamWOptions&>(o)) : get(static_cast<const AdamOptions&>(o));
}

const AdamParamState* Adam::find_state(size_t i) const {
  auto it = state_.find(parameters().at(i).unsafeGetTensorImpl());
  return it == state_.end() ? nullptr : static_cast<const AdamParamState*>(it->second.get());
}

int64_t Adam::step_count(size_t i) const {
  const AdamParamState* s = find_state(i);
  return s ? s->step() : 0;
}
const Tensor& Adam::exp_avg(size_t i) const {
  static const Tensor none;
  const AdamParamState* s = find_state(i);
  return s ? s->exp_avg_ : none;
}
const Tensor& Adam::exp_avg_sq(size_t i) const {
  static const Tensor none;
  const AdamParamState* s = find_state(i);
  return s ? s->exp_avg_sq_ : none;
}

AdamParamState& Adam::state_for(const Tensor& p, bool amsgrad) {
  return state_of<AdamParamState>(p, [&] {
    auto s = std::make_unique<AdamParamState>();
    s->step_count = zeros({}, kFloat64);
    s->exp_avg_ = zeros_like(p);
    s->exp_avg_sq_ = zeros_like(p);
    if (amsgrad) s->max_exp_avg_sq_ = zeros_like(p);
    return s;
  });
}

Tensor Adam::step(LossClosure closure) {
  Tensor loss = begin_step(closure);
  NoGradGuard guard;
  for (size_t g = 0; g < param_groups_.size(); ++g) {
    auto& group = param_groups_[g];
    Hyper h = hyper(group.options());
    if (auto* tracer = jit::active_tracer()) {
      // The trace bakes the hyperparameters in, except the lr, which a scheduler changes
      // every step: the program reads it from a host value refreshed on every call.
      auto key = [](const Hyper& x) { return std::make_tuple(x.b1, x.b2, x.eps, x.weight_decay, x.amsgrad); };
      tracer->guard_value(
          [this, g, key, traced = key(h)] {
            return g < param_groups_.size() && key(hyper(param_groups_[g].options())) == traced;
          },
          "Adam hyperparameters of param group " + std::to_string(g));
      Tensor lr = tracer->bind_host_value([this, g] { return param_groups_.at(g).options().get_lr(); });
      step_traced(group.params(), h, lr);
      continue;
    }
    for (auto& batch : batches_with_grads(group.params())) {
      // Parameters at the same step count share bias corrections: one launch per count.
      std::vector<std::pair<int64_t, size_t>> order;
      std::vector<AdamParamState*> states;
      for (size_t k = 0; k < batch.params.size(); ++k) {
        AdamParamState& s = state_for(batch.params[k], h.amsgrad);
        if (h.amsgrad && !s.max_exp_avg_sq_.defined()) s.max_exp_avg_sq_ = zeros_like(batch.params[k]);
        double& count = *s.step_count.data_ptr<double>();
        count += 1;
        order.emplace_back(static_cast<int64_t>(count), k);
        states.push_back(&s);
      }
      std::sort(order.begin(), order.end());
      for (size_t i = 0; i < order.size();) {
        int64_t step = order[i].first;
        OptimizerArgs a;
        a.kind = OptimizerArgs::Kind::Adam;
        double bc1 = 1 - std::pow(h.b1, static_cast<double>(step));
        double bc2 = 1 - std::pow(h.b2, static_cast<double>(step));
        a.adam = {h.lr, h.b1, h.b2, h.eps, h.weight_decay, h.amsgrad, decoupled_, h.lr / bc1, std::sqrt(bc2)};
        for (; i < order.size() && order[i].first == step; ++i) {
          size_t k = order[i].second;
          AdamParamState& s = *states[k];
          a.tensors.push_back({batch.params[k], batch.grads[k], s.exp_avg_, s.exp_avg_sq_,
                               h.amsgrad ? s.max_exp_avg_sq_ : Tensor()});
        }
        backend_for(batch.device).optimizer_step(a);
      }
    }
    for (auto& p : group.params()) p.bump_version();
  }
  return loss;
}

void Adam::step_traced(const std::vector<Tensor>& params, const Hyper& h, const Tensor& lr) {
  for (const Tensor& p : params) {
    Tensor g = p.grad();
    if (!g.defined()) continue;
    AdamParamState& s = state_for(p, h.amsgrad);
    // Mirrors dev::adam_update operation for operation; the step count is a tensor so the
    // bias corrections follow it from call to call.
    s.step_count.add_(1);
    Tensor step_size = lr / (1 - pow(h.b1, s.step_count));
    Tensor bc2_sqrt = (1 - pow(h.b2, s.step_count)).sqrt();
    if (h.weight_decay != 0) {
      if (decoupled_) p.mul_(1 - lr * h.weight_decay);
      else g = g + p * h.weight_decay;
    }
    const Tensor &m = s.exp_avg_, &v = s.exp_avg_sq_;
    m.copy_(m + (g - m) * (1 - h.b1));
    v.copy_(v * h.b2 + g * g * (1 - h.b2));
    Tensor vv = v;
    if (h.amsgrad) {
      s.max_exp_avg_sq_.copy_(maximum(s.max_exp_avg_sq_, v));
      vv = s.max_exp_avg_sq_;
    }
    Tensor denom = vv.sqrt() / bc2_sqrt + h.eps;
    p.sub_(step_size * (m / denom));
  }
}

}  // namespace ember::optim
