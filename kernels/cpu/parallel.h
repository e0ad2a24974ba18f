#pragma once
#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace ember::cpu {

// Runs f(begin, end) over [0, n) split across OpenMP threads when n is large enough.
template <class F>
void parallel_for(int64_t n, int64_t grain, const F& f) {
  if (n <= 0) return;
  int threads = omp_get_max_threads();
  if (n <= grain || threads == 1 || omp_in_parallel()) {
    f(int64_t{0}, n);
    return;
  }
  int64_t tasks = std::min<int64_t>(threads, (n + grain - 1) / grain);
#pragma omp parallel num_threads(static_cast<int>(tasks))
  {
    int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    int64_t chunk = (n + nt - 1) / nt;
    int64_t b = t * chunk, e = std::min(n, b + chunk);
    if (b < e) f(b, e);
  }
}

constexpr int64_t kPointwiseGrain = 32768;

}  // namespace ember::cpu
