#pragma once
// nn::Cloneable<Derived>, as libtorch's: a module whose reset() (re)creates its parameters,
// buffers and submodules can be deep-copied with clone().
#include <memory>
#include <optional>

#include "ember/grad_mode.h"
#include "ember/nn/module.h"

namespace ember::nn {

template <class Derived>
class Cloneable : public Module {
 public:
  using Module::Module;

  // (Re)initialises every parameter, buffer and submodule; the constructor should call it.
  virtual void reset() = 0;

  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override {
    NoGradGuard no_grad;
    const auto& self = static_cast<const Derived&>(*this);
    auto copy = std::make_shared<Derived>(self);
    copy->parameters_.clear();
    copy->buffers_.clear();
    copy->children_.clear();
    copy->reset();
    EMBER_CHECK(copy->parameters_.size() == parameters_.size(),
                "The cloned module does not have the same number of parameters as the original "
                "module. Did you forget to register a parameter in reset()?");
    for (const auto& p : parameters_) {
      if (!p.value().defined()) continue;
      copy->parameters_[p.key()].set_data(copied(p.value(), device));
    }
    EMBER_CHECK(copy->buffers_.size() == buffers_.size(),
                "The cloned module does not have the same number of buffers as the original "
                "module. Did you forget to register a buffer in reset()?");
    for (const auto& b : buffers_) {
      if (!b.value().defined()) continue;
      copy->buffers_[b.key()].set_data(copied(b.value(), device));
    }
    EMBER_CHECK(copy->children_.size() == children_.size(),
                "The cloned module does not have the same number of child modules as the original "
                "module. Did you forget to register a submodule in reset()?");
    for (const auto& child : children_) copy->children_[child.key()]->clone_(*child.value(), device);
    return copy;
  }

 private:
  static Tensor copied(const Tensor& t, const std::optional<Device>& device) {
    return device && t.device() != *device ? t.to(*device, false, true) : t.clone();
  }

  void clone_(Module& other, const std::optional<Device>& device) final {
    auto clone = std::dynamic_pointer_cast<Derived>(other.clone(device));
    EMBER_CHECK(clone != nullptr, "Attempted to clone submodule, but it is of a different type "
                "than the submodule it was to be cloned into");
    static_cast<Derived&>(*this) = *clone;
  }
};

}  // namespace ember::nn
