#include "ember/nn/module.h"

#include <cxxabi.h>

#include <cstdlib>
#include <ostream>

#include "frontend/compile/zero_grads.h"
#include "ember/grad_mode.h"

namespace ember::nn {

namespace {
std::string join_name(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

std::string demangled_class_name(const Module& m) {
  std::string name = detail::demangle(typeid(m).name());
  // ember's own modules answer with the names libtorch code expects.
  const std::string ours = "ember::nn::";
  if (name.compare(0, ours.size(), ours) == 0) name = "torch::nn::" + name.substr(ours.size());
  return name;
}
}  // namespace

namespace detail {
std::string demangle(const char* mangled) {
  int status = 0;
  char* out = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string name = status == 0 && out ? out : mangled;
  std::free(out);
  return name;
}
}  // namespace detail

Module::Module(std::string name) : name_(std::move(name)) {}
Module::Module() = default;

const std::string& Module::name() const noexcept {
  if (!name_) name_ = demangled_class_name(*this);
  return *name_;
}

std::shared_ptr<Module> Module::clone(const std::optional<Device>&) const {
  EMBER_FAIL("clone() has not been implemented for ", name(), ". Subclass torch::nn::Cloneable<",
             name(), "> instead of torch::nn::Module to inherit the ability to clone.");
}

void Module::clone_(Module&, const std::optional<Device>&) {
  EMBER_FAIL("clone() has not been implemented for ", name(), ". Subclass torch::nn::Cloneable<",
             name(), "> instead of torch::nn::Module to inherit the ability to clone.");
}

void Module::check_name(const char* what, const std::string& name) {
  EMBER_CHECK(!name.empty(), what, " name must not be empty");
  EMBER_CHECK(name.find('.') == std::string::npos, what, " name must not contain a dot (got '", name, "')");
}

Tensor& Module::register_parameter(std::string name, Tensor tensor, bool requires_grad) {
  check_name("Parameter", name);
  if (tensor.defined()) tensor.set_requires_grad(requires_grad);
  return parameters_.insert(std::move(name), std::move(tensor));
}

Tensor& Module::register_buffer(std::string name, Tensor tensor) {
  check_name("Buffer", name);
  return buffers_.insert(std::move(name), std::move(tensor));
}

void Module::unregister_module(const std::string& name) {
  EMBER_CHECK(children_.contains(name), "No Module with name `", name, "` is registered");
  children_.erase(name);
}

void Module::apply_to_submodules(const NamedModulePointerApplyFunction& function,
                                 const std::string& name_prefix) const {
  for (const auto& child : children_) {
    std::string qualified = join_name(name_prefix, child.key());
    function(qualified, child.value());
    child.value()->apply_to_submodules(function, qualified);
  }
}

std::shared_ptr<Module> Module::shared_from_this_checked() const {
  std::shared_ptr<const Module> ptr;
  try {
    ptr = shared_from_this();
  } catch (const std::bad_weak_ptr&) {
    EMBER_FAIL("It looks like you attempted to retrieve your top-level module as a shared_ptr, but "
               "it is not stored in a shared_ptr. Use std::make_shared<", name(), "> instead of "
               "creating your module on the stack, or alternatively do not try to access your "
               "top-level module at all by passing /*include_self=*/false to modules() or "
               "named_modules()");
  }
  return std::const_pointer_cast<Module>(ptr);
}

void Module::apply(const ModuleApplyFunction& function) {
  function(*this);
  apply_to_submodules([&](const std::string&, const std::shared_ptr<Module>& m) { function(*m); }, "");
}
void Module::apply(const ConstModuleApplyFunction& function) const {
  function(*this);
  apply_to_submodules([&](const std::string&, const std::shared_ptr<Module>& m) { function(*m); }, "");
}
void Module::apply(const NamedModuleApplyFunction& function, const std::string& name_prefix) {
  function(name_prefix, *this);
  apply_to_submodules([&](const std::string& n, const std::shared_ptr<Module>& m) { function(n, *m); },
                      name_prefix);
}
void Module::apply(const ConstNamedModuleApplyFunction& function, const std::string& name_prefix) const {
  function(name_prefix, *this);
  apply_to_submodules([&](const std::string& n, const std::shared_ptr<Module>& m) { function(n, *m); },
                      name_prefix);
}
void Module::apply(const ModulePointerApplyFunction& function) const {
  function(shared_from_this_checked());
  apply_to_submodules([&](const std::string&, const std::shared_ptr<Module>& m) { function(m); }, "");
}
void Module::apply(const NamedModulePointerApplyFunction& function, const std::string& name_prefix) const {
  function(name_prefix, shared_from_this_checked());
  apply_to_submodules(function, name_prefix);
}

OrderedDict<std::string, Tensor> Module::named_parameters(bool recurse) const {
  OrderedDict<std::string, Tensor> out;
  if (!recurse) {
    for (const auto& p : parameters_)
      if (p.value().defined()) out.insert(p.key(), p.value());
    return out;
  }
  apply([&](const std::string& prefix, const Module& m) {
    for (const auto& p : m.named_parameters(false)) out.insert(join_name(prefix, p.key()), p.value());
  });
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const { return named_parameters(recurse).values(); }

OrderedDict<std::string, Tensor> Module::named_buffers(bool recurse) const {
  OrderedDict<std::string, Tensor> out;
  if (!recurse) {
    for (const auto& b : buffers_)
      if (b.value().defined()) out.insert(b.key(), b.value());
    return out;
  }
  apply([&](const std::string& prefix, const Module& m) {
    for (const auto& b : m.named_buffers(false)) out.insert(join_name(prefix, b.key()), b.value());
  });
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) const { return named_buffers(recurse).values(); }

std::vector<std::shared_ptr<Module>> Module::modules(bool include_self) const {
  std::vector<std::shared_ptr<Module>> out;
  if (include_self) {
    apply([&](const std::shared_ptr<Module>& m) { out.push_back(m); });
  } else {
    apply_to_submodules([&](const std::string&, const std::shared_ptr<Module>& m) { out.push_back(m); }, "");
  }
  return out;
}

OrderedDict<std::string, std::shared_ptr<Module>> Module::named_modules(const std::string& name_prefix,
                                                                        bool include_self) const {
  OrderedDict<std::string, std::shared_ptr<Module>> out;
  if (include_self) {
    apply([&](const std::string& n, const std::shared_ptr<Module>& m) { out.insert(n, m); }, name_prefix);
  } else {
    apply_to_submodules([&](const std::string& n, const std::shared_ptr<Module>& m) { out.insert(n, m); },
                        name_prefix);
  }
  return out;
}

std::vector<std::shared_ptr<Module>> Module::children() const { return children_.values(); }

void Module::zero_grad(bool set_to_none) { zero_grads(parameters(), set_to_none); }

void Module::to(Device device, ScalarType dtype, bool) {
  NoGradGuard guard;
  auto move = [&](const Tensor& t) {
    bool cast = is_floating(t.dtype());
    t.set_data(cast ? t.to(device, dtype) : t.to(device));
    if (t.grad().defined())
      t.mutable_grad().set_data(cast ? t.grad().to(device, dtype) : t.grad().to(device));
  };
  for (auto& t : parameters()) move(t);
  for (auto& t : buffers()) move(t);
}

void Module::to(ScalarType dtype, bool) {
  NoGradGuard guard;
  auto cast = [&](const Tensor& t) {
    if (!is_floating(t.dtype())) return;
    t.set_data(t.to(dtype));
    if (t.grad().defined()) t.mutable_grad().set_data(t.grad().to(dtype));
  };
  for (auto& t : parameters()) cast(t);
  for (auto& t : buffers()) cast(t);
}

void Module::to(Device device, bool) {
  NoGradGuard guard;
  auto move = [&](const Tensor& t) {
    t.set_data(t.to(device));
    if (t.grad().defined()) t.mutable_grad().set_data(t.grad().to(device));
  };
  for (auto& t : parameters()) move(t);
  for (auto& t : buffers()) move(t);
}

void Module::train(bool on) {
  for (auto& child : children_) child.value()->train(on);
  is_training_ = on;
}

void Module::pretty_print(std::ostream& stream) const { stream << name(); }

void Module::pretty_print_recursive(std::ostream& stream, const std::string& indentation) const {
  pretty_print(stream);
  if (children_.is_empty()) return;
  stream << "(\n";
  const std::string next = indentation + "  ";
  for (const auto& child : children_) {
    stream << next << "(" << child.key() << "): ";
    child.value()->pretty_print_recursive(stream, next);
    stream << '\n';
  }
  stream << indentation << ")";
}

std::ostream& operator<<(std::ostream& stream, const Module& module) {
  module.pretty_print_recursive(stream, "");
  return stream;
}

}  // namespace ember::nn
