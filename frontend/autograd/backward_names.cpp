// The one table of grad_fn names: every op ember records, under libtorch's name.
#include "frontend/autograd/backward_names.h"

#include <array>
#include <string>

#include "frontend/autograd/op_node.h"
#include "kernels/op_registry.h"

namespace ember::autograd {

namespace {

const char* default_name(OpId op) {
  static const auto names = [] {
    std::array<std::string, static_cast<size_t>(OpId::NumOps)> n;
    for (size_t i = 0; i < n.size(); ++i)
      n[i] = std::string(op_name(static_cast<OpId>(i))) + "Backward0";
    return n;
  }();
  return names[static_cast<size_t>(op)].c_str();
}

bool wrapped(const std::vector<Tensor>& in, size_t i) {
  return i < in.size() && in[i].defined() && in[i].impl().wrapped_number;
}

bool has_dims(const Attrs& a) { return a.has("dims") && !a.ints("dims").empty(); }

}  // namespace

const char* backward_name(OpId op, const Attrs& a, const std::vector<Tensor>& in) {
  switch (op) {
    case OpId::Add: return wrapped(in, 0) || wrapped(in, 1) ? "AddBackward1" : "AddBackward0";
    case OpId::Mul: return wrapped(in, 0) || wrapped(in, 1) ? "MulBackward1" : "MulBackward0";
    case OpId::Sub:
      if (wrapped(in, 0)) return "RsubBackward1";
      return wrapped(in, 1) ? "SubBackward1" : "SubBackward0";
    case OpId::Div: return wrapped(in, 1) ? "DivBackward1" : "DivBackward0";
    case OpId::Pow:
      if (wrapped(in, 1)) return "PowBackward0";
      return wrapped(in, 0) ? "PowBackward2" : "PowBackward1";
    case OpId::MaskedFill: return wrapped(in, 2) ? "MaskedFillBackward0" : "MaskedFillBackward1";
    case OpId::Sum: return has_dims(a) ? "SumBackward1" : "SumBackward0";
    case OpId::Mean: return has_dims(a) ? "MeanBackward1" : "MeanBackward0";
    case OpId::Prod: return has_dims(a) ? "ProdBackward1" : "ProdBackward0";
    case OpId::MaxDim: return "MaxBackward0";
    case OpId::MinDim: return "MinBackward0";
    case OpId::Cast: return a.has("clone") ? "CloneBackward0" : "ToCopyBackward0";
    case OpId::ToDevice: return "ToCopyBackward0";
    default: return default_name(op);
  }
}

Tensor name_grad_fn(const Tensor& t, const char* name) {
  if (auto* n = dynamic_cast<OpNode*>(t.grad_fn().get())) n->set_name(name);
  return t;
}

}  // namespace ember::autograd
