#pragma once
// Which fusion broke a result: each fused kernel of a program runs on its own, every other step
// as its ops one by one, and what it writes is compared with every node run alone (eager
// semantics, the same device). Kernels without a reduction must match bitwise (the promise);
// with one, within close(rtol, atol).
#include <string>
#include <vector>

#include "compiler/program.h"

namespace ember::jit {

struct KernelVerdict {
  std::string kernel;       // step_name(): the kernel and its source ops
  std::string origins;      // step_origins(): where each source op was traced from
  bool has_reduction = false;
  bool bitwise = true;
  double max_abs_diff = 0;  // over the values it writes
  bool ok = true;           // bitwise, or close for a reduction
};

struct BisectReport {
  std::vector<KernelVerdict> kernels;  // in run order
  int first_bad = -1;                  // index into kernels, -1 when all agree
  double rtol = 0, atol = 0;
  std::string describe() const;
};

BisectReport bisect(const Program& program, const std::vector<Tensor>& inputs, double rtol = 1e-5,
                    double atol = 1e-5);

}  // namespace ember::jit
