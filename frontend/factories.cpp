// Tensor factories: from data, from caller memory, filled, ramps and random.
#include <cmath>

#include "frontend/dispatch.h"
#include "ember/functional.h"
#include "frontend/compile/tracing_hook.h"
#include "kernels/tensor_alloc.h"
#include "runtime/dispatch.h"

namespace ember {

namespace {

Tensor finish(Tensor t, const TensorOptions& opts) {
  if (opts.requires_grad()) t.requires_grad_(true);
  return t;
}

Tensor shaped(OpId op, IntArrayRef sizes, const TensorOptions& opts, Attrs extra = {}) {
  extra.set("shape", sizes).set("dtype", opts.dtype()).set("device", opts.device());
  return finish(call1(op, {}, extra), opts);
}

void collect(const TensorData& d, size_t depth, Shape& shape, std::vector<Scalar>& flat,
             bool& any_float, bool& all_bool) {
  if (d.is_scalar()) {
    EMBER_CHECK(depth == shape.size(), "tensor: expected a list at depth ", depth,
                " but found a number (the nested lists are not rectangular)");
    flat.push_back(d.scalar());
    any_float = any_float || d.scalar().is_floating();
    all_bool = all_bool && d.scalar().is_bool();
    return;
  }
  int64_t n = static_cast<int64_t>(d.list().size());
  if (depth == shape.size()) {
    EMBER_CHECK(flat.empty(), "tensor: the nested lists are not rectangular");
    shape.push_back(n);
  } else {
    EMBER_CHECK(shape[depth] == n, "tensor: expected a list of length ", shape[depth],
                " at depth ", depth, " but got length ", n, " (the nested lists are not rectangular)");
  }
  for (const auto& x : d.list()) collect(x, depth + 1, shape, flat, any_float, all_bool);
}

}  // namespace

Tensor tensor(const TensorData& data, const TensorOptions& opts) {
  Shape shape;
  std::vector<Scalar> flat;
  bool any_float = false, all_bool = true;
  collect(data, 0, shape, flat, any_float, all_bool);
  ScalarType dt = opts.has_dtype() ? opts.dtype()
                                   : (any_float || flat.empty() ? default_dtype() : (all_bool ? kBool : kInt64));
  Tensor host = empty_tensor(shape, dt, Device(kCPU));
  EMBER_DISPATCH_ALL_TYPES(dt, "tensor", [&] {
    auto* p = host.data_ptr<scalar_t>();
    for (size_t i = 0; i < flat.size(); ++i) p[i] = flat[i].to<scalar_t>();
  });
  return finish(host.to(opts.device()), opts);
}

Tensor scalar_tensor(const Scalar& s, const TensorOptions& opts) {
  return full({}, s, opts.has_dtype() ? opts : opts.dtype(s.is_floating() ? default_dtype() : s.dtype()));
}

Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, const TensorOptions& opts) {
  EMBER_CHECK(sizes.size() == strides.size(), "from_blob: got ", sizes.size(), " sizes but ",
              strides.size(), " strides");
  int64_t extent = 1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    EMBER_CHECK(sizes[i] >= 0 && strides[i] >= 0, "from_blob: invalid size/stride ",
                shape_str(sizes), " / ", shape_str(strides));
    if (sizes[i] == 0) extent = 0;
    else if (extent) extent += (sizes[i] - 1) * strides[i];
  }
  Device dev = opts.device();
  size_t nbytes = static_cast<size_t>(extent) * itemsize(opts.dtype());
  auto storage = std::make_shared<Storage>(wrap_external(data, nullptr), nbytes, dev);
  Tensor t(std::make_shared<TensorImpl>(storage, sizes, strides, 0, opts.dtype(), dev));
  return finish(t, opts);
}

Tensor from_blob(void* data, IntArrayRef sizes, const TensorOptions& opts) {
  return from_blob(data, sizes, contiguous_strides(sizes), opts);
}

Tensor from_blob(void* data, IntArrayRef sizes, std::function<void(void*)> deleter,
                 const TensorOptions& opts) {
  Device dev = opts.device();
  size_t nbytes = static_cast<size_t>(numel_of(sizes)) * itemsize(opts.dtype());
  auto storage = std::make_shared<Storage>(wrap_external(data, std::move(deleter)), nbytes, dev);
  Tensor t(std::make_shared<TensorImpl>(storage, sizes, contiguous_strides(sizes), 0, opts.dtype(), dev));
  return finish(t, opts);
}

Tensor empty(IntArrayRef sizes, const TensorOptions& opts) {
  if (jit::tracing_active({})) return zeros(sizes, opts);
  return finish(empty_tensor(sizes, opts.dtype(), opts.device()), opts);
}

Tensor zeros(IntArrayRef sizes, const TensorOptions& opts) {
  return full(sizes, 0, opts.dtype(opts.dtype()));
}
Tensor ones(IntArrayRef sizes, const TensorOptions& opts) {
  return full(sizes, 1, opts.dtype(opts.dtype()));
}
// Without a dtype, the value decides it, as in libtorch: full({2}, 3) is int64, full({2},
// true) is bool, full({2}, 2.5) has the default float dtype.
Tensor full(IntArrayRef sizes, const Scalar& value, const TensorOptions& opts) {
  TensorOptions o = opts.has_dtype() ? opts
                                     : opts.dtype(value.is_bool() ? kBool
                                                  : value.is_integral() ? kInt64 : default_dtype());
  return shaped(OpId::Full, sizes, o, Attrs().set("value", value));
}

Tensor arange(const Scalar& end, const TensorOptions& opts) { return arange(0, end, 1, opts); }
Tensor arange(const Scalar& start, const Scalar& end, const TensorOptions& opts) {
  return arange(start, end, 1, opts);
}

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, const TensorOptions& opts) {
  bool ints = start.is_integral() && end.is_integral() && step.is_integral();
  TensorOptions o = opts.has_dtype() ? opts : opts.dtype(ints ? kInt64 : default_dtype());
  Attrs a;
  a.set("start", start.to_double()).set("end", end.to_double()).set("step", step.to_double());
  a.set("dtype", o.dtype()).set("device", o.device());
  return finish(call1(OpId::Arange, {}, a), o);
}

Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, const TensorOptions& opts) {
  Attrs a;
  a.set("start", start.to_double()).set("end", end.to_double()).set("steps", steps);
  a.set("dtype", opts.dtype()).set("device", opts.device());
  return finish(call1(OpId::Linspace, {}, a), opts);
}

Tensor eye(int64_t n, const TensorOptions& opts) { return eye(n, n, opts); }
Tensor eye(int64_t n, int64_t m, const TensorOptions& opts) {
  Attrs a;
  a.set("n", n).set("m", m).set("dtype", opts.dtype()).set("device", opts.device());
  return finish(call1(OpId::Eye, {}, a), opts);
}

Tensor rand(IntArrayRef sizes, const TensorOptions& opts) {
  return shaped(OpId::Rand, sizes, opts, Attrs().set("a", 0.0).set("b", 1.0));
}
Tensor randn(IntArrayRef sizes, const TensorOptions& opts) {
  return shaped(OpId::Randn, sizes, opts, Attrs().set("a", 0.0).set("b", 1.0));
}
Tensor randint(int64_t high, IntArrayRef sizes, const TensorOptions& opts) {
  return randint(0, high, sizes, opts);
}
Tensor randint(int64_t low, int64_t high, IntArrayRef sizes, const TensorOptions& opts) {
  TensorOptions o = opts.has_dtype() ? opts : opts.dtype(kInt64);
  return shaped(OpId::Randint, sizes, o,
                Attrs().set("a", static_cast<double>(low)).set("b", static_cast<double>(high)));
}

namespace {
TensorOptions like(const Tensor& t, const TensorOptions& o) {
  return TensorOptions()
      .dtype(o.has_dtype() ? o.dtype() : t.dtype())
      .device(o.has_device() ? o.device() : t.device())
      .requires_grad(o.requires_grad());
}
}  // namespace

Tensor empty_like(const Tensor& t, const TensorOptions& o) { return empty(t.sizes(), like(t, o)); }
Tensor zeros_like(const Tensor& t, const TensorOptions& o) { return zeros(t.sizes(), like(t, o)); }
Tensor ones_like(const Tensor& t, const TensorOptions& o) { return ones(t.sizes(), like(t, o)); }
Tensor full_like(const Tensor& t, const Scalar& v, const TensorOptions& o) {
  return full(t.sizes(), v, like(t, o));
}
Tensor rand_like(const Tensor& t, const TensorOptions& o) { return rand(t.sizes(), like(t, o)); }
Tensor randn_like(const Tensor& t, const TensorOptions& o) { return randn(t.sizes(), like(t, o)); }

}  // namespace ember
