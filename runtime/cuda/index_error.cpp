#include "runtime/cuda/index_error.h"

#include <array>
#include <atomic>
#include <cstring>
#include <mutex>
#include <vector>

#include "runtime/cuda/cuda_check.h"
#include "runtime/cuda/cuda_context.h"
#include "runtime/index_error_message.h"

namespace ember::cuda {

namespace {

struct Slot {
  IndexErrorSlot device{};
  IndexErrorRecord* host = nullptr;
};
std::array<Slot, kMaxDevices> g_slots;
// Published once a slot exists, so that a sync before any check reads nothing else.
std::array<std::atomic<IndexErrorRecord*>, kMaxDevices> g_published{};
std::once_flag g_slot_once[kMaxDevices];

std::mutex g_mu;  // the op table and the clearing of slots
std::vector<const char*> g_ops;

const char* op_name(int32_t id) {
  std::lock_guard<std::mutex> lock(g_mu);
  return id >= 0 && id < static_cast<int32_t>(g_ops.size()) ? g_ops[id] : "";
}
}  // namespace

IndexErrorSlot index_error_slot(int device) {
  std::call_once(g_slot_once[device], [device] {
    DeviceGuard guard(device);
    Slot& s = g_slots[device];
    void *claimed = nullptr, *host = nullptr, *record = nullptr;
    EMBER_CUDA_CHECK(cudaMalloc(&claimed, sizeof(int)));
    // Zeroed before any stream can use it, whatever stream is current (or being captured).
    EMBER_CUDA_CHECK(cudaMemset(claimed, 0, sizeof(int)));
    EMBER_CUDA_CHECK(cudaStreamSynchronize(cudaStreamLegacy));
    EMBER_CUDA_CHECK(cudaHostAlloc(&host, sizeof(IndexErrorRecord), cudaHostAllocMapped));
    std::memset(host, 0, sizeof(IndexErrorRecord));
    EMBER_CUDA_CHECK(cudaHostGetDevicePointer(&record, host, 0));
    s.device = {static_cast<int*>(claimed), static_cast<IndexErrorRecord*>(record)};
    s.host = static_cast<IndexErrorRecord*>(host);
    g_published[device].store(s.host, std::memory_order_release);
  });
  return g_slots[device].device;
}

int32_t index_check_id(const char* op) {
  std::lock_guard<std::mutex> lock(g_mu);
  for (size_t i = 0; i < g_ops.size(); ++i)
    if (std::strcmp(g_ops[i], op) == 0) return static_cast<int32_t>(i);
  g_ops.push_back(op);
  return static_cast<int32_t>(g_ops.size() - 1);
}

void throw_device_index_error(int device) {
  auto* r = static_cast<volatile IndexErrorRecord*>(g_published[device].load(std::memory_order_acquire));
  if (!r || !r->set) return;
  IndexErrorRecord e{};
  {
    std::lock_guard<std::mutex> lock(g_mu);
    if (!r->set) return;  // another thread reported it
    e = {r->value, r->size, r->dim, r->check, 1};
    r->set = 0;
    // In stream order, so that checks queued after this sync may claim the slot again.
    DeviceGuard guard(device);
    EMBER_CUDA_CHECK(cudaMemsetAsync(g_slots[device].device.claimed, 0, sizeof(int),
                                     static_cast<cudaStream_t>(current_stream(device))));
  }
  EMBER_FAIL(index_out_of_bounds_message(op_name(e.check), e.value, e.size, e.dim),
             " (found by a device-side check; reported at the next synchronising call, which may "
             "be later than the op)");
}

}  // namespace ember::cuda
