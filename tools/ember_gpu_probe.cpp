// ember-gpu-probe: the first thing scripts/gpu_check.sh runs on a GPU machine. It says what
// the device is, or why CUDA is not visible (exit 2), then runs one quick check per CUDA path
// (eager kernels, the reductions, cuBLAS, cuDNN, NVRTC, the device-side index check, OOM
// recovery) against the CPU, so that a run cut short still says which paths work.
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "cuda_device.h"
#include "ember/compile.h"
#include "ember/ember.h"
#include "ember/nn/conv.h"
#include "runtime/cuda/cuda_unavailable.h"

using namespace ember;

namespace {

const Device kGpu(kCUDA, 0);

std::string expect(bool ok, const std::string& what) { return ok ? "" : what; }

std::string eager_pointwise() {
  Tensor x = randn({1 << 20});
  Tensor y = (x.to(kGpu) * 2 + 1).cpu();
  return expect(y.equal(x * 2 + 1), "x * 2 + 1 on CUDA differs from the CPU bitwise");
}

std::string full_sum_deterministic() {
  Tensor x = randn({(1 << 22) + 3}, TensorOptions().device(kGpu));
  Tensor a = x.sum().cpu(), b = x.sum().cpu();
  if (!a.equal(b)) return "two sums of the same tensor differ";
  return expect(a.allclose(x.cpu().to(kFloat64).sum().to(kFloat32), 1e-4, 1e-3), "sum differs from the CPU's");
}

std::string cublas_matmul() {
  Tensor a = randn({257, 129}), b = randn({129, 65});
  Tensor gpu = matmul(a.to(kGpu), b.to(kGpu)).cpu();
  return expect(gpu.allclose(matmul(a, b), 1e-4, 1e-4), "matmul differs from the CPU's");
}

std::string cudnn_conv() {
  Tensor x = randn({2, 3, 17, 17}), w = randn({8, 3, 3, 3}), bias = randn({8});
  Tensor gpu = conv2d(x.to(kGpu), w.to(kGpu), bias.to(kGpu), 1, 1).cpu();
  return expect(gpu.allclose(conv2d(x, w, bias, 1, 1), 1e-4, 1e-4), "conv2d differs from the CPU's");
}

std::string nvrtc_fused_chain() {
  auto chain = ember::compile([](const Tensor& x) { return ((x + 1) * 3).clamp(-2, 2).pow(2); });
  Tensor x = randn({(1 << 20) + 1}, TensorOptions().device(kGpu));
  auto t0 = std::chrono::steady_clock::now();
  Tensor fused = chain(x);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("    first compiled call (trace + NVRTC): %.1f ms\n", ms);
  return expect(fused.cpu().equal(((x + 1) * 3).clamp(-2, 2).pow(2).cpu()), "fused chain differs from eager bitwise");
}

std::string index_check_on_device() {
  Tensor x = randn({16}, TensorOptions().device(kGpu));
  Tensor bad = full({4}, 16, TensorOptions().dtype(kInt64).device(kGpu));
  try {
    x.index_select(0, bad).cpu();
  } catch (const Error& e) {
    std::printf("    out-of-range index: %s\n", e.what());
    Tensor good = x.index_select(0, arange(4, TensorOptions().dtype(kInt64).device(kGpu))).cpu();
    return expect(good.equal(x.cpu().slice(0, 0, 4)), "index_select after a reported error is wrong");
  }
  return "an out-of-range index was not reported";
}

std::string oom_then_recovery() {
  try {
    empty({int64_t(1) << 48}, TensorOptions().device(kGpu));
  } catch (const Error& e) {
    std::printf("    OOM: %s\n", std::string(e.what()).substr(0, 200).c_str());
    Tensor after = ones({1 << 20}, TensorOptions().device(kGpu)).sum().cpu();
    return expect(after.item<float>() == float(1 << 20), "the device does not work after an OOM");
  }
  return "a 1 PiB allocation did not fail";
}

}  // namespace

int main() {
  if (!cuda::is_available()) {
    std::printf("CUDA not visible: %s\n", cuda::unavailable_reason());
    return 2;
  }
  std::printf("device: %s\n", bench::cuda_info(0).dump().c_str());
  const std::vector<std::pair<const char*, std::function<std::string()>>> checks = {
      {"eager pointwise", eager_pointwise},       {"full sum", full_sum_deterministic},
      {"cuBLAS matmul", cublas_matmul},           {"cuDNN conv2d", cudnn_conv},
      {"NVRTC fused chain", nvrtc_fused_chain},   {"device-side index check", index_check_on_device},
      {"OOM then recovery", oom_then_recovery}};
  int failed = 0;
  for (const auto& [name, check] : checks) {
    std::string problem;
    try {
      problem = check();
    } catch (const std::exception& e) {
      problem = std::string("threw: ") + e.what();
    }
    std::printf("%-26s %s\n", name, problem.empty() ? "ok" : ("FAIL: " + problem).c_str());
    failed += !problem.empty();
  }
  std::printf("%d of %zu probe checks failed\n", failed, checks.size());
  return failed ? 1 : 0;
}
