// Fused optimizer updates on CUDA with the CPU's per-element formulas
// (kernels/device/optim.h): one launch updates up to kPerLaunch parameters of one dtype,
// blockIdx.y picking the parameter and a grid-stride loop covering its elements.
#include <cuda_runtime.h>

#include <algorithm>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/launch.h"
#include "kernels/device/cast.h"
#include "kernels/device/optim.h"

namespace ember::cuda {

namespace {

constexpr int kPerLaunch = 32;

// Per parameter: the parameter, its gradient and up to three state tensors (null when
// undefined: SGD without momentum, Adam without amsgrad).
template <class S>
struct ParamBatch {
  int count = 0;
  int64_t numel[kPerLaunch];
  S* param[kPerLaunch];
  const S* grad[kPerLaunch];
  S* state[3][kPerLaunch];
};

#define EMBER_GRID_STRIDE(i, n)                                                          \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)

template <class S>
__global__ void sgd_kernel(ParamBatch<S> b, dev::SgdHyper h) {
  using T = typename dev::OpMath<S>::type;
  const int t = blockIdx.y;
  S* pp = b.param[t];
  const S* gp = b.grad[t];
  S* bp = b.state[0][t];
  EMBER_GRID_STRIDE(i, b.numel[t]) {
    T pv = dev::convert<T>(pp[i]), bv = bp ? dev::convert<T>(bp[i]) : T(0);
    dev::sgd_update(pv, dev::convert<T>(gp[i]), bv, h);
    pp[i] = dev::convert<S>(pv);
    if (bp) bp[i] = dev::convert<S>(bv);
  }
}

template <class S>
__global__ void adam_kernel(ParamBatch<S> b, dev::AdamHyper h) {
  using T = typename dev::OpMath<S>::type;
  const int t = blockIdx.y;
  S* pp = b.param[t];
  const S* gp = b.grad[t];
  S *mp = b.state[0][t], *vp = b.state[1][t], *xp = b.state[2][t];
  EMBER_GRID_STRIDE(i, b.numel[t]) {
    T pv = dev::convert<T>(pp[i]), mv = dev::convert<T>(mp[i]), vv = dev::convert<T>(vp[i]);
    T xv = xp ? dev::convert<T>(xp[i]) : T(0);
    dev::adam_update(pv, dev::convert<T>(gp[i]), mv, vv, xv, h);
    pp[i] = dev::convert<S>(pv);
    mp[i] = dev::convert<S>(mv);
    vp[i] = dev::convert<S>(vv);
    if (xp) xp[i] = dev::convert<S>(xv);
  }
}

#undef EMBER_GRID_STRIDE

template <class S>
S* ptr_or_null(const std::vector<Tensor>& ts, size_t k) {
  return k < ts.size() && ts[k].defined() ? static_cast<S*>(ts[k].data_ptr()) : nullptr;
}

template <class S>
void launch_batch(const OptimizerArgs& a, const ParamBatch<S>& b, int64_t max_numel,
                  cudaStream_t stream) {
  dim3 grid(blocks_for(max_numel), static_cast<unsigned>(b.count));
  if (a.kind == OptimizerArgs::Kind::Sgd) sgd_kernel<S><<<grid, kThreads, 0, stream>>>(b, a.sgd);
  else adam_kernel<S><<<grid, kThreads, 0, stream>>>(b, a.adam);
  EMBER_CUDA_CHECK_LAUNCH();
}

// Updates the parameters of `a` whose dtype is S, kPerLaunch at a time.
template <class S>
void step_dtype(const OptimizerArgs& a, cudaStream_t stream) {
  ParamBatch<S> b;
  int64_t max_numel = 0;
  for (const auto& ts : a.tensors) {
    if (ts[0].dtype() != dtype_of<S>() || ts[0].numel() == 0) continue;
    int k = b.count++;
    b.numel[k] = ts[0].numel();
    b.param[k] = ptr_or_null<S>(ts, 0);
    b.grad[k] = ptr_or_null<S>(ts, 1);
    for (int s = 0; s < 3; ++s) b.state[s][k] = ptr_or_null<S>(ts, 2 + s);
    max_numel = std::max(max_numel, b.numel[k]);
    if (b.count == kPerLaunch) {
      launch_batch(a, b, max_numel, stream);
      b.count = 0;
      max_numel = 0;
    }
  }
  if (b.count > 0) launch_batch(a, b, max_numel, stream);
}

}  // namespace

void optimizer_step(const OptimizerArgs& a) {
  if (a.tensors.empty()) return;
  const size_t needed = a.kind == OptimizerArgs::Kind::Sgd ? 2 : 4;
  int device = a.tensors[0][0].device().index;
  for (const auto& ts : a.tensors) {
    EMBER_CHECK(ts.size() >= needed && ts[0].defined() && ts[1].defined(),
                "internal: optimizer step without a parameter, gradient or state tensor");
    ScalarType dt = ts[0].dtype();
    EMBER_CHECK(is_floating(dt), "optimizer step: parameters must be floating point, got ",
                dtype_name(dt));
    for (size_t k = 0; k < ts.size(); ++k) {
      if (!ts[k].defined()) continue;
      EMBER_CHECK(ts[k].device() == ts[0].device() && ts[k].dtype() == dt &&
                      ts[k].numel() == ts[0].numel() && ts[k].is_contiguous(),
                  "optimizer step on CUDA: every gradient and state tensor must be contiguous "
                  "and match its parameter's device, dtype and size");
    }
    EMBER_CHECK(ts[0].device().index == device,
                "optimizer step: parameters of one group must share a device");
  }
  if (a.kind == OptimizerArgs::Kind::Sgd && a.sgd.momentum != 0)
    for (const auto& ts : a.tensors)
      EMBER_CHECK(ts.size() > 2 && ts[2].defined(), "internal: SGD momentum without a buffer");
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  step_dtype<float>(a, stream);
  step_dtype<double>(a, stream);
  step_dtype<Half>(a, stream);
  step_dtype<BFloat16>(a, stream);
}

}  // namespace ember::cuda
