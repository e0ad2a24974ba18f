#pragma once
// ember::compile(fn): a callable that traces fn on its first call (per guard variant),
// optimises and fuses the graph, and runs the compiled graph afterwards. Tensor arguments
// (alone or in std::vector<Tensor>) are guarded by shape, strides, dtype, device and
// requires_grad; other arguments are
// static (every distinct value compiles its own variant, like jax's static_argnums).
//
//   auto step = ember::compile([&](const Tensor& x, const Tensor& y) {
//     return nn::functional::mse_loss(model->forward(x), y, kSum); });
//   Tensor loss = step(x, y);  // traced + compiled on first call, cached after
//   loss.backward();           // one CompiledFunctionBackward node in the eager engine
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "compiler/compiled_function.h"
#include "compiler/dump.h"
#include "compiler/log.h"
#include "runtime/tensor.h"

namespace ember {

namespace detail {

template <class T>
constexpr bool is_tensor_v = std::is_same_v<std::decay_t<T>, Tensor>;
template <class T>
constexpr bool is_tensor_list_v = std::is_same_v<std::decay_t<T>, std::vector<Tensor>>;

template <class T>
void collect_arg(const T& a, std::vector<Tensor>& tensors, std::string& key) {
  using D = std::decay_t<T>;
  if constexpr (is_tensor_v<T>) {
    tensors.push_back(a);
  } else if constexpr (is_tensor_list_v<T>) {
    tensors.insert(tensors.end(), a.begin(), a.end());
    key += "list" + std::to_string(a.size()) + ",";
  } else if constexpr (std::is_same_v<D, bool>) {
    key += a ? "true," : "false,";
  } else if constexpr (std::is_arithmetic_v<D> || std::is_enum_v<D>) {
    key += std::to_string(static_cast<std::conditional_t<std::is_enum_v<D>, int64_t, D>>(a)) + ",";
  } else if constexpr (std::is_convertible_v<D, std::string>) {
    key += std::string(a) + ",";
  } else {
    static_assert(is_tensor_v<T>, "compile: arguments must be Tensors, vectors of Tensors or "
                                  "static values (numbers, enums, strings)");
  }
}

// Argument I with its tensors replaced by the traced stand-ins starting at offset[I].
template <size_t I, class Tuple>
decltype(auto) pick(const std::vector<Tensor>& sym, const std::vector<size_t>& offset, Tuple& refs) {
  auto& a = std::get<I>(refs);
  if constexpr (is_tensor_v<decltype(a)>)
    return Tensor(sym[offset[I]]);
  else if constexpr (is_tensor_list_v<decltype(a)>)
    return std::vector<Tensor>(sym.begin() + offset[I], sym.begin() + offset[I] + a.size());
  else
    return a;
}

template <class F, class Tuple, size_t... I>
decltype(auto) invoke_traced(F& f, const std::vector<Tensor>& sym, const std::vector<size_t>& offset,
                             Tuple& refs, std::index_sequence<I...>) {
  return f(pick<I>(sym, offset, refs)...);
}

inline std::vector<Tensor> to_list(const Tensor& t) { return {t}; }
inline std::vector<Tensor> to_list(const std::vector<Tensor>& v) { return v; }
template <class... T>
std::vector<Tensor> to_list(const std::tuple<T...>& t) {
  return std::apply([](const auto&... x) { return std::vector<Tensor>{x...}; }, t);
}

template <class R>
R from_list(const std::vector<Tensor>& v) {
  if constexpr (std::is_same_v<R, Tensor>) {
    return v.at(0);
  } else if constexpr (std::is_same_v<R, std::vector<Tensor>>) {
    return v;
  } else {
    return [&]<size_t... I>(std::index_sequence<I...>) { return R(v.at(I)...); }
    (std::make_index_sequence<std::tuple_size_v<R>>{});
  }
}

}  // namespace detail

template <class F>
class CompiledFn {
 public:
  CompiledFn(F fn, CompileOptions options)
      : fn_(std::move(fn)), impl_(std::make_shared<jit::CompiledFunction>(std::move(options))) {}

  template <class... Args>
  auto operator()(Args&&... args) {
    using R = std::decay_t<std::invoke_result_t<F&, Args...>>;
    if (!jit::compilation_enabled()) return R(fn_(std::forward<Args>(args)...));
    std::vector<Tensor> tensors;
    std::vector<size_t> offset;
    std::string key;
    ((offset.push_back(tensors.size()), detail::collect_arg(args, tensors, key)), ...);
    auto refs = std::forward_as_tuple(args...);
    jit::TraceFn trace = [&](const std::vector<Tensor>& sym) {
      return detail::to_list(detail::invoke_traced(fn_, sym, offset, refs, std::index_sequence_for<Args...>{}));
    };
    return detail::from_list<R>(impl_->call(tensors, key, trace));
  }

  const jit::CompileStats& stats() const { return impl_->stats(); }
  // The variant that ran last (its forward and backward programs), or null.
  const jit::Variant* variant() const { return impl_->last(); }
  // The optimized forward graph of the last variant.
  const jit::Graph& graph() const { return program().graph(); }
  const jit::Program& program() const {
    EMBER_CHECK(impl_->last(), "compiled function has not been called yet");
    return *impl_->last()->forward;
  }
  const jit::Program* backward_program() const {
    return impl_->last() ? impl_->last()->backward.get() : nullptr;
  }
  std::string dump(bool passes = false, bool kernels = true) const {
    std::string s = jit::describe(program(), passes, kernels);
    if (auto* b = backward_program()) s += "\n" + jit::describe(*b, passes, kernels);
    return s;
  }

 private:
  F fn_;
  std::shared_ptr<jit::CompiledFunction> impl_;
};

template <class F>
CompiledFn<F> compile(F fn, CompileOptions options = {}) {
  return CompiledFn<F>(std::move(fn), std::move(options));
}

namespace jit {
// The graph of fn on inputs shaped like `example_inputs` (traced, before any pass).
Graph trace(const std::function<std::vector<Tensor>(const std::vector<Tensor>&)>& fn,
            const std::vector<Tensor>& example_inputs);
}  // namespace jit

}  // namespace ember
