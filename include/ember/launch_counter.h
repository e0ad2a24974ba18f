#pragma once
#include <cstdint>

namespace ember {

// Kernels launched by this thread so far (every backend call and fused kernel counts one):
// compiled graphs prove with it that they run fused kernels, benchmarks report it.
int64_t kernel_launch_count();
void count_kernel_launch();

}  // namespace ember
