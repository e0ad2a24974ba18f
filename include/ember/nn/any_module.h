#pragma once
// nn::AnyValue and nn::AnyModule, as libtorch's: a module of any type behind one handle, whose
// forward() takes and returns type-erased values (Sequential holds its modules this way).
#include <any>
#include <memory>
#include <optional>
#include <typeinfo>
#include <utility>
#include <vector>

#include "ember/nn/module.h"
#include "ember/nn/module_call.h"

namespace ember::nn {

class AnyValue {
 public:
  template <class T>
  explicit AnyValue(T&& value) : value_(std::forward<T>(value)) {}
  template <class T>
  T* try_get() {
    return std::any_cast<T>(&value_);
  }
  template <class T>
  T get() {
    if (T* v = try_get<T>()) return *v;
    EMBER_FAIL("Attempted to cast AnyValue to ", detail::demangle(typeid(T).name()),
               ", but its actual type is ", detail::demangle(value_.type().name()));
  }
  const std::type_info& type_info() const noexcept { return value_.type(); }

 private:
  std::any value_;
};

class AnyModule {
 public:
  AnyModule() = default;
  template <class M>
  explicit AnyModule(std::shared_ptr<M> module) : content_(make_holder(std::move(module), &M::forward)) {}
  template <class M, class = detail::disable_if_module_holder_t<M>,
            class = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  explicit AnyModule(M&& module) : AnyModule(std::make_shared<std::decay_t<M>>(std::forward<M>(module))) {}
  template <class M>
  explicit AnyModule(const ModuleHolder<M>& holder) : AnyModule(holder.ptr()) {}
  AnyModule(AnyModule&&) = default;
  AnyModule& operator=(AnyModule&&) = default;
  AnyModule(const AnyModule& other) : content_(other.content_ ? other.content_->copy() : nullptr) {}
  AnyModule& operator=(const AnyModule& other) {
    content_ = other.content_ ? other.content_->copy() : nullptr;
    return *this;
  }

  // A deep copy of the module (Module::clone).
  AnyModule clone(std::optional<Device> device = std::nullopt) const {
    AnyModule out;
    out.content_ = checked().clone_module(device);
    return out;
  }

  template <class... Args>
  AnyValue any_forward(Args&&... args) {
    std::vector<AnyValue> values;
    (values.emplace_back(std::decay_t<Args>(std::forward<Args>(args))), ...);
    return checked().forward(std::move(values));
  }
  AnyValue any_forward(AnyValue&& value) {
    std::vector<AnyValue> values;
    values.push_back(std::move(value));
    return checked().forward(std::move(values));
  }
  template <class ReturnType = Tensor, class... Args>
  ReturnType forward(Args&&... args) {
    return any_forward(std::forward<Args>(args)...).template get<ReturnType>();
  }

  std::shared_ptr<Module> ptr() const { return checked().module(); }
  template <class T, class = detail::disable_if_module_holder_t<T>>
  std::shared_ptr<T> ptr() const {
    return std::dynamic_pointer_cast<T>(ptr());
  }
  template <class T, class = detail::disable_if_module_holder_t<T>>
  T& get() const {
    auto p = ptr<T>();
    EMBER_CHECK(p, "Attempted to cast module of type ", detail::demangle(type_info().name()), " to type ",
                detail::demangle(typeid(T).name()));
    return *p;
  }
  template <class T, class C = typename T::ContainedType>
  T get() const {
    return T(ptr<C>());
  }
  const std::type_info& type_info() const { return checked().type(); }
  bool is_empty() const noexcept { return content_ == nullptr; }

 private:
  struct Holder {
    virtual ~Holder() = default;
    virtual AnyValue forward(std::vector<AnyValue>&& args) = 0;
    virtual std::shared_ptr<Module> module() const = 0;
    virtual std::unique_ptr<Holder> copy() const = 0;
    virtual std::unique_ptr<Holder> clone_module(const std::optional<Device>& device) const = 0;
    virtual const std::type_info& type() const = 0;
  };

  template <class M, class R, class... Args>
  struct HolderImpl : Holder {
    explicit HolderImpl(std::shared_ptr<M> m) : m(std::move(m)) {}
    AnyValue forward(std::vector<AnyValue>&& args) override {
      EMBER_CHECK(args.size() == sizeof...(Args), m->name(), "'s forward() method expects ",
                  sizeof...(Args), " argument(s), but received ", args.size(), ".");
      return call(args, std::index_sequence_for<Args...>{});
    }
    template <size_t... I>
    AnyValue call(std::vector<AnyValue>& args, std::index_sequence<I...>) {
      detail::ModuleCallScope scope(m.get());
      return AnyValue(m->forward(args[I].template get<std::decay_t<Args>>()...));
    }
    std::shared_ptr<Module> module() const override { return m; }
    std::unique_ptr<Holder> copy() const override { return std::make_unique<HolderImpl>(m); }
    std::unique_ptr<Holder> clone_module(const std::optional<Device>& device) const override {
      return std::make_unique<HolderImpl>(std::dynamic_pointer_cast<M>(m->clone(device)));
    }
    const std::type_info& type() const override { return typeid(M); }
    std::shared_ptr<M> m;
  };

  template <class M, class R, class C, class... Args>
  static std::unique_ptr<Holder> make_holder(std::shared_ptr<M> m, R (C::*)(Args...)) {
    return std::make_unique<HolderImpl<M, R, Args...>>(std::move(m));
  }
  template <class M, class R, class C, class... Args>
  static std::unique_ptr<Holder> make_holder(std::shared_ptr<M> m, R (C::*)(Args...) const) {
    return std::make_unique<HolderImpl<M, R, Args...>>(std::move(m));
  }
  Holder& checked() const {
    EMBER_CHECK(content_, "Cannot call forward() on an empty AnyModule");
    return *content_;
  }

  std::unique_ptr<Holder> content_;
};

// A (name, module) pair for building a named Sequential: `Sequential({{"fc", Linear(3, 4)}})`.
class NamedAnyModule {
 public:
  template <class M>
  NamedAnyModule(std::string name, M&& module) : name_(std::move(name)), module_(std::forward<M>(module)) {}
  NamedAnyModule(std::string name, AnyModule module) : name_(std::move(name)), module_(std::move(module)) {}
  const std::string& name() const noexcept { return name_; }
  const AnyModule& module() const noexcept { return module_; }

 private:
  std::string name_;
  AnyModule module_;
};

}  // namespace ember::nn
