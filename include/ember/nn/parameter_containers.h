#pragma once
// nn::ParameterList and nn::ParameterDict, as libtorch's: parameters held directly (not in a
// submodule), keeping each tensor's requires_grad.
#include <string>
#include <vector>

#include "ember/nn/cloneable.h"

namespace ember::nn {

class ParameterListImpl : public Cloneable<ParameterListImpl> {
 public:
  using Iterator = OrderedDict<std::string, Tensor>::Iterator;
  using ConstIterator = OrderedDict<std::string, Tensor>::ConstIterator;

  ParameterListImpl() = default;
  template <class... Tensors>
  explicit ParameterListImpl(Tensors&&... params) {
    (append(std::forward<Tensors>(params)), ...);
  }
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;

  void append(Tensor param);
  void append(const OrderedDict<std::string, Tensor>::Item& pair) { append(pair.value()); }
  template <class Container>
  void extend(const Container& container) {
    for (const auto& p : container) append(p);
  }

  Iterator begin() { return parameters_.begin(); }
  ConstIterator begin() const { return parameters_.begin(); }
  Iterator end() { return parameters_.end(); }
  ConstIterator end() const { return parameters_.end(); }
  Tensor& at(size_t idx);
  const Tensor& at(size_t idx) const { return const_cast<ParameterListImpl*>(this)->at(idx); }
  Tensor& operator[](size_t idx) { return at(idx); }
  const Tensor& operator[](size_t idx) const { return at(idx); }
  size_t size() const noexcept { return parameters_.size(); }
  bool is_empty() const noexcept { return parameters_.is_empty(); }
};
EMBER_MODULE(ParameterList);

class ParameterDictImpl : public Cloneable<ParameterDictImpl> {
 public:
  using Iterator = OrderedDict<std::string, Tensor>::Iterator;
  using ConstIterator = OrderedDict<std::string, Tensor>::ConstIterator;

  ParameterDictImpl() = default;
  explicit ParameterDictImpl(const OrderedDict<std::string, Tensor>& params);
  void reset() override {}
  void pretty_print(std::ostream& stream) const override;

  Tensor& insert(std::string key, Tensor param);
  Tensor pop(const std::string& key);
  std::vector<std::string> keys() const { return parameters_.keys(); }
  std::vector<Tensor> values() const { return parameters_.values(); }
  Iterator begin() { return parameters_.begin(); }
  ConstIterator begin() const { return parameters_.begin(); }
  Iterator end() { return parameters_.end(); }
  ConstIterator end() const { return parameters_.end(); }
  size_t size() const noexcept { return parameters_.size(); }
  bool empty() const noexcept { return parameters_.is_empty(); }
  bool contains(const std::string& key) const { return parameters_.contains(key); }
  void clear() { parameters_.clear(); }
  void update(const ParameterDictImpl& other);
  Tensor get(const std::string& key) const { return parameters_[key]; }
  Tensor& operator[](const std::string& key) { return parameters_[key]; }
  const Tensor& operator[](const std::string& key) const { return parameters_[key]; }
};
EMBER_MODULE(ParameterDict);

}  // namespace ember::nn
