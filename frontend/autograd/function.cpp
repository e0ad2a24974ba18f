#include "ember/autograd/function.h"

#include <cxxabi.h>

#include <cstdlib>

#include "frontend/autograd/derivatives.h"
#include "runtime/autograd/autograd_meta.h"

namespace ember::autograd {

namespace {
template <class V, class T>
const V& get_as(const T& v, const char* what) {
  const V* p = std::get_if<V>(&v);
  EMBER_CHECK(p, "IValue: expected ", what);
  return *p;
}
}  // namespace

double IValue::toDouble() const {
  if (auto* i = std::get_if<int64_t>(&v_)) return static_cast<double>(*i);
  return get_as<double>(v_, "a double");
}
int64_t IValue::toInt() const { return get_as<int64_t>(v_, "an int"); }
bool IValue::toBool() const { return get_as<bool>(v_, "a bool"); }
const Tensor& IValue::toTensor() const { return get_as<Tensor>(v_, "a Tensor"); }
const std::string& IValue::toStringRef() const { return get_as<std::string>(v_, "a string"); }
const std::vector<int64_t>& IValue::toIntList() const {
  return get_as<std::vector<int64_t>>(v_, "an int list");
}
std::vector<double> IValue::toDoubleVector() const {
  return get_as<std::vector<double>>(v_, "a double list");
}
std::vector<Tensor> IValue::toTensorVector() const {
  return get_as<std::vector<Tensor>>(v_, "a tensor list");
}

std::string function_name(const char* mangled) {
  int status = 0;
  char* d = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string name = status == 0 && d ? d : mangled;
  std::free(d);
  auto colon = name.rfind("::");
  return colon == std::string::npos ? name : name.substr(colon + 2);
}

variable_list AutogradContext::get_saved_variables() const {
  variable_list out;
  for (const auto& s : saved_) out.push_back(s.unpack(node_name_));
  return out;
}

void AutogradContext::mark_dirty(const variable_list& inputs) {
  for (const auto& t : inputs) dirty_.insert(t.impl_ptr().get());
}

void AutogradContext::mark_non_differentiable(const variable_list& outputs) {
  for (const auto& t : outputs) non_differentiable_.insert(t.impl_ptr().get());
}

void CppNodeBase::prepare(const std::vector<const Tensor*>& args) {
  bool grad = GradMode::is_enabled();
  for (const Tensor* a : args) {
    bool needs = grad && a && a->defined() && a->requires_grad();
    ctx_.needs_input_grad_.push_back(needs);
    if (a) {
      arg_edge_.push_back(static_cast<int>(next_edges_.size()));
      add_next_edge(needs ? gradient_edge(*a) : Edge{});
    } else {
      arg_edge_.push_back(-1);
    }
  }
}

void CppNodeBase::finish(const std::vector<const Tensor*>& args, variable_list& outputs,
                         bool record) {
  bool any = false;
  for (bool n : ctx_.needs_input_grad_) any = any || n;
  record = record && any;
  auto self = std::static_pointer_cast<CppNodeBase>(shared_from_this());
  for (size_t i = 0; i < outputs.size(); ++i) {
    Tensor& out = outputs[i];
    add_input_meta(TensorMeta::of(out));
    if (!record || !out.defined()) continue;
    const TensorImpl* impl = out.impl_ptr().get();
    bool is_input = false;
    for (const Tensor* a : args) is_input = is_input || (a && a->impl_ptr().get() == impl);
    if (ctx_.dirty_.count(impl)) {
      EMBER_CHECK(!(out.is_leaf() && out.requires_grad()), name_, ": a leaf Variable that "
                  "requires grad has been used in an in-place operation (mark_dirty).");
      out.bump_version();
    } else if (is_input) {
      out = out.detach();  // a returned input becomes a new alias with its own history
    }
    if (ctx_.non_differentiable_.count(impl) || !is_floating(out.dtype())) continue;
    set_history(out, self, static_cast<uint32_t>(i));
  }
  for (const auto& t : ctx_.to_save_) {
    int output = -1;
    for (size_t i = 0; i < outputs.size(); ++i)
      if (t.defined() && outputs[i].defined() && outputs[i].is_same(t)) output = static_cast<int>(i);
    ctx_.saved_.emplace_back(t, output >= 0 && record);
    if (output >= 0 && record && outputs[output].grad_fn() == self)
      ctx_.saved_.back().set_output_history(self, static_cast<uint32_t>(output));
  }
  ctx_.to_save_.clear();
}

std::vector<Tensor> CppNodeBase::apply(std::vector<Tensor>&& grads) {
  if (ctx_.materialize_grads_)
    for (size_t i = 0; i < grads.size(); ++i)
      if (!grads[i].defined()) grads[i] = zeros_of(input_meta(i));
  variable_list result = call_backward(&ctx_, std::move(grads));
  EMBER_CHECK(result.size() == arg_edge_.size(), "function ", name_,
              " returned an incorrect number of gradients (expected ", arg_edge_.size(), ", got ",
              result.size(), ")");
  std::vector<Tensor> out(next_edges_.size());
  for (size_t a = 0; a < arg_edge_.size(); ++a) {
    if (arg_edge_[a] < 0) {
      EMBER_CHECK(!result[a].defined(), "function ", name_, " returned a gradient for argument ",
                  a, ", which is not a tensor");
      continue;
    }
    out[arg_edge_[a]] = result[a];
  }
  return out;
}

void CppNodeBase::release_variables() {
  for (auto& s : ctx_.saved_) s.reset();
}

}  // namespace ember::autograd
