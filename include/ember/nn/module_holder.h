#pragma once
// nn::ModuleHolder, as libtorch's: a shared_ptr to a module's Impl, so that `Linear fc(3, 4);
// fc->weight; fc(x);` read as in libtorch. `Linear fc = nullptr;` is the empty holder.
#include <memory>
#include <type_traits>
#include <utility>

#include "ember/error.h"
#include "ember/nn/module_call.h"

namespace ember::nn {

namespace detail {
struct ModuleHolderIndicator {};
template <class T>
constexpr bool is_module_holder_v = std::is_base_of_v<ModuleHolderIndicator, std::decay_t<T>>;
template <class T>
using disable_if_module_holder_t = std::enable_if_t<!is_module_holder_v<T>>;
}  // namespace detail

template <class Contained>
class ModuleHolder : detail::ModuleHolderIndicator {
 public:
  using ContainedType = Contained;
  using ImplType = Contained;

  // Default-constructs the Impl; a module without a default constructor must use `= nullptr`.
  ModuleHolder() : impl_(default_construct()) {}
  ModuleHolder(std::nullptr_t) {}
  ModuleHolder(std::shared_ptr<Contained> module) : impl_(std::move(module)) {}
  // Constructs a new Impl from the arguments (but never hijacks copying a holder or a pointer).
  template <class Head, class... Tail,
            class = std::enable_if_t<!(sizeof...(Tail) == 0 &&
                                       (std::is_base_of_v<ModuleHolder, std::decay_t<Head>> ||
                                        std::is_constructible_v<std::shared_ptr<Contained>, Head>))>>
  explicit ModuleHolder(Head&& head, Tail&&... tail)
      : impl_(std::make_shared<Contained>(std::forward<Head>(head), std::forward<Tail>(tail)...)) {}

  explicit operator bool() const noexcept { return !is_empty(); }
  Contained* operator->() { return get(); }
  const Contained* operator->() const { return get(); }
  Contained& operator*() { return *get(); }
  const Contained& operator*() const { return *get(); }
  const std::shared_ptr<Contained>& ptr() const {
    EMBER_CHECK(!is_empty(), "Accessing empty ModuleHolder");
    return impl_;
  }
  Contained* get() const {
    EMBER_CHECK(!is_empty(), "Accessing empty ModuleHolder");
    return impl_.get();
  }
  template <class... Args>
  decltype(auto) operator()(Args&&... args) {
    detail::ModuleCallScope scope(get());
    return get()->forward(std::forward<Args>(args)...);
  }
  template <class Arg>
  decltype(auto) operator[](Arg&& arg) {
    return (*get())[std::forward<Arg>(arg)];
  }
  bool is_empty() const noexcept { return impl_ == nullptr; }

 protected:
  std::shared_ptr<Contained> impl_;

 private:
  static std::shared_ptr<Contained> default_construct() {
    static_assert(std::is_default_constructible_v<Contained>,
                  "You are trying to default construct a module which has no default constructor. "
                  "Use = nullptr to give it the empty state (e.g. `Linear linear = nullptr;` instead "
                  "of `Linear linear;`).");
    return std::make_shared<Contained>();
  }
};

}  // namespace ember::nn
