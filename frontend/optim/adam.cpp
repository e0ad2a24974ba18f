#include "ember/optim/adam.h"

#include "frontend/compile/tracer.h"

#include <algorithm>
#include <cmath>

#include "ember/functional.h"
#include "kernels/backend.h"
#include "ember/grad_mode.h"

namespace ember::optim {

namespace {
AdamOptions from_adamw(const AdamWOptions& o) {
  return AdamOptions(o.lr()).betas(o.betas()).eps(o.eps()).weight_decay(o.weight_decay()).amsgrad(o.amsgrad());
}
}  // namespace

Adam::Adam(std::vector<Tensor> params, AdamOptions o) : Adam(std::move(params), o, false) {}

Adam::Adam(std::vector<Tensor> params, AdamOptions o, bool decoupled)
    : Optimizer(std::move(params)),
      options_(o),
      decoupled_(decoupled),
      steps_(params_.size()),
      exp_avg_(params_.size()),
      exp_avg_sq_(params_.size()),
      max_exp_avg_sq_(params_.size()) {
  auto [b1, b2] = o.betas();
  EMBER_CHECK(o.lr() >= 0, "Adam: invalid learning rate: ", o.lr());
  EMBER_CHECK(o.eps() >= 0, "Adam: invalid epsilon value: ", o.eps());
  EMBER_CHECK(b1 >= 0 && b1 < 1, "Adam: invalid beta parameter at index 0: ", b1);
  EMBER_CHECK(b2 >= 0 && b2 < 1, "Adam: invalid beta parameter at index 1: ", b2);
  EMBER_CHECK(o.weight_decay() >= 0, "Adam: invalid weight_decay value: ", o.weight_decay());
  for (auto& s : steps_) s = zeros({}, kFloat64);
}

void Adam::init_state(size_t i) {
  if (exp_avg_[i].defined()) return;
  jit::TraceScope outside(nullptr);  // optimizer state is real, created outside any trace
  exp_avg_[i] = zeros_like(params_[i]);
  exp_avg_sq_[i] = zeros_like(params_[i]);
  if (options_.amsgrad()) max_exp_avg_sq_[i] = zeros_like(params_[i]);
}

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions o)
    : Adam(std::move(params), from_adamw(o), true) {}

void Adam::step() {
  NoGradGuard guard;
  if (jit::active_tracer()) return step_traced();
  auto [b1, b2] = options_.betas();
  for (auto& group : groups_with_grads()) {
    // Parameters at the same step count share bias corrections: one launch per count.
    std::vector<std::pair<int64_t, size_t>> order;
    for (size_t k = 0; k < group.index.size(); ++k) {
      size_t i = group.index[k];
      init_state(i);
      double& count = *steps_[i].data_ptr<double>();
      count += 1;
      order.emplace_back(static_cast<int64_t>(count), k);
    }
    std::sort(order.begin(), order.end());
    for (size_t s = 0; s < order.size();) {
      int64_t step = order[s].first;
      OptimizerArgs a;
      a.kind = OptimizerArgs::Kind::Adam;
      double bc1 = 1 - std::pow(b1, static_cast<double>(step));
      double bc2 = 1 - std::pow(b2, static_cast<double>(step));
      a.adam = {options_.lr(), b1, b2, options_.eps(), options_.weight_decay(), options_.amsgrad(),
                decoupled_, options_.lr() / bc1, std::sqrt(bc2)};
      for (; s < order.size() && order[s].first == step; ++s) {
        size_t k = order[s].second, i = group.index[k];
        a.tensors.push_back({params_[i], group.grads[k], exp_avg_[i], exp_avg_sq_[i], max_exp_avg_sq_[i]});
      }
      backend_for(group.device).optimizer_step(a);
    }
  }
  for (auto& p : params_) p.bump_version();
}

void Adam::step_traced() {
  const AdamOptions& o = options_;
  auto [b1, b2] = o.betas();
  for (size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    Tensor g = p.grad();
    if (!g.defined()) continue;
    init_state(i);
    // Mirrors dev::adam_update operation for operation; the step count is a tensor so the
    // bias corrections follow it from call to call.
    steps_[i].add_(1);
    Tensor step_size = o.lr() / (1 - pow(b1, steps_[i]));
    Tensor bc2_sqrt = (1 - pow(b2, steps_[i])).sqrt();
    if (o.weight_decay() != 0) {
      if (decoupled_) p.mul_(1 - o.lr() * o.weight_decay());
      else g = g + p * o.weight_decay();
    }
    const Tensor &m = exp_avg_[i], &v = exp_avg_sq_[i];
    m.copy_(m + (g - m) * (1 - b1));
    v.copy_(v * b2 + g * g * (1 - b2));
    Tensor vv = v;
    if (o.amsgrad()) {
      max_exp_avg_sq_[i].copy_(maximum(max_exp_avg_sq_[i], v));
      vv = max_exp_avg_sq_[i];
    }
    Tensor denom = vv.sqrt() / bc2_sqrt + o.eps();
    p.sub_(step_size * (m / denom));
  }
}

}  // namespace ember::optim
