#pragma once
// Custom autograd functions, as libtorch's torch::autograd::Function<T>:
//
//   struct MyReLU : ember::autograd::Function<MyReLU> {
//     static Tensor forward(AutogradContext* ctx, Tensor x) {
//       ctx->save_for_backward({x});
//       return x.clamp(0);
//     }
//     static variable_list backward(AutogradContext* ctx, variable_list g) { ... }
//   };
//   Tensor y = MyReLU::apply(x);
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "ember/autograd/engine.h"
#include "ember/autograd/node.h"
#include "ember/autograd/saved_variable.h"
#include "ember/grad_mode.h"

namespace ember::autograd {

// A value kept in AutogradContext::saved_data.
class IValue {
 public:
  IValue() = default;
  IValue(double v) : v_(v) {}
  IValue(int64_t v) : v_(v) {}
  IValue(int v) : v_(static_cast<int64_t>(v)) {}
  IValue(bool v) : v_(v) {}
  IValue(Tensor v) : v_(std::move(v)) {}
  IValue(std::string v) : v_(std::move(v)) {}
  IValue(const char* v) : v_(std::string(v)) {}
  IValue(uint64_t v) : v_(static_cast<int64_t>(v)) {}
  IValue(std::vector<int64_t> v) : v_(std::move(v)) {}
  IValue(std::vector<double> v) : v_(std::move(v)) {}
  IValue(std::vector<Tensor> v) : v_(std::move(v)) {}
  double toDouble() const;
  int64_t toInt() const;
  bool toBool() const;
  const Tensor& toTensor() const;
  const std::string& toStringRef() const;
  std::string toString() const { return toStringRef(); }
  const std::vector<int64_t>& toIntList() const;
  std::vector<int64_t> toIntVector() const { return toIntList(); }
  std::vector<double> toDoubleVector() const;
  std::vector<Tensor> toTensorVector() const;
  bool isNone() const { return v_.index() == 0; }
  bool isDouble() const { return std::holds_alternative<double>(v_); }
  bool isInt() const { return std::holds_alternative<int64_t>(v_); }
  bool isBool() const { return std::holds_alternative<bool>(v_); }
  bool isTensor() const { return std::holds_alternative<Tensor>(v_); }
  bool isString() const { return std::holds_alternative<std::string>(v_); }
  bool isIntList() const { return std::holds_alternative<std::vector<int64_t>>(v_); }
  bool isDoubleList() const { return std::holds_alternative<std::vector<double>>(v_); }
  bool isTensorList() const { return std::holds_alternative<std::vector<Tensor>>(v_); }

 private:
  std::variant<std::monostate, double, int64_t, bool, Tensor, std::string, std::vector<int64_t>,
               std::vector<double>, std::vector<Tensor>>
      v_;
};

class CppNodeBase;

class AutogradContext {
 public:
  void save_for_backward(variable_list to_save) { to_save_ = std::move(to_save); }
  variable_list get_saved_variables() const;
  void mark_dirty(const variable_list& inputs);
  void mark_non_differentiable(const variable_list& outputs);
  void set_materialize_grads(bool value) { materialize_grads_ = value; }
  // Whether the gradient of forward argument i (in call order, ctx excluded) is needed.
  bool needs_input_grad(size_t i) const { return i < needs_input_grad_.size() && needs_input_grad_[i]; }

  std::unordered_map<std::string, IValue> saved_data;

 private:
  friend class CppNodeBase;
  variable_list to_save_;
  std::vector<SavedVariable> saved_;
  std::unordered_set<const TensorImpl*> dirty_, non_differentiable_;
  std::vector<bool> needs_input_grad_;
  bool materialize_grads_ = true;
  std::string node_name_;
};

// The backward node of one call of a custom Function; T::backward runs in apply().
class CppNodeBase : public Node {
 public:
  explicit CppNodeBase(std::string name) : name_(std::move(name)) { ctx_.node_name_ = name_; }
  std::string name() const override { return name_; }
  std::vector<Tensor> apply(std::vector<Tensor>&& grads) override;
  void release_variables() override;
  AutogradContext* ctx() { return &ctx_; }

  // Before forward: which arguments are tensors needing grad.
  void prepare(const std::vector<const Tensor*>& args);
  // After forward: history for the outputs, saved tensors, dirty inputs.
  void finish(const std::vector<const Tensor*>& args, variable_list& outputs, bool record);

 protected:
  virtual variable_list call_backward(AutogradContext* ctx, variable_list grads) = 0;

 private:
  std::string name_;
  AutogradContext ctx_;
  std::vector<int> arg_edge_;  // forward argument -> next-edge index, -1 for non-tensors
};

template <class T>
class CppNode final : public CppNodeBase {
 public:
  using CppNodeBase::CppNodeBase;

 protected:
  variable_list call_backward(AutogradContext* ctx, variable_list grads) override {
    return T::backward(ctx, std::move(grads));
  }
};

std::string function_name(const char* mangled);

namespace detail {
template <class A>
const Tensor* as_tensor(const A& a) {
  if constexpr (std::is_same_v<std::decay_t<A>, Tensor>) return &a;
  else return nullptr;
}
inline variable_list to_list(const Tensor& t) { return {t}; }
inline variable_list to_list(const variable_list& v) { return v; }
inline void from_list(Tensor& t, const variable_list& v) { t = v[0]; }
inline void from_list(variable_list& t, const variable_list& v) { t = v; }
}  // namespace detail

template <class T>
struct Function {
  template <class... Args>
  static auto apply(Args&&... args) {
    auto node = std::make_shared<CppNode<T>>(function_name(typeid(T).name()) + "Backward");
    std::vector<const Tensor*> tensor_args{detail::as_tensor(args)...};
    node->prepare(tensor_args);
    using Out = decltype(T::forward(node->ctx(), std::forward<Args>(args)...));
    Out out;
    {
      AutoGradMode no_grad(false);
      out = T::forward(node->ctx(), std::forward<Args>(args)...);
    }
    variable_list outs = detail::to_list(out);
    node->finish(tensor_args, outs, GradMode::is_enabled());
    detail::from_list(out, outs);
    return out;
  }
};

}  // namespace ember::autograd
