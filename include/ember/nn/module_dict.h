#pragma once
// nn::ModuleDict, as libtorch's: submodules by name, in insertion order.
#include <string>
#include <vector>

#include "ember/nn/cloneable.h"

namespace ember::nn {

class ModuleDictImpl : public Cloneable<ModuleDictImpl> {
 public:
  using Dict = OrderedDict<std::string, std::shared_ptr<Module>>;
  using Iterator = Dict::Iterator;
  using ConstIterator = Dict::ConstIterator;

  ModuleDictImpl() = default;
  explicit ModuleDictImpl(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules) {
    update(modules);
  }
  explicit ModuleDictImpl(const Dict& modules) { update(modules); }

  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;

  std::vector<std::pair<std::string, std::shared_ptr<Module>>> items() const { return modules_.pairs(); }
  std::vector<std::string> keys() const { return modules_.keys(); }
  std::vector<std::shared_ptr<Module>> values() const { return modules_.values(); }
  Iterator begin() { return modules_.begin(); }
  ConstIterator begin() const { return modules_.begin(); }
  Iterator end() { return modules_.end(); }
  ConstIterator end() const { return modules_.end(); }
  size_t size() const noexcept { return modules_.size(); }
  bool empty() const noexcept { return modules_.is_empty(); }
  bool contains(const std::string& key) const noexcept { return modules_.contains(key); }
  void clear();
  std::shared_ptr<Module> pop(const std::string& key);

  template <class Container>
  void update(const Container& container) {
    for (const auto& item : container) insert(key_of(item), value_of(item));
  }
  void insert(const std::string& key, std::shared_ptr<Module> module);
  template <class M>
  void insert(const std::string& key, const ModuleHolder<M>& holder) {
    insert(key, std::shared_ptr<Module>(holder.ptr()));
  }

  std::shared_ptr<Module> operator[](const std::string& key) const { return modules_[key]; }
  template <class T>
  T& at(const std::string& key) {
    auto* module = modules_[key]->as<T>();
    EMBER_CHECK(module, "Unable to cast module[", key, "] to ", detail::demangle(typeid(T).name()));
    return *module;
  }

 private:
  static const std::string& key_of(const std::pair<std::string, std::shared_ptr<Module>>& p) { return p.first; }
  static const std::string& key_of(const Dict::Item& i) { return i.key(); }
  static const std::shared_ptr<Module>& value_of(const std::pair<std::string, std::shared_ptr<Module>>& p) {
    return p.second;
  }
  static const std::shared_ptr<Module>& value_of(const Dict::Item& i) { return i.value(); }

  Dict modules_{"Module"};
};
EMBER_MODULE(ModuleDict);

}  // namespace ember::nn
