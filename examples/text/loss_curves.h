#pragma once
// Comparing the per-step losses of training runs (the language-model examples and their tests).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace ember::examples {

inline double mean_of_last(const std::vector<double>& losses, size_t n) {
  n = std::min(n, losses.size());
  double s = 0;
  for (size_t i = losses.size() - n; i < losses.size(); ++i) s += losses[i];
  return n ? s / static_cast<double>(n) : 0.0;
}

// "eager vs compiled: 300 of 300 step losses bit-equal, largest relative difference 0".
inline void print_agreement(const std::vector<double>& eager, const std::vector<double>& compiled) {
  double worst = 0;
  size_t equal = 0, n = std::min(eager.size(), compiled.size());
  for (size_t i = 0; i < n; ++i) {
    equal += eager[i] == compiled[i];
    worst = std::max(worst, std::abs(eager[i] - compiled[i]) / std::max(1e-12, std::abs(eager[i])));
  }
  std::printf("eager vs compiled: %zu of %zu step losses bit-equal, largest relative difference %.3g\n", equal, n,
              worst);
}

}  // namespace ember::examples
