#include "frontend/dispatch.h"

#include "frontend/autograd/anomaly_check.h"
#include "frontend/autograd/op_node.h"
#include "frontend/autograd/view_tracking.h"
#include "frontend/compile/tracing_hook.h"
#include "kernels/op_registry.h"
#include "kernels/ops/ops_util.h"
#include "kernels/ops/type_promotion.h"
#include "kernels/tensor_alloc.h"
#include "runtime/autograd/autograd_meta.h"
#include "ember/autograd/anomaly_mode.h"
#include "ember/grad_mode.h"

namespace ember {

namespace {

bool any_requires_grad(const std::vector<Tensor>& in) {
  for (const auto& t : in)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

std::shared_ptr<autograd::OpNode> make_node(OpId op, const std::vector<Tensor>& in,
                                            const Attrs& attrs) {
  if (!GradMode::is_enabled() || !any_requires_grad(in)) return nullptr;
  const autograd::Derivative* d = autograd::derivative_for(op);
  if (!d) return nullptr;
  auto node = std::make_shared<autograd::OpNode>(op, *d, attrs, in);
  if (autograd::AnomalyMode::is_enabled()) autograd::record_forward_site(node);
  return node;
}

// Anomaly mode inspects results computed from tensors (not factories: their values are the
// caller's request) and not traced ones (the compiled program checks its own steps).
// Moving a tensor to another device computes nothing, so it passes NaN on unreported: the op
// that computes with it reports it (`t({nan, 1}).to(gpu)` under the guard is not an anomaly).
bool checks_values(OpId op, const std::vector<Tensor>& in) {
  return op != OpId::ToDevice && autograd::AnomalyMode::is_enabled() && autograd::AnomalyMode::should_check_nan() && !in.empty() &&
         !autograd::BackwardFunctionScope::active();
}

void attach(const std::shared_ptr<autograd::OpNode>& node, const std::vector<Tensor>& out) {
  node->save_outputs(out);
  for (size_t i = 0; i < out.size(); ++i) {
    if (!is_floating(out[i].dtype())) continue;
    set_history(out[i], node, static_cast<uint32_t>(i));
  }
}

void mark_inference(const std::vector<Tensor>& out, bool is_view, const Tensor* viewed) {
  for (const auto& t : out)
    if (!is_view || viewed->is_inference()) t.impl().autograd_meta().is_inference = true;
}

}  // namespace

Tensor scalar_operand(const Scalar& s) { return wrapped_scalar(s); }

std::vector<Tensor> call(OpId op, const std::vector<Tensor>& in, const Attrs& attrs) {
  const OpDef& d = op_def(op);
  auto node = make_node(op, in, attrs);
  bool traced = jit::tracing_active(in);
  std::vector<Tensor> out = traced ? jit::trace_call(op, in, attrs) : run_op(op, in, attrs);
  if (!traced && checks_values(op, in)) autograd::check_forward_anomaly(op_name(op), in, out);
  if (node) attach(node, out);
  if (traced && node) jit::note_grad_fn(node.get());
  if (d.alias) autograd::record_view(out[0], in[0], op, attrs);
  if (InferenceMode::is_enabled()) mark_inference(out, d.alias != nullptr, in.empty() ? nullptr : &in[0]);
  return out;
}

const Tensor& call_into(OpId op, const Tensor& self, const std::vector<Tensor>& in,
                        const Attrs& attrs) {
  const OpDef& d = op_def(op);
  static const bool refresher_set = (set_view_refresher(&autograd::rebuild_view_history), true);  // once (TSan)
  (void)refresher_set;
  EMBER_CHECK(InferenceMode::is_enabled() || !self.is_inference(), "Inplace update to inference "
              "tensor outside InferenceMode is not allowed.You can make a clone to get a normal "
              "tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for "
              "more details.");
  bool grad = GradMode::is_enabled() && (any_requires_grad(in) || self.requires_grad());
  bool on_view = self.is_view() && is_floating(self.dtype());
  if (grad) {
    if (on_view) autograd::check_inplace_on_view(self, op_name(op));
    EMBER_CHECK(!(self.is_leaf() && self.requires_grad()), op_name(op),
                "_: a leaf Variable that requires grad is being used in an in-place operation.");
  }
  EMBER_CHECK(d.meta, op_name(op), ": has no in-place form");
  OutSpec spec = d.meta(in, attrs)[0];
  EMBER_CHECK(spec.sizes == self.sizes(), op_name(op), "_: output with shape ",
              shape_str(self.sizes()), " doesn't match the broadcast shape ", shape_str(spec.sizes));
  EMBER_CHECK(can_cast(spec.dtype, self.dtype()), op_name(op), "_: result type ",
              dtype_name(spec.dtype), " can't be cast to the desired output type ",
              dtype_name(self.dtype()));
  EMBER_CHECK(spec.device == self.device(), op_name(op), "_: expected all tensors to be on the "
              "same device, but found at least two devices, ", self.device(), " and ", spec.device);
  for (int64_t i = 0; i < self.dim(); ++i)
    EMBER_CHECK(self.strides()[i] != 0 || self.sizes()[i] <= 1, op_name(op),
                "_: unsupported operation: more than one element of the written-to tensor refers "
                "to a single memory location. Please clone() the tensor before performing the "
                "operation.");
  auto node = make_node(op, in, attrs);
  bool self_is_input = !in.empty() && in[0].is_same(self);
  if (node && self_is_input && node->saves_input(0)) {
    // The old value, with its history (create_graph differentiates through it).
    node->replace_saved_input(0, self.clone());
  }
  std::vector<Tensor> all = in;
  all.push_back(self);
  if (jit::tracing_active(all)) {
    jit::trace_into(op, self, in, attrs);
    if (node) jit::note_grad_fn(node.get());
  } else {
    std::vector<Tensor> out{self};
    if (!checks_values(op, in)) {
      d.run(in, attrs, out);
    } else {
      // The inputs as they were (self may be one of them), and self restored on an anomaly.
      Tensor old = empty_tensor(self.sizes(), self.dtype(), self.device());
      copy_into(old, self);
      std::vector<Tensor> before = in;
      for (auto& t : before) t = t.is_same(self) ? old : t;
      d.run(in, attrs, out);
      try {
        autograd::check_forward_anomaly(op_name(op), before, out);
      } catch (...) {
        copy_into(self, old);
        throw;
      }
    }
  }
  self.bump_version();
  if (node && op == OpId::Cast) node->set_name("CopyBackwards");
  if (grad && on_view) {
    if (node) node->save_outputs({self});
    autograd::rebase_view_history(self, node, self_is_input);
  } else if (node) {
    attach(node, {self});
  } else if (grad && !self.is_leaf()) {
    // Overwritten by values that need no gradient: the old history no longer applies.
    self.impl().autograd_meta().grad_fn.reset();
  }
  return self;
}

}  // namespace ember
