#include "frontend/autograd/op_node.h"

#include <array>

#include "frontend/autograd/backward_names.h"
#include "kernels/op_registry.h"
#include "runtime/autograd/autograd_meta.h"

namespace ember::autograd {

namespace {
std::array<Derivative, static_cast<size_t>(OpId::NumOps)>& table() {
  static std::array<Derivative, static_cast<size_t>(OpId::NumOps)> t{};
  return t;
}

// Registration is called, not left to static initialisers, which a static link may drop.
std::array<Derivative, static_cast<size_t>(OpId::NumOps)>& registered() {
  // A function-local static, not std::call_once (see registered() in kernels/op_registry.cpp).
  static const bool registered_once = [] {
    register_pointwise_derivatives();
    register_structured_derivatives();
    register_conv_derivatives();
    return true;
  }();
  (void)registered_once;
  return table();
}
}  // namespace

const Derivative* derivative_for(OpId op) {
  const Derivative& d = registered()[static_cast<size_t>(op)];
  return d.formula ? &d : nullptr;
}

void register_derivative(OpId op, Derivative d) { table()[static_cast<size_t>(op)] = d; }

OpNode::OpNode(OpId op, const Derivative& d, Attrs attrs, const std::vector<Tensor>& inputs)
    : op_(op), name_(backward_name(op, attrs, inputs)), d_(d), attrs_(std::move(attrs)) {
  saved_in_.resize(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    in_meta_.push_back(TensorMeta::of(t));
    bool needs = t.requires_grad();
    needs_.push_back(needs);
    add_next_edge(needs ? gradient_edge(t) : Edge{});
    if (d.saves_inputs & (1u << i)) saved_in_[i] = SavedVariable(t, false);
  }
}

void OpNode::save_outputs(const std::vector<Tensor>& outputs) {
  for (const auto& t : outputs) add_input_meta(TensorMeta::of(t));
  if (!d_.saves_outputs) return;
  for (size_t i = 0; i < outputs.size(); ++i) {
    saved_out_.emplace_back(outputs[i], true);
    if (is_floating(outputs[i].dtype()))
      saved_out_.back().set_output_history(shared_from_this(), static_cast<uint32_t>(i));
  }
}

std::vector<Tensor> OpNode::apply(std::vector<Tensor>&& grads) {
  std::string n = name_;
  std::vector<Tensor> in, out;
  for (auto& s : saved_in_) in.push_back(s.unpack(n));
  for (auto& s : saved_out_) out.push_back(s.unpack(n));
  for (size_t i = 0; i < grads.size(); ++i)
    if (!grads[i].defined()) grads[i] = zeros_of(input_meta(i));
  GradContext ctx{in, out, attrs_, in_meta_, needs_};
  std::vector<Tensor> result = d_.formula(ctx, grads);
  result.resize(in_meta_.size());
  for (size_t i = 0; i < result.size(); ++i)
    if (!needs_[i]) result[i] = Tensor();
  return result;
}

void OpNode::release_variables() {
  for (auto& s : saved_in_)
    if (s.defined()) s.reset();
  for (auto& s : saved_out_)
    if (s.defined()) s.reset();
}

}  // namespace ember::autograd
