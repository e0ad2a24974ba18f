// Fused optimizer updates on the CPU: one pass over each parameter.
#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/parallel.h"
#include "kernels/device/cast.h"
#include "kernels/device/optim.h"

namespace ember::cpu {

namespace {

template <class S>
S* ptr(const Tensor& t) {
  return t.defined() ? static_cast<S*>(t.data_ptr()) : nullptr;
}

template <class S>
void update(const OptimizerArgs& a, const std::vector<Tensor>& ts) {
  using T = typename dev::OpMath<S>::type;
  S *pp = ptr<S>(ts[0]), *gp = ptr<S>(ts[1]);
  if (a.kind == OptimizerArgs::Kind::Sgd) {
    S* bp = ptr<S>(ts[2]);
    parallel_for(ts[0].numel(), 8192, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        T pv = dev::convert<T>(pp[i]), bv = bp ? dev::convert<T>(bp[i]) : T(0);
        dev::sgd_update(pv, dev::convert<T>(gp[i]), bv, a.sgd);
        pp[i] = dev::convert<S>(pv);
        if (bp) bp[i] = dev::convert<S>(bv);
      }
    });
    return;
  }
  S *mp = ptr<S>(ts[2]), *vp = ptr<S>(ts[3]), *xp = ptr<S>(ts[4]);
  parallel_for(ts[0].numel(), 8192, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      T pv = dev::convert<T>(pp[i]), mv = dev::convert<T>(mp[i]), vv = dev::convert<T>(vp[i]);
      T xv = xp ? dev::convert<T>(xp[i]) : T(0);
      dev::adam_update(pv, dev::convert<T>(gp[i]), mv, vv, xv, a.adam);
      pp[i] = dev::convert<S>(pv);
      mp[i] = dev::convert<S>(mv);
      vp[i] = dev::convert<S>(vv);
      if (xp) xp[i] = dev::convert<S>(xv);
    }
  });
}

}  // namespace

void optimizer_step(const OptimizerArgs& a) {
  for (const auto& ts : a.tensors) {
    switch (ts[0].dtype()) {
      case kFloat32: update<float>(a, ts); break;
      case kFloat64: update<double>(a, ts); break;
      case kFloat16: update<Half>(a, ts); break;
      case kBFloat16: update<BFloat16>(a, ts); break;
      default:
        EMBER_FAIL("optimizer step: parameters must be floating point, got ",
                   dtype_name(ts[0].dtype()));
    }
  }
}

}  // namespace ember::cpu
