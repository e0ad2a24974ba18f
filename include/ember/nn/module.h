#pragma once
// nn::Module and the holder type that makes `model->forward(x)` read as in libtorch.
#include <deque>
#include <iosfwd>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/tensor.h"

namespace ember::nn {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Module : public std::enable_shared_from_this<Module> {
 public:
  explicit Module(std::string name = "") : name_(std::move(name)) {}
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // Registered tensors are shared handles: the returned Tensor is the stored one.
  Tensor& register_parameter(std::string name, Tensor t, bool requires_grad = true);
  Tensor& register_buffer(std::string name, Tensor t);
  template <class M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> m) {
    children_.emplace_back(std::move(name), m);
    return m;
  }
  template <class Holder, class = typename Holder::ImplType>
  Holder register_module(std::string name, Holder h) {
    register_module(std::move(name), h.ptr());
    return h;
  }

  std::vector<Tensor> parameters(bool recurse = true) const;
  NamedTensors named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  NamedTensors named_buffers(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const {
    return children_;
  }
  std::vector<std::shared_ptr<Module>> modules();  // this module first, then descendants

  // Gradients are reset to undefined (libtorch 2.x default) or zeroed in place.
  void zero_grad(bool set_to_none = true);
  // Moves or casts every parameter and buffer in place (same tensor identities).
  void to(Device d);
  void to(ScalarType t);
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  virtual std::string name() const { return name_.empty() ? "Module" : name_; }
  // One line describing this module's own configuration, e.g. "Linear(in_features=...)".
  virtual std::string describe() const { return name(); }

 private:
  void collect(const std::string& prefix, bool recurse, bool params, NamedTensors& out) const;

  std::string name_;
  std::deque<std::pair<std::string, Tensor>> parameters_, buffers_;  // stable references
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

std::ostream& operator<<(std::ostream& os, const Module& m);

// Shared-pointer holder: `Linear fc(10, 5); fc->forward(x);` like libtorch's ModuleHolder.
template <class Impl>
class ModuleHolder {
 public:
  using ImplType = Impl;
  // Constructs a new Impl from the arguments (but never hijacks copying a holder).
  template <class... Args,
            class = std::enable_if_t<!(sizeof...(Args) == 1 &&
                                       (std::is_base_of_v<ModuleHolder, std::decay_t<Args>> && ...))>>
  explicit ModuleHolder(Args&&... args) : impl_(std::make_shared<Impl>(std::forward<Args>(args)...)) {}
  ModuleHolder(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  ModuleHolder(std::nullptr_t) {}

  Impl* operator->() const { return impl_.get(); }
  Impl& operator*() const { return *impl_; }
  const std::shared_ptr<Impl>& ptr() const { return impl_; }
  explicit operator bool() const { return impl_ != nullptr; }
  template <class... Args>
  auto operator()(Args&&... args) const {
    return impl_->forward(std::forward<Args>(args)...);
  }

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace ember::nn

// Declares `Name` as the holder of `NameImpl`, as libtorch's TORCH_MODULE.
#define EMBER_MODULE(Name)                                    \
  class Name : public ::ember::nn::ModuleHolder<Name##Impl> { \
   public:                                                    \
    using ::ember::nn::ModuleHolder<Name##Impl>::ModuleHolder; \
  }
