// Builds against an installed ember with only <prefix>/include on the include path.
#include <ember/ember.h>

#include <iostream>

// Only the public API is installed: no internal header may be reachable.
#if __has_include("runtime/dispatch.h") || __has_include("kernels/op_registry.h") ||   \
    __has_include("compiler/graph.h") || __has_include("frontend/compile/tracer.h") || \
    __has_include(<ember/runtime/tensor.h>) || __has_include(<ember/compiler/graph.h>) || \
    __has_include("kernels/device/config.h") || __has_include("tensor.h")
#error "an internal ember header is reachable from an installed ember"
#endif

int main() {
  auto x = ember::ones({2, 3});
  auto y = (x * 2).sum();
  if (y.item<float>() != 12.0f) {
    std::cerr << "consumer: wrong result " << y << "\n";
    return 1;
  }
  auto w = ember::randn({3, 2}, ember::TensorOptions().requires_grad(true));
  auto step = ember::compile([&](const ember::Tensor& a) { return (a.mm(w).relu() * 2 + 1).sum(); });
  auto loss = step(x);
  loss.backward();
  if (!w.grad().defined() || step.stats().compiles != 1 || step.graph_json().empty() ||
      step.kernels().empty() || step.dump().empty()) {
    std::cerr << "consumer: compiled step did not run or cannot be inspected\n";
    return 1;
  }
  std::cout << "consumer: " << y << ", compiled step with " << step.summary().kernels
            << " fused kernel(s) (CUDA devices: " << ember::cuda::device_count() << ")\n";
  return 0;
}
