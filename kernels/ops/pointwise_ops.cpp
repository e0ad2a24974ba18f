// Meta and launch for every pointwise op: device check, broadcasting, dtype rule, and
// protection against inputs that partially overlap the output.
#include "kernels/backend.h"
#include "kernels/op_registry.h"
#include "kernels/ops/type_promotion.h"
#include "kernels/tensor_alloc.h"

namespace ember {

namespace {

// A 0-dim CPU tensor can join a computation on any device (it is passed by value).
bool is_cpu_scalar(const Tensor& t) { return t.dim() == 0 && t.is_cpu(); }

Device common_device(OpId op, const std::vector<Tensor>& in) {
  const Tensor* first = nullptr;
  for (const auto& t : in) {
    if (is_cpu_scalar(t)) continue;
    if (!first) first = &t;
    else
      EMBER_CHECK(t.device() == first->device(), op_name(op),
                  ": expected all tensors to be on the same device, but found at least two "
                  "devices, ", first->device(), " and ", t.device());
  }
  if (first) return first->device();
  for (const auto& t : in)
    if (!t.impl().wrapped_number) return t.device();
  return Device(kCPU);
}

std::vector<OutSpec> pointwise_meta(OpId op, const std::vector<Tensor>& in, const Attrs& a) {
  const OpDef& d = op_def(op);
  EMBER_CHECK(static_cast<int>(in.size()) == d.arity, d.name, ": expected ", d.arity,
              " operands but got ", in.size());
  for (size_t i = 0; i < in.size(); ++i)
    EMBER_CHECK(in[i].defined(), d.name, ": operand ", i, " is an undefined tensor");
  Shape shape = in[0].sizes();
  for (size_t i = 1; i < in.size(); ++i) shape = broadcast_shapes(shape, in[i].sizes(), d.name);
  if (op == OpId::MaskedFill) {
    EMBER_CHECK(in[1].dtype() == kBool, "masked_fill: expected a bool mask but got ",
                dtype_name(in[1].dtype()));
    EMBER_CHECK(in[2].dim() == 0, "masked_fill: only supports a 0-dimensional value tensor, but "
                "got a tensor with ", in[2].dim(), " dimension(s)");
    EMBER_CHECK(shape == in[0].sizes(), "masked_fill: mask of shape ", shape_str(in[1].sizes()),
                " does not broadcast to the input's shape ", shape_str(in[0].sizes()));
  }
  return {{shape, pointwise_types(op, in, a).out, common_device(op, in)}};
}

bool overlaps(const Tensor& a, const Tensor& b) {
  if (!a.impl().storage || a.impl().storage != b.impl().storage) return false;
  auto range = [](const Tensor& t) {
    int64_t lo = t.storage_offset(), hi = t.storage_offset();
    for (int64_t d = 0; d < t.dim(); ++d) hi += (t.sizes()[d] - 1) * t.strides()[d];
    return std::pair<int64_t, int64_t>(lo, hi);
  };
  auto [alo, ahi] = range(a);
  auto [blo, bhi] = range(b);
  return alo <= bhi && blo <= ahi;
}

void pointwise_run(OpId op, const std::vector<Tensor>& in, const Attrs& a,
                   std::vector<Tensor>& out) {
  const Tensor& o = out[0];
  ScalarType compute = pointwise_types(op, in, a).compute;
  std::vector<Tensor> copies;  // filled only when an input overlaps the output
  for (size_t i = 0; i < in.size(); ++i) {
    const Tensor& t = in[i];
    bool same_view = t.impl_ptr() == o.impl_ptr() ||
                     (t.data_ptr() == o.data_ptr() && t.sizes() == o.sizes() &&
                      t.strides() == o.strides() && t.dtype() == o.dtype());
    if (!is_cpu_scalar(t) && !same_view && overlaps(t, o)) {
      // Reading while writing overlapping memory: read from a copy instead.
      Tensor copy = empty_tensor(t.sizes(), t.dtype(), t.device());
      backend_for(t.device()).pointwise(plan_pointwise(OpId::Cast, compute_type_of(t.dtype()), copy, {t}));
      if (copies.empty()) copies = in;
      copies[i] = copy;
    }
  }
  if (o.numel() == 0) return;
  backend_for(o.device()).pointwise(plan_pointwise(op, compute, o, copies.empty() ? in : copies));
}

template <OpId Op>
std::vector<OutSpec> meta_of(const std::vector<Tensor>& in, const Attrs& a) {
  return pointwise_meta(Op, in, a);
}
template <OpId Op>
void run_of(const std::vector<Tensor>& in, const Attrs& a, std::vector<Tensor>& out) {
  pointwise_run(Op, in, a, out);
}

}  // namespace

void register_pointwise_ops() {
#define EMBER_REG(N, ...) register_op(OpId::N, &meta_of<OpId::N>, &run_of<OpId::N>);
  EMBER_POINTWISE_OPS(EMBER_REG)
#undef EMBER_REG
}

}  // namespace ember
