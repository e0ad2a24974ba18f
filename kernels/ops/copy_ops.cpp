// Copies: contiguous copies and broadcasting copies on one device, and ToDevice.
#include "kernels/backend.h"
#include "kernels/op_registry.h"
#include "kernels/ops/ops_util.h"
#include "kernels/ops/type_promotion.h"
#include "kernels/tensor_alloc.h"
#include "runtime/index_error_message.h"

namespace ember {

void copy_into(const Tensor& dst, const Tensor& src) {
  if (dst.numel() == 0) return;
  ScalarType compute = pointwise_types(OpId::Cast, {src}, dst.dtype()).compute;
  backend_for(dst.device()).pointwise(plan_pointwise(OpId::Cast, compute, dst, {src}));
}

Tensor contiguous_copy(const Tensor& t) {
  if (t.is_contiguous()) return t;
  Tensor c = empty_tensor(t.sizes(), t.dtype(), t.device());
  copy_into(c, t);
  return c;
}

Tensor contiguous_on(const Tensor& t, Device d) {
  Tensor src = contiguous_copy(t);
  if (t.device() == d) return src;
  Tensor out = empty_tensor(t.sizes(), t.dtype(), d);
  copy_bytes(out.data_ptr(), d, src.data_ptr(), src.device(), src.nbytes());
  return out;
}

void check_device(const char* op, const Tensor& t, Device d) {
  if (!t.defined()) return;
  EMBER_CHECK(t.device() == d, op, ": expected all tensors to be on the same device, but found "
              "at least two devices, ", d, " and ", t.device());
}

void check_index_range(const char* op, const Tensor& index, int64_t size, bool allow_negative,
                       int64_t dim) {
  EMBER_CHECK(index.dtype() == kInt64 || index.dtype() == kInt32, op,
              ": expected an int64 index tensor but got ", dtype_name(index.dtype()));
  if (index.numel() == 0) return;
  int64_t lo = allow_negative ? -size : 0;
  Tensor dense = contiguous_copy(index);
  if (!dense.is_cpu()) return backend_for(dense.device()).check_index_range(op, dense, lo, size, dim);
  int64_t n = dense.numel();
  for (int64_t i = 0; i < n; ++i) {
    int64_t v = dense.dtype() == kInt64 ? dense.data_ptr<int64_t>()[i] : dense.data_ptr<int32_t>()[i];
    EMBER_CHECK(v >= lo && v < size, index_out_of_bounds_message(op, v, size, dim));
  }
}

namespace {

std::vector<OutSpec> to_device_meta(const std::vector<Tensor>& in, const Attrs& a) {
  return {{in[0].sizes(), in[0].dtype(), a.device("device")}};
}

void to_device_run(const std::vector<Tensor>& in, const Attrs&, std::vector<Tensor>& out) {
  Tensor src = contiguous_copy(in[0]);
  const Tensor& dst = out[0];
  if (dst.is_contiguous()) {
    copy_bytes(dst.data_ptr(), dst.device(), src.data_ptr(), src.device(), src.nbytes());
  } else {
    Tensor tmp = empty_tensor(dst.sizes(), dst.dtype(), dst.device());
    copy_bytes(tmp.data_ptr(), tmp.device(), src.data_ptr(), src.device(), src.nbytes());
    copy_into(dst, tmp);
  }
}

}  // namespace

void register_copy_ops() { register_op(OpId::ToDevice, &to_device_meta, &to_device_run); }

}  // namespace ember
