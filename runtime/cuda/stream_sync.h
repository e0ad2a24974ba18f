#pragma once
#include <cstdint>

namespace ember::cuda {

// Waits for `stream` (a cudaStream_t) of `device`, then throws what device-side checks
// recorded there (runtime/cuda/index_error.h). Every host sync of ember goes through here.
void synchronize_stream(int device, void* stream);

// How many synchronize_stream calls all threads made: tests prove with it that an op
// does not wait for the device.
int64_t stream_sync_count();

}  // namespace ember::cuda
