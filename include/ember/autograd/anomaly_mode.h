#pragma once
// libtorch's anomaly detection (torch::autograd::AnomalyMode, DetectAnomalyGuard), process-wide
// as there. While on, the first op that produces NaN is an ember::Error naming it, eagerly with
// the call site, compiled with its kernel and the source ops inside, or the input that already
// held NaN; in backward, a function returning NaN or Inf gradients is named with the forward
// call site that made it. Slow (every result is inspected on the host): for debugging only.
namespace ember::autograd {

struct AnomalyMode {
  static bool is_enabled();
  // check_nan = false records forward call sites for backward errors but inspects no values.
  static void set_enabled(bool enabled, bool check_nan = true);
  static bool should_check_nan();
};

class DetectAnomalyGuard {
 public:
  explicit DetectAnomalyGuard(bool check_nan = true);
  ~DetectAnomalyGuard();
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool prev_enabled_, prev_check_nan_;
};

}  // namespace ember::autograd
