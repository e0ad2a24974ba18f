#include "kernels/backend.h"

#include <array>

namespace ember {

namespace {
std::array<Backend*, 2> g_backends{};
}  // namespace

void register_backend(DeviceType type, Backend* b) { g_backends[static_cast<int>(type)] = b; }

Backend& backend_for(Device d) {
  count_kernel_launch();
  // Registration is called, not left to static initialisers, which a static link may drop.
  // A function-local static rather than std::call_once (see registered() in op_registry.cpp).
  static const bool registered_once = [] {
    cpu::register_cpu_backend();
#if defined(EMBER_WITH_CUDA)
    cuda::register_cuda_backend();
#endif
    return true;
  }();
  (void)registered_once;
  Backend* b = g_backends[static_cast<int>(d.type)];
  EMBER_CHECK(b, "no kernels for device ", d, ": ember was built without CUDA support");
  return *b;
}

void set_reduce_dims(ReduceArgs& r, IntArrayRef sizes, IntArrayRef strides, const std::function<bool(int64_t)>& reduced,
                     std::optional<IntArrayRef> out_strides, bool keepdim) {
  int64_t od = 0;  // the next output dim
  for (int64_t d = 0; d < static_cast<int64_t>(sizes.size()); ++d) {
    if (reduced(d)) {
      r.red_sizes.push_back(sizes[d]);
      r.red_in_strides.push_back(strides[d]);
      if (keepdim) ++od;
    } else {
      r.kept_sizes.push_back(sizes[d]);
      r.kept_in_strides.push_back(strides[d]);
      if (out_strides) r.kept_out_strides.push_back(static_cast<int64_t>(out_strides->size()) > od ? (*out_strides)[od] : 0);
      ++od;
    }
  }
  if (!out_strides) r.kept_out_strides = contiguous_strides(r.kept_sizes);
  r.out_numel = numel_of(r.kept_sizes);
  r.red_numel = numel_of(r.red_sizes);
}

void Backend::optimizer_step(const OptimizerArgs& a) {
  EMBER_FAIL("fused optimizer step is not implemented for this device's backend");
}

void Backend::check_index_range(const char* op, const Tensor&, int64_t, int64_t, int64_t) {
  EMBER_FAIL(op, ": device-side index checks are not implemented for this device's backend");
}

void Backend::conv_forward(const ConvArgs&, const Tensor&, const Tensor&, const Tensor&, const Tensor&) {
  EMBER_FAIL("convolution is not implemented for this device's backend");
}
void Backend::conv_backward_input(const ConvArgs&, const Tensor&, const Tensor&, const Tensor&) {
  EMBER_FAIL("convolution backward is not implemented for this device's backend");
}
void Backend::conv_backward_weight(const ConvArgs&, const Tensor&, const Tensor&, const Tensor&) {
  EMBER_FAIL("convolution backward is not implemented for this device's backend");
}
void Backend::pool(const dev::PoolArgs&, const Tensor&, const Tensor&, const Tensor&) {
  EMBER_FAIL("pooling is not implemented for this device's backend");
}
void Backend::pool_backward(const dev::PoolArgs&, const Tensor&, const Tensor&) {
  EMBER_FAIL("pooling backward is not implemented for this device's backend");
}

bool PointwiseArgs::contiguous_same_dtype() const {
  if (sizes.size() > 1) return false;
  auto dense = [&](const Operand& o) {
    return o.is_scalar || (o.dtype == out.dtype &&
                           (sizes.empty() || o.strides[0] == static_cast<int64_t>(itemsize(o.dtype))));
  };
  if (!dense(out) || out.is_scalar) return false;
  for (const auto& o : in)
    if (!dense(o)) return false;
  return true;
}

Operand make_operand(const Tensor& t, const Shape& iter) {
  Operand o;
  o.dtype = t.dtype();
  o.data = static_cast<char*>(t.data_ptr());
  o.strides.assign(iter.size(), 0);
  int64_t offset = static_cast<int64_t>(iter.size()) - t.dim();
  EMBER_CHECK(offset >= 0, "internal: operand of shape ", shape_str(t.sizes()),
              " has more dims than the iteration shape ", shape_str(iter));
  int64_t item = static_cast<int64_t>(itemsize(t.dtype()));
  for (int64_t d = 0; d < t.dim(); ++d) {
    int64_t s = t.sizes()[d];
    EMBER_CHECK(s == iter[d + offset] || s == 1, "internal: operand of shape ",
                shape_str(t.sizes()), " does not broadcast to ", shape_str(iter));
    o.strides[d + offset] = (s == 1 && iter[d + offset] != 1) ? 0 : t.strides()[d] * item;
  }
  return o;
}

namespace {

Operand scalar_operand(const Tensor& t, size_t ndim) {
  Operand o;
  o.is_scalar = true;
  o.dtype = t.dtype();
  o.value = t.item();
  o.strides.assign(ndim, 0);
  return o;
}

// The common case, planned without the general dim merging: every tensor operand is
// contiguous with the output's sizes, so the launch is one dense dim of numel elements.
bool plan_dense(PointwiseArgs& a, const Tensor& out, const std::vector<Tensor>& in) {
  if (!out.is_contiguous()) return false;
  for (const auto& t : in)
    if (!(t.dim() == 0 && t.is_cpu()) && (t.sizes() != out.sizes() || !t.is_contiguous()))
      return false;
  auto dense = [](const Tensor& t) {
    Operand o;
    o.dtype = t.dtype();
    o.data = static_cast<char*>(t.data_ptr());
    o.strides.assign(1, static_cast<int64_t>(itemsize(t.dtype())));
    return o;
  };
  a.sizes.assign(1, a.numel);
  a.out = dense(out);
  a.in.reserve(in.size());
  for (const auto& t : in) a.in.push_back(t.dim() == 0 && t.is_cpu() ? scalar_operand(t, 1) : dense(t));
  return true;
}

}  // namespace

PointwiseArgs plan_pointwise(OpId op, ScalarType compute, const Tensor& out,
                             const std::vector<Tensor>& in) {
  PointwiseArgs a;
  a.op = op;
  a.compute = compute;
  const Shape& sizes = out.sizes();
  a.numel = out.numel();
  if (a.numel > 1 && plan_dense(a, out, in)) return a;
  a.out = make_operand(out, sizes);
  a.in.reserve(in.size());
  for (const auto& t : in) {
    a.in.push_back(t.dim() == 0 && t.is_cpu() ? scalar_operand(t, sizes.size()) : make_operand(t, sizes));
  }
  // Drop size-1 dims, then merge each dim into its inner neighbour when every operand is
  // contiguous across the pair.
  // Scratch on the stack for the usual operand counts: a small op allocates nothing here.
  constexpr size_t kInlineOperands = 8;
  SmallVector<Operand*, kInlineOperands> ops;
  ops.push_back(&a.out);
  for (auto& o : a.in) ops.push_back(&o);
  Shape st_inline[kInlineOperands], cst_inline[kInlineOperands];
  std::vector<Shape> st_heap, cst_heap;
  if (ops.size() > kInlineOperands) {
    st_heap.resize(ops.size());
    cst_heap.resize(ops.size());
  }
  Shape* st = st_heap.empty() ? st_inline : st_heap.data();
  Shape* cst = cst_heap.empty() ? cst_inline : cst_heap.data();
  Shape sz;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 1) continue;
    sz.push_back(sizes[d]);
    for (size_t k = 0; k < ops.size(); ++k) st[k].push_back(ops[k]->strides[d]);
  }
  Shape csz;
  for (int64_t d = static_cast<int64_t>(sz.size()) - 1; d >= 0; --d) {
    bool merge = !csz.empty();
    for (size_t k = 0; merge && k < ops.size(); ++k)
      merge = st[k][d] == cst[k].front() * csz.front();
    if (merge) {
      csz.front() *= sz[d];
    } else {
      csz.insert(csz.begin(), sz[d]);
      for (size_t k = 0; k < ops.size(); ++k) cst[k].insert(cst[k].begin(), st[k][d]);
    }
  }
  a.sizes = csz;
  for (size_t k = 0; k < ops.size(); ++k) ops[k]->strides = cst[k];
  return a;
}

}  // namespace ember
