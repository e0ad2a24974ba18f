#include "ember/autograd/anomaly_mode.h"

#include <atomic>

namespace ember::autograd {

namespace {
std::atomic<bool> g_enabled{false}, g_check_nan{true};
}

bool AnomalyMode::is_enabled() { return g_enabled.load(std::memory_order_relaxed); }
bool AnomalyMode::should_check_nan() { return g_check_nan.load(std::memory_order_relaxed); }
void AnomalyMode::set_enabled(bool enabled, bool check_nan) {
  g_enabled.store(enabled);
  g_check_nan.store(check_nan);
}

DetectAnomalyGuard::DetectAnomalyGuard(bool check_nan)
    : prev_enabled_(AnomalyMode::is_enabled()), prev_check_nan_(AnomalyMode::should_check_nan()) {
  AnomalyMode::set_enabled(true, check_nan);
}
DetectAnomalyGuard::~DetectAnomalyGuard() { AnomalyMode::set_enabled(prev_enabled_, prev_check_nan_); }

}  // namespace ember::autograd
