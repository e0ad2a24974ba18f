#include "ember/nn/module.h"

#include <functional>
#include <ostream>

#include "frontend/compile/zero_grads.h"
#include "ember/grad_mode.h"

namespace ember::nn {

Tensor& Module::register_parameter(std::string name, Tensor t, bool requires_grad) {
  EMBER_CHECK(t.defined(), "register_parameter: parameter '", name, "' is undefined");
  for (const auto& [n, _] : parameters_)
    EMBER_CHECK(n != name, "register_parameter: parameter '", name, "' already exists");
  if (requires_grad && !t.requires_grad()) t.requires_grad_(true);
  parameters_.emplace_back(std::move(name), std::move(t));
  return parameters_.back().second;
}

Tensor& Module::register_buffer(std::string name, Tensor t) {
  buffers_.emplace_back(std::move(name), std::move(t));
  return buffers_.back().second;
}

void Module::collect(const std::string& prefix, bool recurse, bool params, NamedTensors& out) const {
  for (const auto& [n, t] : params ? parameters_ : buffers_) out.emplace_back(prefix + n, t);
  if (!recurse) return;
  for (const auto& [n, child] : children_) child->collect(prefix + n + ".", true, params, out);
}

NamedTensors Module::named_parameters(bool recurse) const {
  NamedTensors out;
  collect("", recurse, true, out);
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [_, t] : named_parameters(recurse)) out.push_back(t);
  return out;
}

NamedTensors Module::named_buffers(bool recurse) const {
  NamedTensors out;
  collect("", recurse, false, out);
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [_, t] : named_buffers(recurse)) out.push_back(t);
  return out;
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> out;
  for (const auto& [_, c] : children_) out.push_back(c);
  return out;
}

std::vector<std::shared_ptr<Module>> Module::modules() {
  std::vector<std::shared_ptr<Module>> out{shared_from_this()};
  for (const auto& [_, c] : children_) {
    auto sub = c->modules();
    out.insert(out.end(), sub.begin(), sub.end());
  }
  return out;
}

void Module::zero_grad(bool set_to_none) { zero_grads(parameters(), set_to_none); }

void Module::to(Device d) {
  NoGradGuard guard;
  for (auto& t : parameters()) {
    t.set_data(t.to(d));
    if (t.grad().defined()) t.mutable_grad().set_data(t.grad().to(d));
  }
  for (auto& t : buffers()) t.set_data(t.to(d));
}

void Module::to(ScalarType dt) {
  NoGradGuard guard;
  for (auto& t : parameters()) {
    if (!is_floating(t.dtype())) continue;
    t.set_data(t.to(dt));
    if (t.grad().defined()) t.mutable_grad().set_data(t.grad().to(dt));
  }
  for (auto& t : buffers())
    if (is_floating(t.dtype())) t.set_data(t.to(dt));
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [_, c] : children_) c->train(on);
}

std::ostream& operator<<(std::ostream& os, const Module& m) {
  std::function<void(const Module&, int)> print = [&](const Module& mod, int indent) {
    os << mod.describe();
    if (mod.named_children().empty()) return;
    os << "(\n";
    for (const auto& [n, c] : mod.named_children()) {
      os << std::string(indent + 2, ' ') << "(" << n << "): ";
      print(*c, indent + 2);
      os << "\n";
    }
    os << std::string(indent, ' ') << ")";
  };
  print(m, 0);
  return os;
}

}  // namespace ember::nn
