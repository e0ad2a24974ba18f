#include "ember/autograd/saved_variable.h"

#include "runtime/autograd/autograd_meta.h"
#include "ember/autograd/node.h"
#include "ember/grad_mode.h"

namespace ember {

SavedVariable::SavedVariable(const Tensor& t, bool is_output) : was_defined_(t.defined()) {
  if (!t.defined()) return;
  EMBER_CHECK(!t.is_inference(), "Inference tensors cannot be saved for backward. To work around "
              "you can make a clone to get a normal tensor and use it in autograd.");
  version_ = t._version();
  if (is_output) {
    // Same storage and version counter, no autograd history.
    const auto& src = t.impl();
    auto alias = std::make_shared<TensorImpl>(src.storage, src.sizes, src.strides, src.offset,
                                              src.dtype, src.device);
    alias->version = src.version;
    alias->trace = src.trace;
    data_ = Tensor(alias);
  } else {
    data_ = t;
  }
}

void SavedVariable::set_output_history(const std::shared_ptr<Node>& fn, uint32_t output_nr) {
  grad_fn_ = fn;
  output_nr_ = output_nr;
}

Tensor SavedVariable::unpack(const std::string& node_name) const {
  EMBER_CHECK(!released_,
              "Trying to backward through the graph a second time (or directly access saved "
              "tensors after they have already been freed). Saved intermediate values of the "
              "graph are freed when you call .backward() or autograd::grad(). Specify "
              "retain_graph=true if you need to backward through the graph a second time (in ",
              node_name, ")");
  if (!was_defined_) return Tensor();
  uint32_t now = data_._version();
  EMBER_CHECK(now == version_,
              "one of the variables needed for gradient computation has been modified by an "
              "inplace operation: [", dtype_name(data_.dtype()), " ", shape_str(data_.sizes()),
              "], which is saved by ", node_name, ", is at version ", now, "; expected version ",
              version_, " instead.");
  auto fn = GradMode::is_enabled() ? grad_fn_.lock() : nullptr;
  if (fn) {
    // An alias carrying the output's history again (only needed for create_graph).
    Tensor t = data_.detach();
    set_history(t, fn, output_nr_);
    return t;
  }
  return data_;
}

}  // namespace ember
