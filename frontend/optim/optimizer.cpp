#include "ember/optim/optimizer.h"

#include <unordered_set>

#include "frontend/compile/tracer.h"
#include "frontend/compile/zero_grads.h"
#include "ember/grad_mode.h"

namespace ember::optim {

std::unique_ptr<OptimizerOptions> OptimizerOptions::clone() const {
  EMBER_FAIL("clone() has not been implemented for torch::optim::OptimizerOptions. Subclass "
             "torch::optim::OptimizerCloneableOptions<YourOptimizerOptions> instead of "
             "torch::optim::OptimizerOptions to inherit the ability to clone.");
}
double OptimizerOptions::get_lr() const { EMBER_FAIL("double get_lr() has not been overridden and implemented in subclass of torch::optim::OptimizerOptions, you must override it in your subclass."); }
void OptimizerOptions::set_lr(double) { EMBER_FAIL("double set_lr() has not been overridden and implemented in subclass of torch::optim::OptimizerOptions, you must override it in your subclass."); }

std::unique_ptr<OptimizerParamState> OptimizerParamState::clone() const {
  EMBER_FAIL("clone() has not been implemented for torch::optim::OptimizerParamState. Subclass "
             "torch::optim::OptimizerCloneableParamState<YourOptimizerParamState> instead of "
             "torch::optim::OptimizerParamState to inherit the ability to clone.");
}

OptimizerParamGroup::OptimizerParamGroup(const OptimizerParamGroup& other)
    : params_(other.params_), options_(other.has_options() ? other.options().clone() : nullptr) {}

OptimizerParamGroup& OptimizerParamGroup::operator=(const OptimizerParamGroup& other) {
  params_ = other.params_;
  options_ = other.has_options() ? other.options().clone() : nullptr;
  return *this;
}

OptimizerOptions& OptimizerParamGroup::options() {
  EMBER_CHECK(has_options(), "the parameter group has no options");
  return *options_;
}
const OptimizerOptions& OptimizerParamGroup::options() const {
  EMBER_CHECK(has_options(), "the parameter group has no options");
  return *options_;
}

Optimizer::Optimizer(std::vector<OptimizerParamGroup> param_groups, std::unique_ptr<OptimizerOptions> defaults)
    : defaults_(std::move(defaults)) {
  EMBER_CHECK(!param_groups.empty(), "optimizer got an empty parameter list");
  for (const auto& g : param_groups) add_param_group(g);
}

void Optimizer::add_param_group(const OptimizerParamGroup& param_group) {
  EMBER_CHECK(!param_group.params().empty(), "optimizer got an empty parameter list");
  std::unordered_set<const void*> seen;
  for (const auto& g : param_groups_)
    for (const auto& p : g.params()) seen.insert(p.unsafeGetTensorImpl());
  for (size_t i = 0; i < param_group.params().size(); ++i) {
    const Tensor& p = param_group.params()[i];
    EMBER_CHECK(p.defined(), "optimizer: parameter ", i, " is undefined");
    EMBER_CHECK(p.is_leaf(), "can't optimize a non-leaf Tensor");
    EMBER_CHECK(is_floating(p.dtype()), "optimizer: parameter ", i, " must be floating point, got ",
                dtype_name(p.dtype()));
    EMBER_CHECK(seen.insert(p.unsafeGetTensorImpl()).second,
                "some parameters appear in more than one parameter group");
  }
  OptimizerParamGroup group(param_group.params());
  group.set_options(param_group.has_options() ? param_group.options().clone() : defaults_->clone());
  param_groups_.push_back(std::move(group));
}

void Optimizer::zero_grad(bool set_to_none) {
  for (auto& g : param_groups_) zero_grads(g.params(), set_to_none);
}

size_t Optimizer::size() const noexcept {
  size_t n = 0;
  for (const auto& g : param_groups_) n += g.params().size();
  return n;
}

Tensor Optimizer::begin_step(const LossClosure& closure) {
  Tensor loss;
  if (closure) {
    AutoGradMode enable(true);
    loss = closure();
  }
  for (const auto& group : param_groups_) {
    const std::vector<Tensor>& params = group.params();
    for (size_t i = 0; i < params.size(); ++i) {
      const Tensor& p = params[i];
      const Tensor& g = p.grad();
      if (!g.defined()) continue;
      EMBER_CHECK(p.is_contiguous(), "optimizer: parameter ", i, " is not contiguous");
      EMBER_CHECK(g.sizes() == p.sizes() && g.device() == p.device(), "optimizer: gradient of "
                  "parameter ", i, " has shape ", shape_str(g.sizes()), " on ", g.device(),
                  " but the parameter has shape ", shape_str(p.sizes()), " on ", p.device());
    }
  }
  return loss;
}

void Optimizer::leave_trace(const std::function<void()>& fn) {
  jit::TraceScope outside(nullptr);
  fn();
}

std::vector<Optimizer::DeviceBatch> Optimizer::batches_with_grads(const std::vector<Tensor>& params) {
  std::vector<DeviceBatch> batches;
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& p = params[i];
    const Tensor& g = p.grad();
    if (!g.defined()) continue;  // checked by begin_step
    DeviceBatch* batch = nullptr;
    for (auto& b : batches)
      if (b.device == p.device()) batch = &b;
    if (!batch) batch = &batches.emplace_back(DeviceBatch{p.device(), {}, {}});
    batch->params.push_back(p);
    Tensor dense = g.dtype() == p.dtype() ? g : g.to(p.dtype());
    batch->grads.push_back(dense.is_contiguous() ? dense : dense.contiguous());
  }
  return batches;
}

}  // namespace ember::optim
