#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>

#include "ember/device.h"

namespace ember {

// Owning pointer to device memory with a type-erased deleter.
class DataPtr {
 public:
  using Deleter = void (*)(void* ptr, void* ctx);
  DataPtr() = default;
  DataPtr(void* ptr, void* ctx, Deleter deleter) : ptr_(ptr), ctx_(ctx), deleter_(deleter) {}
  DataPtr(const DataPtr&) = delete;
  DataPtr& operator=(const DataPtr&) = delete;
  DataPtr(DataPtr&& o) noexcept { swap(o); }
  DataPtr& operator=(DataPtr&& o) noexcept {
    DataPtr tmp(std::move(o));
    swap(tmp);
    return *this;
  }
  ~DataPtr() {
    if (deleter_) deleter_(ptr_, ctx_);
  }
  void* get() const { return ptr_; }
  void swap(DataPtr& o) noexcept {
    std::swap(ptr_, o.ptr_);
    std::swap(ctx_, o.ctx_);
    std::swap(deleter_, o.deleter_);
  }

 private:
  void* ptr_ = nullptr;
  void* ctx_ = nullptr;
  Deleter deleter_ = nullptr;
};

struct AllocatorStats {
  int64_t allocated_bytes = 0;       // in live tensors (block sizes)
  int64_t reserved_bytes = 0;        // obtained from the device and cached
  int64_t peak_allocated_bytes = 0;
  int64_t num_allocs = 0;
  int64_t num_device_allocs = 0;     // segments requested from the device
  int64_t num_ooms = 0;              // out-of-memory events (after release-and-retry)
};

class Allocator {
 public:
  virtual ~Allocator() = default;
  virtual DataPtr allocate(size_t nbytes) = 0;
  virtual AllocatorStats stats() const { return {}; }
  virtual void reset_peak() {}
  virtual void empty_cache() {}
  // While a private pool is active on this thread, allocations come from (and frees return
  // to) pool `id` only; its memory is never handed to other allocations until released.
  // CUDA graph capture uses this: a captured graph keeps using its blocks on every replay.
  virtual void begin_private_pool(uint64_t id) {}
  virtual void end_private_pool() {}
  virtual void release_private_pool(uint64_t id) {}
};

Allocator* cpu_allocator();
Allocator* allocator_for(Device d);

// CUDA memory is provided by the CUDA runtime layer when it is built.
using DeviceAllocatorFactory = Allocator* (*)(int index);
void register_device_allocator(DeviceType type, DeviceAllocatorFactory factory);

// Wraps caller-owned memory (from_blob) without taking ownership unless a deleter is given.
DataPtr wrap_external(void* ptr, std::function<void(void*)> deleter);

// A cap on the bytes the CPU allocator obtains from the system; 0 (the default) means none.
// $EMBER_CPU_MEMORY_LIMIT sets it at start-up (bytes, or with a K, M or G suffix). Past it,
// cached blocks are released and the allocation retried; then ember::Error names the
// request, what is in use and the limit, and every tensor alive stays valid.
void set_cpu_memory_limit(int64_t bytes);
int64_t cpu_memory_limit();

AllocatorStats memory_stats(Device d);
void empty_cache(Device d);
void reset_peak_memory_stats(Device d);

}  // namespace ember
