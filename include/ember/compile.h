#pragma once
// ember::compile(fn): a callable that traces fn on its first call (per guard variant),
// optimises and fuses the graph, and runs the compiled graph afterwards. Tensor arguments
// (alone or in std::vector<Tensor>) are guarded by shape, strides, dtype, device and
// requires_grad; other arguments are static (every distinct value compiles its own variant,
// like jax's static_argnums). A compiled function may be called from several threads at once.
//
//   auto step = ember::compile([&](const Tensor& x, const Tensor& y) {
//     return nn::functional::mse_loss(model->forward(x), y, kSum); });
//   Tensor loss = step(x, y);  // traced + compiled on first call, cached after
//   loss.backward();           // one CompiledFunctionBackward node in the eager engine
//   std::cout << step.dump();  // what the compiler made of it (also graph_json(), kernels())
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/compile_options.h"
#include "ember/export_options.h"
#include "ember/tensor.h"

namespace ember {

namespace jit {
class CompiledFunction;  // the implementation, not part of the API
}

struct CompileStats {
  int64_t calls = 0, hits = 0, misses = 0, compiles = 0, evictions = 0;
};

// One generated kernel of a compiled step.
struct CompiledKernelInfo {
  std::string name;
  std::string device;               // "cpu", "cuda:0"
  std::vector<std::string> ops;     // the source ops it fuses, in order
  std::string source;               // CUDA C++ (NVRTC) or a description of the CPU lowering
  // Per op: the module and call site it was traced from ("model.0 at train (app+0x1c2)";
  // "backward of ..." for gradient ops; "" when the compiler made it).
  std::vector<std::string> origins;
};

// Counters of one compiled program (forward or backward) of the last variant that ran.
struct CompiledSummary {
  int64_t ops = 0;                  // nodes in the optimized graph
  int64_t kernels = 0;              // fused kernels
  int64_t launches_per_call = 0;    // measured on the last run
  int64_t bytes_read = 0, bytes_written = 0;  // device memory traffic per call (estimate)
  int64_t planned_bytes = 0;        // intermediate buffers after memory planning
  int64_t eager_peak_bytes = 0;     // intermediates alive at once when run eagerly
  double compile_ms = 0;
};

enum class CompiledPart { Forward, Backward };

using TraceFn = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

namespace detail {
// Whether EMBER_COMPILE=0 asks to run compiled functions eagerly.
bool compilation_enabled();
std::vector<Tensor> call_compiled(jit::CompiledFunction& f, const std::vector<Tensor>& tensors,
                                  const std::string& static_key, const TraceFn& trace);
}  // namespace detail

// What every compiled function offers, whatever its callable: counters and inspection of
// the variant that ran last (an Error before the first call).
class CompiledFunctionBase {
 public:
  explicit CompiledFunctionBase(CompileOptions options);

  CompileStats stats() const;
  size_t num_variants() const;
  bool has_backward() const;
  // Graphs, execution steps, fused kernels (with sources when `kernels`) and the summary
  // of the forward and, when there is one, the backward program.
  std::string dump(bool passes = false, bool kernels = true) const;
  std::string graph_text(CompiledPart part = CompiledPart::Forward) const;   // optimized graph
  std::string graph_json(CompiledPart part = CompiledPart::Forward) const;   // "ember.graph" schema
  std::string graph_dot(CompiledPart part = CompiledPart::Forward) const;    // fused groups as clusters
  std::string summary_json(CompiledPart part = CompiledPart::Forward) const;
  std::vector<CompiledKernelInfo> kernels(CompiledPart part = CompiledPart::Forward) const;
  CompiledSummary summary(CompiledPart part = CompiledPart::Forward) const;

  // Writes every traced variant to `path` as a versioned artifact (ember/export.h:
  // load_compiled runs it in a process that never sees fn). An Error before the first call.
  void save(const std::string& path, const ExportOptions& options = {}) const;

  // The implementation, for ember's own tools and tests (frontend/compile_internals.h).
  jit::CompiledFunction& impl() const { return *impl_; }

 protected:
  std::shared_ptr<jit::CompiledFunction> impl_;
};

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
class CompiledFn : public CompiledFunctionBase {
 public:
  CompiledFn(F fn, CompileOptions options) : CompiledFunctionBase(std::move(options)), fn_(std::move(fn)) {}

  template <class... Args>
  auto operator()(Args&&... args) {
    using R = std::decay_t<std::invoke_result_t<F&, Args...>>;
    if (!detail::compilation_enabled()) return R(fn_(std::forward<Args>(args)...));
    std::vector<Tensor> tensors;
    std::vector<size_t> offset;
    std::string key;
    ((offset.push_back(tensors.size()), detail::collect_arg(args, tensors, key)), ...);
    auto refs = std::forward_as_tuple(args...);
    TraceFn trace = [&](const std::vector<Tensor>& sym) {
      return detail::to_list(detail::invoke_traced(fn_, sym, offset, refs, std::index_sequence_for<Args...>{}));
    };
    return detail::from_list<R>(detail::call_compiled(*impl_, tensors, key, trace));
  }

 private:
  F fn_;
};

template <class F>
CompiledFn<F> compile(F fn, CompileOptions options = {}) {
  return CompiledFn<F>(std::move(fn), std::move(options));
}

}  // namespace ember
