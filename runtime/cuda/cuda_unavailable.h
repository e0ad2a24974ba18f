#pragma once
// Why CUDA is unavailable, for messages and for the GPU check. Declared for builds with and
// without the CUDA backend.

namespace ember::cuda {

// Why device_count() is 0 ("" when a device is available): the CUDA error, or that no NVIDIA
// driver is installed. A driver that is present but unusable (older than the runtime needs,
// say) is also reported once on stderr, so it cannot pass for a CPU-only machine.
const char* unavailable_reason();

}  // namespace ember::cuda
