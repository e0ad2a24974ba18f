#pragma once
// The CUDA side of a benchmark run: what the device is (name, compute capability, driver and
// runtime versions, NVRTC) and a timer of CUDA events on ember's current stream. Built
// without CUDA, cuda_info() is null and the event timer is never asked for.
#include <nlohmann/json.hpp>

#include "timing.h"

namespace ember::bench {

nlohmann::json cuda_info(int device);

// Times one call between two events recorded on ember's stream for `device`, then waits
// for the second: the device's time for the call, host launch gaps included.
CallTimer cuda_event_timer(int device);

}  // namespace ember::bench
