#pragma once
// Index range errors found on a device (libtorch's device asserts, without losing the CUDA
// context): a check kernel (kernels/cuda/index_check.cu) records the first out-of-range index
// in its device's slot, and the next synchronising call throws it after its sync. No CUDA
// headers: the record layout is shared by nvcc and g++.
#include <cstdint>

namespace ember::cuda {

// Written by the device, read by the host after a sync; `set` is written last.
struct IndexErrorRecord {
  int64_t value;
  int64_t size;
  int64_t dim;    // -1 when the message names no dim
  int32_t check;  // index_check_id of the op
  int32_t set;
};

// Device addresses of one device's slot.
struct IndexErrorSlot {
  int* claimed;              // device memory, 0 until a kernel claims the slot (first wins)
  IndexErrorRecord* record;  // mapped pinned host memory: the host reads it without a copy
};

// The slot of `device`, made on first use.
IndexErrorSlot index_error_slot(int device);

// A small id for an op name (a string literal that outlives the program), for the record.
int32_t index_check_id(const char* op);

// Throws the error recorded on `device`, if any, and clears the slot. Call it after a sync of
// the stream the checks ran on; it costs one load of host memory when nothing is recorded.
void throw_device_index_error(int device);

}  // namespace ember::cuda
