#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "ember/allocator.h"

namespace ember {

// Where a caching allocator gets its segments: cudaMalloc/cudaFree for CUDA, aligned
// malloc for the CPU, a fake in tests. alloc returns nullptr when the device is full; free
// returns false when the memory could not be given back (it then stays cached).
class RawMemory {
 public:
  virtual ~RawMemory() = default;
  virtual void* alloc(size_t nbytes) = 0;
  virtual bool free(void* ptr, size_t nbytes) = 0;
  virtual void* current_stream() { return nullptr; }
  // Appended to out-of-memory errors: why alloc refused ("" when the device is simply full).
  virtual std::string refusal_note() const { return ""; }
};

// Size-class free lists per stream over device segments, with block splitting and merging,
// release-of-cached-segments-and-retry on out-of-memory, and usage statistics. An
// exhausted device raises ember::Error and leaves the allocator usable.
// A private pool (a CUDA graph's memory) is entered by one thread for one allocator; while
// any is open, nothing goes back to the device (a cudaFree would break the capture).
class CachingAllocator final : public Allocator {
 public:
  CachingAllocator(std::unique_ptr<RawMemory> raw, std::string device_name);
  ~CachingAllocator() override;

  DataPtr allocate(size_t nbytes) override;
  AllocatorStats stats() const override;
  void reset_peak() override;
  void empty_cache() override;
  void begin_private_pool(uint64_t id) override;
  void end_private_pool() override;
  void release_private_pool(uint64_t id) override;

  static constexpr size_t kMinBlock = 512;
  static constexpr size_t kSmallSize = 1 << 20;      // requests up to 1 MiB
  static constexpr size_t kSmallSegment = 2 << 20;   // are carved from 2 MiB segments
  static constexpr size_t kMediumSegment = 20 << 20; // 1-10 MiB requests share 20 MiB
  static constexpr size_t kRoundLarge = 2 << 20;

 private:
  struct Block;
  struct BlockLess {
    bool operator()(const Block* a, const Block* b) const;
  };
  using Pool = std::set<Block*, BlockLess>;

  void* pool_key() const;  // the stream, or this allocator's private pool open on this thread
  Block* find_free(Pool& pool, void* stream, size_t size, Pool::node_type* spare);
  // Inserts b, reusing `spare`'s node when it holds one (steady-state alloc/free allocate nothing).
  void insert_block(Pool& pool, Block* b, Pool::node_type& spare);
  Block* new_segment(bool small, void* stream, size_t size);
  void release_cached();
  // Frees a segment that is one free block (not while a private pool is open); true if it did.
  bool free_unused_segment(Block* head);
  void free_block(Block* b);
  static void deleter(void* ptr, void* ctx);

  std::unique_ptr<RawMemory> raw_;
  std::string device_name_;
  mutable std::mutex mu_;
  Pool small_, large_;
  AllocatorStats stats_;
  int open_private_pools_ = 0;
  std::map<void*, std::vector<Block*>> private_segments_;  // first block of each segment, by pool key
};

}  // namespace ember
