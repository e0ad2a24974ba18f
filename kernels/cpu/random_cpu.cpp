// Random fills and ramps on the CPU. The per-element formulas live in kernels/device/ so
// the CUDA kernels produce the same bits.
#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/parallel.h"
#include "kernels/device/cast.h"
#include "kernels/device/philox.h"
#include "kernels/device/random_value.h"
#include "runtime/dispatch.h"

namespace ember::cpu {

void random(const Tensor& out, RandomKind kind, double a, double b, uint64_t seed,
            uint64_t offset) {
  EMBER_DISPATCH_ALL_TYPES(out.dtype(), "random", [&] {
    auto* p = static_cast<scalar_t*>(out.data_ptr());
    parallel_for(out.numel(), 4096, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i)
        p[i] = dev::random_value<scalar_t>(static_cast<int>(kind), a, b, seed, offset + i);
    });
  });
}

void iota(const Tensor& out, double start, double step, double end, bool symmetric) {
  int64_t n = out.numel();
  EMBER_DISPATCH_ALL_TYPES(out.dtype(), "arange", [&] {
    auto* p = static_cast<scalar_t*>(out.data_ptr());
    parallel_for(n, 4096, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i)
        p[i] = dev::convert<scalar_t>(dev::ramp_value(start, step, end, symmetric, i, n));
    });
  });
}

}  // namespace ember::cpu
