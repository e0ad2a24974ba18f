#include "timing.h"

#include <algorithm>
#include <chrono>
#include <numeric>

namespace ember::bench {

namespace {

double percentile(const std::vector<double>& sorted, double q) {
  double pos = q * static_cast<double>(sorted.size() - 1);
  size_t lo = static_cast<size_t>(pos);
  size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

CallTimer host_timer(std::function<void()> sync) {
  return [sync = std::move(sync)](const std::function<void()>& call) {
    auto t0 = std::chrono::steady_clock::now();
    call();
    sync();
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  };
}

Timing time_calls(const std::function<void()>& call, const CallTimer& timer, const TimingOptions& o) {
  for (int i = 0; i < o.warmup; ++i) timer(call);
  std::vector<double> samples;
  double spent_us = 0;
  while (static_cast<int>(samples.size()) < std::max(1, o.max_repeat)) {
    double us = timer(call);
    samples.push_back(us);
    spent_us += us;
    if (static_cast<int>(samples.size()) >= o.min_repeat && spent_us >= o.budget_ms * 1000) break;
  }
  return summarize(std::move(samples));
}

Timing summarize(std::vector<double> samples_us) {
  Timing t;
  if (samples_us.empty()) return t;
  std::sort(samples_us.begin(), samples_us.end());
  t.repeats = static_cast<int>(samples_us.size());
  t.min_us = samples_us.front();
  t.max_us = samples_us.back();
  t.median_us = percentile(samples_us, 0.5);
  t.p10_us = percentile(samples_us, 0.1);
  t.p90_us = percentile(samples_us, 0.9);
  t.mean_us = std::accumulate(samples_us.begin(), samples_us.end(), 0.0) / static_cast<double>(t.repeats);
  return t;
}

}  // namespace ember::bench
