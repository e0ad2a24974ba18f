#pragma once
// After every kernel launch. EMBER_CUDA_SYNC=1 (a debug mode) also waits for the device, so
// that a kernel's fault is reported as that kernel's, by name, rather than by the next copy.

namespace ember::cuda {

bool sync_after_launch();  // EMBER_CUDA_SYNC=1, read once

// A launch error as ember::Error naming `kernel`; in EMBER_CUDA_SYNC mode (and outside a
// graph capture, which cannot synchronise) also the kernel's own faults.
void check_launch(const char* kernel);

}  // namespace ember::cuda
