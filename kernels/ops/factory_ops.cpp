// Factories: full, arange, linspace, eye, rand/randn/randint. Random ops claim their
// counters from the generator when they run, so a compiled graph draws fresh values per call.
#include <cmath>

#include "kernels/backend.h"
#include "kernels/op_registry.h"
#include "kernels/ops/ops_util.h"
#include "kernels/tensor_alloc.h"
#include "ember/generator.h"

namespace ember {

namespace {

std::vector<OutSpec> shaped_meta(const std::vector<Tensor>&, const Attrs& a) {
  for (auto s : a.ints("shape"))
    EMBER_CHECK(s >= 0, "factory: negative dimension ", s, " in size ", shape_str(a.ints("shape")));
  return {{a.ints("shape"), a.dtype("dtype"), a.device("device")}};
}

void full_run(const std::vector<Tensor>&, const Attrs& a, std::vector<Tensor>& out) {
  copy_into(out[0], wrapped_scalar(a.scalar("value")));
}

int64_t arange_length(double start, double end, double step) {
  EMBER_CHECK(step != 0.0, "arange: step must be nonzero");
  EMBER_CHECK(std::isfinite(start) && std::isfinite(end), "arange: unsupported range: ", start,
              " -> ", end);
  EMBER_CHECK((step > 0 && end >= start) || (step < 0 && end <= start),
              "arange: upper bound and larger bound inconsistent with step sign (start=", start,
              ", end=", end, ", step=", step, ")");
  return static_cast<int64_t>(std::ceil((end - start) / step));
}

std::vector<OutSpec> arange_meta(const std::vector<Tensor>&, const Attrs& a) {
  int64_t n = arange_length(a.f("start"), a.f("end"), a.f("step"));
  return {{{n}, a.dtype("dtype"), a.device("device")}};
}

void arange_run(const std::vector<Tensor>&, const Attrs& a, std::vector<Tensor>& out) {
  if (out[0].numel() == 0) return;
  backend_for(out[0].device()).iota(out[0], a.f("start"), a.f("step"), 0.0, false);
}

std::vector<OutSpec> linspace_meta(const std::vector<Tensor>&, const Attrs& a) {
  int64_t steps = a.i("steps");
  EMBER_CHECK(steps >= 0, "linspace: number of steps must be non-negative (got ", steps, ")");
  return {{{steps}, a.dtype("dtype"), a.device("device")}};
}

void linspace_run(const std::vector<Tensor>&, const Attrs& a, std::vector<Tensor>& out) {
  int64_t n = a.i("steps");
  if (n == 0) return;
  double start = a.f("start"), end = a.f("end");
  double step = n > 1 ? (end - start) / static_cast<double>(n - 1) : 0.0;
  backend_for(out[0].device()).iota(out[0], start, step, end, n > 1);
}

std::vector<OutSpec> eye_meta(const std::vector<Tensor>&, const Attrs& a) {
  int64_t n = a.i("n"), m = a.i("m");
  EMBER_CHECK(n >= 0 && m >= 0, "eye: n and m must be non-negative (got ", n, ", ", m, ")");
  return {{{n, m}, a.dtype("dtype"), a.device("device")}};
}

void eye_run(const std::vector<Tensor>&, const Attrs& a, std::vector<Tensor>& out) {
  const Tensor& o = out[0];
  copy_into(o, wrapped_scalar(0));
  int64_t n = std::min(a.i("n"), a.i("m"));
  if (n == 0) return;
  Tensor diag = make_view(o, {n}, {o.strides()[0] + o.strides()[1]}, o.storage_offset());
  copy_into(diag, wrapped_scalar(1));
}

template <RandomKind Kind>
void random_run(const std::vector<Tensor>&, const Attrs& a, std::vector<Tensor>& out) {
  const Tensor& o = out[0];
  double lo = a.f("a"), hi = a.f("b");
  if (Kind == RandomKind::Uniform || Kind == RandomKind::Normal)
    EMBER_CHECK(is_floating(o.dtype()), Kind == RandomKind::Normal ? "randn" : "rand",
                ": expected a floating point dtype but got ", dtype_name(o.dtype()));
  if (Kind == RandomKind::Randint)
    EMBER_CHECK(hi > lo, "randint: expected low < high, but got low=", lo, ", high=", hi);
  if (Kind == RandomKind::Normal) EMBER_CHECK(hi >= 0, "normal: std must be >= 0 (got ", hi, ")");
  uint64_t n = static_cast<uint64_t>(o.numel());
  if (n == 0) return;
  Generator& g = default_generator();
  uint64_t offset = g.reserve(n);
  if (o.is_contiguous()) {
    backend_for(o.device()).random(o, Kind, lo, hi, g.seed(), offset);
  } else {
    Tensor tmp = empty_tensor(o.sizes(), o.dtype(), o.device());
    backend_for(o.device()).random(tmp, Kind, lo, hi, g.seed(), offset);
    copy_into(o, tmp);
  }
}

}  // namespace

void register_factory_ops() {
  register_op(OpId::Full, &shaped_meta, &full_run);
  register_op(OpId::Arange, &arange_meta, &arange_run);
  register_op(OpId::Linspace, &linspace_meta, &linspace_run);
  register_op(OpId::Eye, &eye_meta, &eye_run);
  register_op(OpId::Rand, &shaped_meta, &random_run<RandomKind::Uniform>);
  register_op(OpId::Randn, &shaped_meta, &random_run<RandomKind::Normal>);
  register_op(OpId::Randint, &shaped_meta, &random_run<RandomKind::Randint>);
}

}  // namespace ember
