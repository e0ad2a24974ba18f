#include "ember/nn/containers.h"

#include <ostream>

#include "frontend/torch_type_names.h"

namespace ember::nn {

std::shared_ptr<Module> SequentialImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<SequentialImpl>();
  for (size_t i = 0; i < modules_.size(); ++i)
    copy->push_back(named_children()[i].key(), modules_[i].clone(device));
  return copy;
}

void SequentialImpl::pretty_print(std::ostream& os) const { os << "torch::nn::Sequential"; }

std::shared_ptr<Module> ModuleListImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<ModuleListImpl>();
  for (const auto& module : modules_) copy->push_back(module->clone(device));
  return copy;
}

void ModuleListImpl::pretty_print(std::ostream& os) const { os << "torch::nn::ModuleList"; }

void ModuleListImpl::push_back(std::shared_ptr<Module> module) {
  modules_.push_back(std::move(module));
  register_module(std::to_string(modules_.size() - 1), modules_.back());
}

void ModuleListImpl::insert(size_t index, std::shared_ptr<Module> module) {
  EMBER_CHECK(index <= size(), "Index out of range");
  if (index == size()) return push_back(std::move(module));
  modules_.insert(modules_.begin() + static_cast<std::ptrdiff_t>(index), std::move(module));
  for (size_t i = index; i + 1 < size(); ++i) replace_module(std::to_string(i), modules_[i]);
  register_module(std::to_string(size() - 1), modules_.back());
}

std::shared_ptr<Module> ModuleDictImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<ModuleDictImpl>();
  for (const auto& item : modules_) copy->insert(item.key(), item.value()->clone(device));
  return copy;
}

void ModuleDictImpl::pretty_print(std::ostream& os) const { os << "torch::nn::ModuleDict"; }

void ModuleDictImpl::insert(const std::string& key, std::shared_ptr<Module> module) {
  if (modules_.contains(key)) {
    modules_[key] = module;
    replace_module(key, std::move(module));
  } else {
    modules_.insert(key, module);
    register_module(key, std::move(module));
  }
}

void ModuleDictImpl::clear() {
  modules_.clear();
  children_.clear();
}

std::shared_ptr<Module> ModuleDictImpl::pop(const std::string& key) {
  auto module = modules_[key];
  modules_.erase(key);
  children_.erase(key);
  return module;
}

namespace {
std::string sizes_str(const Tensor& t) {
  std::string out = "[";
  for (int64_t d = 0; d < t.dim(); ++d) out += (d ? ", " : "") + std::to_string(t.sizes()[d]);
  return out + "]";
}

void print_parameters(std::ostream& os, const char* what, const OrderedDict<std::string, Tensor>& params) {
  os << what << "(" << std::endl;
  for (const auto& p : params) {
    os << "(" << p.key() << ")" << ": Parameter containing: [" << torch_type_name(p.value().scalar_type())
       << " of size " << sizes_str(p.value()) << "]";
    os << std::endl;
  }
  os << ")";
}
}  // namespace

void ParameterListImpl::append(Tensor param) {
  bool requires_grad = param.requires_grad();
  register_parameter(std::to_string(parameters_.size()), std::move(param), requires_grad);
}

Tensor& ParameterListImpl::at(size_t idx) {
  EMBER_CHECK(idx < size(), "Index out of range");
  return parameters_[idx].value();
}

void ParameterListImpl::pretty_print(std::ostream& os) const {
  print_parameters(os, "torch::nn::ParameterList", parameters_);
}

ParameterDictImpl::ParameterDictImpl(const OrderedDict<std::string, Tensor>& params) {
  for (const auto& p : params) insert(p.key(), p.value());
}

Tensor& ParameterDictImpl::insert(std::string key, Tensor param) {
  bool requires_grad = param.requires_grad();
  if (Tensor* existing = parameters_.find(key)) {
    *existing = param.set_requires_grad(requires_grad);
    return *existing;
  }
  return register_parameter(std::move(key), std::move(param), requires_grad);
}

Tensor ParameterDictImpl::pop(const std::string& key) {
  Tensor v = parameters_[key];
  parameters_.erase(key);
  return v;
}

void ParameterDictImpl::update(const ParameterDictImpl& other) {
  for (const auto& p : other) insert(p.key(), p.value());
}

void ParameterDictImpl::pretty_print(std::ostream& os) const {
  print_parameters(os, "torch::nn::ParameterDict", parameters_);
}

}  // namespace ember::nn
