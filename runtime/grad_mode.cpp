#include "ember/grad_mode.h"
#include "runtime/fast_tls.h"

namespace ember {
namespace {
EMBER_FAST_TLS bool t_grad_enabled = true;
EMBER_FAST_TLS bool t_inference = false;
}
bool GradMode::is_enabled() { return t_grad_enabled; }
void GradMode::set_enabled(bool enabled) { t_grad_enabled = enabled; }

InferenceMode::InferenceMode(bool enabled) : prev_grad_(t_grad_enabled), prev_inference_(t_inference) {
  t_inference = enabled;
  t_grad_enabled = !enabled;
}
InferenceMode::~InferenceMode() {
  t_inference = prev_inference_;
  t_grad_enabled = prev_grad_;
}
bool InferenceMode::is_enabled() { return t_inference; }
}  // namespace ember
