#pragma once
// Time per call of a benchmarked function: warm-up calls, then repeated timed calls until a
// repeat count or a time budget is reached, summarised by order statistics. Free of ember
// and torch headers so that both the ember and the libtorch side time the same way.
#include <functional>
#include <vector>

namespace ember::bench {

struct Timing {
  double median_us = 0, p10_us = 0, p90_us = 0, min_us = 0, max_us = 0, mean_us = 0;
  int repeats = 0;
};

struct TimingOptions {
  int warmup = 3;          // untimed calls first (caches, allocator, lazy initialisation)
  int max_repeat = 1000;   // timed calls at most
  int min_repeat = 10;     // timed calls at least, even past the budget
  double budget_ms = 1000; // stop adding timed calls once this much time was spent timing
};

// Microseconds one call took, the device work included (host timer + synchronize, or
// device events).
using CallTimer = std::function<double(const std::function<void()>& call)>;

// A CallTimer of steady_clock around call() followed by sync().
CallTimer host_timer(std::function<void()> sync);

Timing time_calls(const std::function<void()>& call, const CallTimer& timer, const TimingOptions& o);

// Order statistics of samples (microseconds); p10/p90 interpolate between neighbours.
Timing summarize(std::vector<double> samples_us);

}  // namespace ember::bench
