#include "ember/optim/adagrad.h"

#include "ember/functional.h"
#include "ember/grad_mode.h"

namespace ember::optim {

namespace {
void check(const AdagradOptions& o) {
  EMBER_CHECK(o.lr() >= 0, "Invalid learning rate: ", o.lr());
  EMBER_CHECK(o.lr_decay() >= 0, "Invalid lr_decay value: ", o.lr_decay());
  EMBER_CHECK(o.weight_decay() >= 0, "Invalid weight_decay value: ", o.weight_decay());
  EMBER_CHECK(o.initial_accumulator_value() >= 0, "Invalid initial_accumulator_value value: ",
              o.initial_accumulator_value());
  EMBER_CHECK(o.eps() >= 0, "Invalid epsilon value: ", o.eps());
}
}  // namespace

Adagrad::Adagrad(const std::vector<OptimizerParamGroup>& param_groups, AdagradOptions defaults)
    : Optimizer(param_groups, std::make_unique<AdagradOptions>(defaults)) {
  check(defaults);
  for (auto& group : param_groups_) {
    const auto& o = static_cast<const AdagradOptions&>(group.options());
    check(o);
    for (const Tensor& p : group.params())
      state_of<AdagradParamState>(p, [&] {
        auto s = std::make_unique<AdagradParamState>();
        s->step_count = zeros({}, kFloat64);
        s->sum_ = full_like(p, o.initial_accumulator_value());
        return s;
      });
  }
}

Tensor Adagrad::step(LossClosure closure) {
  Tensor loss = begin_step(closure);
  NoGradGuard guard;
  for (auto& group : param_groups_) {
    const auto& o = static_cast<const AdagradOptions&>(group.options());
    for (const Tensor& p : group.params()) {
      Tensor g = p.grad();
      if (!g.defined()) continue;
      auto& s = static_cast<AdagradParamState&>(*state_.at(p.unsafeGetTensorImpl()));
      // Written with ops (traced and fused under compile); the step count is a tensor.
      s.step_count.add_(1);
      if (o.weight_decay() != 0) g = g + p * o.weight_decay();
      Tensor clr = o.lr() / ((s.step_count - 1) * o.lr_decay() + 1);
      s.sum_.copy_(s.sum_ + g * g);
      Tensor std = s.sum_.sqrt() + o.eps();
      p.sub_(g / std * clr);
    }
  }
  return loss;
}

}  // namespace ember::optim
