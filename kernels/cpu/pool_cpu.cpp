// Pooling on the CPU: the shared window code (kernels/device/pool.h) in a parallel loop over
// output (forward) or input (average backward) elements.
#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/parallel.h"
#include "runtime/dispatch.h"

namespace ember::cpu {

namespace {

template <class F>
void floating(ScalarType dt, const char* name, const F& f) {
  switch (dt) {
    case kFloat32: return f(float{});
    case kFloat64: return f(double{});
    case kFloat16: return f(Half{});
    case kBFloat16: return f(BFloat16{});
    default: EMBER_FAIL('"', name, "\" not implemented for '", dtype_name(dt), "'");
  }
}

int64_t grain_for(const dev::PoolArgs& a) {
  int64_t window = a.kind == dev::PoolKind::Avg || a.kind == dev::PoolKind::Max
                       ? a.k[0] * a.k[1] * a.k[2]
                       : (a.in_plane() + a.out_plane() - 1) / std::max<int64_t>(1, a.out_plane());
  return std::max<int64_t>(1, 16384 / std::max<int64_t>(1, window));
}

}  // namespace

void pool(const dev::PoolArgs& a, const Tensor& out, const Tensor& indices, const Tensor& in) {
  floating(in.dtype(), "pool", [&](auto tag) {
    using S = decltype(tag);
    const S* x = static_cast<const S*>(in.data_ptr());
    S* y = static_cast<S*>(out.data_ptr());
    int64_t* idx = indices.defined() ? static_cast<int64_t*>(indices.data_ptr()) : nullptr;
    parallel_for(a.planes * a.out_plane(), grain_for(a), [&](int64_t b, int64_t e) {
      for (int64_t f = b; f < e; ++f) dev::pool_forward_one<S>(a, x, f, y, reinterpret_cast<dev::i64*>(idx));
    });
  });
}

void pool_backward(const dev::PoolArgs& a, const Tensor& grad_in, const Tensor& grad_out) {
  EMBER_CHECK(a.kind == dev::PoolKind::Avg || a.kind == dev::PoolKind::AdaptiveAvg,
              "internal: pool_backward is for the average kinds");
  floating(grad_in.dtype(), "pool_backward", [&](auto tag) {
    using S = decltype(tag);
    const S* g = static_cast<const S*>(grad_out.data_ptr());
    S* gx = static_cast<S*>(grad_in.data_ptr());
    parallel_for(a.planes * a.in_plane(), grain_for(a), [&](int64_t b, int64_t e) {
      for (int64_t f = b; f < e; ++f) dev::avg_pool_backward_one<S>(a, g, f, gx);
    });
  });
}

}  // namespace ember::cpu
