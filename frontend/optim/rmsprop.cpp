#include "ember/optim/rmsprop.h"

#include "ember/functional.h"
#include "ember/grad_mode.h"

namespace ember::optim {

namespace {
void check(const RMSpropOptions& o) {
  EMBER_CHECK(o.lr() >= 0, "Invalid learning rate: ", o.lr());
  EMBER_CHECK(o.eps() >= 0, "Invalid epsilon value: ", o.eps());
  EMBER_CHECK(o.momentum() >= 0, "Invalid momentum value: ", o.momentum());
  EMBER_CHECK(o.weight_decay() >= 0, "Invalid weight_decay value: ", o.weight_decay());
  EMBER_CHECK(o.alpha() >= 0, "Invalid alpha value: ", o.alpha());
}
}  // namespace

RMSprop::RMSprop(const std::vector<OptimizerParamGroup>& param_groups, RMSpropOptions defaults)
    : Optimizer(param_groups, std::make_unique<RMSpropOptions>(defaults)) {
  check(defaults);
  for (auto& group : param_groups_) check(static_cast<const RMSpropOptions&>(group.options()));
}

Tensor RMSprop::step(LossClosure closure) {
  Tensor loss = begin_step(closure);
  NoGradGuard guard;
  for (auto& group : param_groups_) {
    const auto& o = static_cast<const RMSpropOptions&>(group.options());
    for (const Tensor& p : group.params()) {
      Tensor g = p.grad();
      if (!g.defined()) continue;
      auto& s = state_of<RMSpropParamState>(p, [&] {
        auto st = std::make_unique<RMSpropParamState>();
        st->step_count = zeros({}, kFloat64);
        st->square_avg_ = zeros_like(p);
        if (o.momentum() > 0) st->momentum_buffer_ = zeros_like(p);
        if (o.centered()) st->grad_avg_ = zeros_like(p);
        return st;
      });
      // Written with ops (traced and fused under compile).
      s.step_count.add_(1);
      if (o.weight_decay() != 0) g = g + p * o.weight_decay();
      s.square_avg_.copy_(s.square_avg_ * o.alpha() + g * g * (1 - o.alpha()));
      Tensor avg;
      if (o.centered()) {
        s.grad_avg_.copy_(s.grad_avg_ * o.alpha() + g * (1 - o.alpha()));
        avg = (s.square_avg_ - s.grad_avg_ * s.grad_avg_).sqrt() + o.eps();
      } else {
        avg = s.square_avg_.sqrt() + o.eps();
      }
      if (o.momentum() > 0) {
        s.momentum_buffer_.copy_(s.momentum_buffer_ * o.momentum() + g / avg);
        p.sub_(s.momentum_buffer_ * o.lr());
      } else {
        p.sub_(g / avg * o.lr());
      }
    }
  }
  return loss;
}

}  // namespace ember::optim
