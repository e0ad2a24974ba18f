// The caching allocator driven by a fake device: block reuse, splitting and merging,
// per-stream pools, statistics, out-of-memory recovery; and the CPU allocator's stats.
#include <memory>
#include <thread>

#include "runtime/caching_allocator.h"
#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {

constexpr size_t kMiB = 1 << 20;

// What the fake device saw. Shared so that it outlives the allocator that owns the fake.
struct DeviceLog {
  size_t capacity = 0;
  size_t used = 0;
  int allocs = 0, frees = 0, refused = 0;
  void* stream = nullptr;
  uintptr_t next = 0x10000000;
};

// A device with a fixed capacity handing out fake, never dereferenced addresses.
class FakeDevice final : public RawMemory {
 public:
  explicit FakeDevice(std::shared_ptr<DeviceLog> log) : log_(std::move(log)) {}
  void* alloc(size_t n) override {
    if (log_->used + n > log_->capacity) {
      ++log_->refused;
      return nullptr;
    }
    log_->used += n;
    ++log_->allocs;
    void* p = reinterpret_cast<void*>(log_->next);
    log_->next += n + (1 << 16);  // segments never touch each other
    return p;
  }
  bool free(void*, size_t n) override {
    log_->used -= n;
    ++log_->frees;
    return true;
  }
  void* current_stream() override { return log_->stream; }

 private:
  std::shared_ptr<DeviceLog> log_;
};

struct Fixture {
  std::shared_ptr<DeviceLog> log = std::make_shared<DeviceLog>();
  std::unique_ptr<CachingAllocator> alloc;
  explicit Fixture(size_t capacity) {
    log->capacity = capacity;
    alloc = std::make_unique<CachingAllocator>(std::make_unique<FakeDevice>(log), "FakeGPU");
  }
};

uintptr_t addr(const DataPtr& p) { return reinterpret_cast<uintptr_t>(p.get()); }

}  // namespace

TEST(Allocator, ReusesFreedBlocks) {
  Fixture f(64 * kMiB);
  uintptr_t first;
  {
    DataPtr a = f.alloc->allocate(1000);
    first = addr(a);
    EXPECT_NE(first, 0u);
  }
  EXPECT_EQ(f.log->allocs, 1);
  DataPtr b = f.alloc->allocate(1000);
  EXPECT_EQ(addr(b), first);
  EXPECT_EQ(f.log->allocs, 1);  // served from the cache
  DataPtr c = f.alloc->allocate(600);
  EXPECT_NE(addr(c), first);
  EXPECT_EQ(f.log->allocs, 1);  // carved from the same 2 MiB segment
  EXPECT_EQ(f.log->used, CachingAllocator::kSmallSegment);
  DataPtr none = f.alloc->allocate(0);
  EXPECT_EQ(none.get(), nullptr);
}

TEST(Allocator, RoundsAndSplitsSmallRequests) {
  Fixture f(64 * kMiB);
  DataPtr a = f.alloc->allocate(1);
  DataPtr b = f.alloc->allocate(513);
  DataPtr c = f.alloc->allocate(100 * 1024);
  // 512-byte granularity, consecutive blocks of one segment.
  EXPECT_EQ(addr(b), addr(a) + 512);
  EXPECT_EQ(addr(c), addr(b) + 1024);
  AllocatorStats s = f.alloc->stats();
  EXPECT_EQ(s.allocated_bytes, 512 + 1024 + 100 * 1024);
  EXPECT_EQ(s.reserved_bytes, static_cast<int64_t>(CachingAllocator::kSmallSegment));
  EXPECT_EQ(s.num_allocs, 3);
  EXPECT_EQ(s.num_device_allocs, 1);
}

TEST(Allocator, MergesFreedNeighbours) {
  Fixture f(64 * kMiB);
  DataPtr a = f.alloc->allocate(100 * 1024);
  DataPtr b = f.alloc->allocate(100 * 1024);
  DataPtr c = f.alloc->allocate(100 * 1024);
  uintptr_t pa = addr(a), pb = addr(b);
  EXPECT_EQ(pb, pa + 100 * 1024);
  b = DataPtr();
  a = DataPtr();  // a and b merge into one 200 KiB block
  DataPtr ab = f.alloc->allocate(200 * 1024);
  EXPECT_EQ(addr(ab), pa);  // best fit: the merged block, not the segment's tail
  ab = DataPtr();
  c = DataPtr();  // everything merges back into the whole segment
  DataPtr whole = f.alloc->allocate(CachingAllocator::kSmallSize);
  EXPECT_EQ(addr(whole), pa);
  EXPECT_EQ(f.log->allocs, 1);
  whole = DataPtr();
  // A fully free segment is returned to the device by empty_cache.
  f.alloc->empty_cache();
  EXPECT_EQ(f.log->used, 0u);
  EXPECT_EQ(f.alloc->stats().reserved_bytes, 0);
}

TEST(Allocator, LargeRequests) {
  Fixture f(256 * kMiB);
  DataPtr a = f.alloc->allocate(3 * kMiB);  // 1-10 MiB share 20 MiB segments
  EXPECT_EQ(f.log->used, CachingAllocator::kMediumSegment);
  DataPtr b = f.alloc->allocate(5 * kMiB);
  EXPECT_EQ(addr(b), addr(a) + 3 * kMiB);
  EXPECT_EQ(f.log->allocs, 1);
  DataPtr c = f.alloc->allocate(15 * kMiB);  // larger: its own segment, rounded to 2 MiB
  EXPECT_EQ(f.log->allocs, 2);
  EXPECT_EQ(f.log->used, CachingAllocator::kMediumSegment + 16 * kMiB);
  AllocatorStats s = f.alloc->stats();
  // The 16 MiB segment's 1 MiB tail is too small to split off a large block: c holds it all.
  EXPECT_EQ(s.allocated_bytes, static_cast<int64_t>(24 * kMiB));
  EXPECT_EQ(s.reserved_bytes, static_cast<int64_t>(36 * kMiB));
  // A small request never takes a block from the large pool.
  a = DataPtr();
  DataPtr small = f.alloc->allocate(4096);
  EXPECT_EQ(f.log->allocs, 3);
  // A huge cached block is not split for a modest request.
  Fixture g(512 * kMiB);
  { DataPtr huge = g.alloc->allocate(100 * kMiB); }
  DataPtr modest = g.alloc->allocate(2 * kMiB);
  EXPECT_EQ(g.log->allocs, 2);
  DataPtr big = g.alloc->allocate(90 * kMiB);  // but a big one reuses it
  EXPECT_EQ(g.log->allocs, 2);
}

TEST(Allocator, PerStreamPools) {
  Fixture f(64 * kMiB);
  int s1 = 0, s2 = 0;
  f.log->stream = &s1;
  uintptr_t on_s1;
  {
    DataPtr a = f.alloc->allocate(4096);
    on_s1 = addr(a);
  }
  f.log->stream = &s2;
  DataPtr b = f.alloc->allocate(4096);
  EXPECT_NE(addr(b), on_s1);  // another stream's cached block is not handed out
  EXPECT_EQ(f.log->allocs, 2);
  f.log->stream = &s1;
  DataPtr c = f.alloc->allocate(4096);
  EXPECT_EQ(addr(c), on_s1);
  EXPECT_EQ(f.log->allocs, 2);
}

TEST(Allocator, StatsAndPeak) {
  Fixture f(64 * kMiB);
  {
    DataPtr a = f.alloc->allocate(kMiB);
    DataPtr b = f.alloc->allocate(kMiB / 2);
    AllocatorStats s = f.alloc->stats();
    EXPECT_EQ(s.allocated_bytes, static_cast<int64_t>(kMiB + kMiB / 2));
    EXPECT_EQ(s.peak_allocated_bytes, static_cast<int64_t>(kMiB + kMiB / 2));
  }
  AllocatorStats s = f.alloc->stats();
  EXPECT_EQ(s.allocated_bytes, 0);
  EXPECT_EQ(s.peak_allocated_bytes, static_cast<int64_t>(kMiB + kMiB / 2));
  EXPECT_EQ(s.reserved_bytes, static_cast<int64_t>(CachingAllocator::kSmallSegment));  // both fit one
  EXPECT_EQ(s.num_allocs, 2);
  f.alloc->reset_peak();
  EXPECT_EQ(f.alloc->stats().peak_allocated_bytes, 0);
  DataPtr c = f.alloc->allocate(2048);
  EXPECT_EQ(f.alloc->stats().peak_allocated_bytes, 2048);
  EXPECT_EQ(f.alloc->stats().num_ooms, 0);
}

TEST(Allocator, OutOfMemoryReleasesTheCacheRetriesThenRaises) {
  Fixture f(30 * kMiB);
  { DataPtr a = f.alloc->allocate(5 * kMiB); }  // leaves a cached 20 MiB segment
  EXPECT_EQ(f.log->used, 20 * kMiB);
  // 22 MiB does not fit next to the cached segment: it is released and the call retried.
  DataPtr big = f.alloc->allocate(22 * kMiB);
  EXPECT_NE(big.get(), nullptr);
  EXPECT_EQ(f.log->refused, 1);
  EXPECT_EQ(f.log->frees, 1);
  EXPECT_EQ(f.alloc->stats().reserved_bytes, static_cast<int64_t>(22 * kMiB));
  EXPECT_EQ(f.alloc->stats().num_ooms, 0);
  // Nothing is cached now: a real out-of-memory error.
  EXPECT_EMBER_ERROR(f.alloc->allocate(10 * kMiB), "FakeGPU out of memory: tried to allocate 10 MiB");
  AllocatorStats s = f.alloc->stats();
  EXPECT_EQ(s.num_ooms, 1);
  EXPECT_EQ(s.allocated_bytes, static_cast<int64_t>(22 * kMiB));
  EXPECT_EQ(s.reserved_bytes, static_cast<int64_t>(22 * kMiB));
  // The allocator still works: small requests, and the big one once memory is back.
  DataPtr small = f.alloc->allocate(1000);
  EXPECT_NE(small.get(), nullptr);
  big = DataPtr();
  DataPtr again = f.alloc->allocate(10 * kMiB);
  EXPECT_NE(again.get(), nullptr);
  EXPECT_EQ(f.alloc->stats().num_ooms, 1);
}

TEST(Allocator, EmptyCacheKeepsSegmentsInUse) {
  Fixture f(64 * kMiB);
  DataPtr live = f.alloc->allocate(1000);
  { DataPtr other = f.alloc->allocate(3 * kMiB); }
  EXPECT_EQ(f.log->used, CachingAllocator::kSmallSegment + CachingAllocator::kMediumSegment);
  f.alloc->empty_cache();
  EXPECT_EQ(f.log->used, CachingAllocator::kSmallSegment);  // the segment holding `live` stays
  EXPECT_EQ(f.alloc->stats().reserved_bytes, static_cast<int64_t>(CachingAllocator::kSmallSegment));
  live = DataPtr();
  f.alloc->empty_cache();
  EXPECT_EQ(f.log->used, 0u);
  EXPECT_EQ(f.log->allocs, f.log->frees);
}

TEST(Allocator, DestructionReturnsCachedMemory) {
  auto log = std::make_shared<DeviceLog>();
  log->capacity = 64 * kMiB;
  {
    CachingAllocator a(std::make_unique<FakeDevice>(log), "FakeGPU");
    { DataPtr p = a.allocate(4096); }
    { DataPtr q = a.allocate(4 * kMiB); }
  }
  EXPECT_EQ(log->used, 0u);
  EXPECT_EQ(log->allocs, 2);
  EXPECT_EQ(log->frees, 2);
}

TEST(Allocator, APrivatePoolBelongsToOneAllocator) {
  Fixture graph(64 * kMiB), other(64 * kMiB);
  graph.alloc->begin_private_pool(1);
  { DataPtr p = other.alloc->allocate(1000); }  // the other allocator keeps its stream pool
  DataPtr again = other.alloc->allocate(1000);
  EXPECT_EQ(other.log->allocs, 1);
  { DataPtr captured = graph.alloc->allocate(1000); }
  graph.alloc->end_private_pool();
  DataPtr after = graph.alloc->allocate(1000);  // the private pool's free block is not handed out
  EXPECT_EQ(graph.log->allocs, 2);
}

TEST(Allocator, AReleasedPrivatePoolsBlocksAreReusedThenReturned) {
  Fixture f(64 * kMiB);
  f.alloc->begin_private_pool(7);
  DataPtr output = f.alloc->allocate(1000);  // a graph output the caller still holds
  { DataPtr scratch = f.alloc->allocate(1000); }
  { DataPtr whole = f.alloc->allocate(4 * kMiB); }
  f.alloc->end_private_pool();
  EXPECT_EQ(f.log->allocs, 2);
  f.alloc->release_private_pool(7);
  EXPECT_EQ(f.log->frees, 1);  // the whole free segment went back at once
  output = DataPtr();
  DataPtr reused = f.alloc->allocate(1000);  // the partly used segment joined the stream's cache
  EXPECT_EQ(f.log->allocs, 2);
  reused = DataPtr();
  f.alloc->empty_cache();
  EXPECT_EQ(f.log->used, 0u);
  EXPECT_EQ(f.log->frees, 2);
}

TEST(Allocator, NothingGoesBackToTheDeviceWhileAPrivatePoolIsOpen) {
  Fixture f(30 * kMiB);
  { DataPtr a = f.alloc->allocate(5 * kMiB); }  // a cached 20 MiB segment
  f.alloc->begin_private_pool(1);
  // Releasing the cache would cudaFree during a capture: the request fails instead.
  EXPECT_EMBER_ERROR(f.alloc->allocate(22 * kMiB), "FakeGPU out of memory");
  f.alloc->empty_cache();
  EXPECT_EQ(f.log->frees, 0);
  f.alloc->end_private_pool();
  DataPtr big = f.alloc->allocate(22 * kMiB);  // now the cache is released and the call retried
  EXPECT_EQ(f.log->frees, 1);
  EXPECT_EMBER_ERROR(f.alloc->begin_private_pool(0), "private pool ids start at 1");
}

TEST(Allocator, ConcurrentUse) {
  Fixture f(512 * kMiB);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      std::vector<DataPtr> held;
      for (int i = 0; i < 500; ++i) {
        held.push_back(f.alloc->allocate(static_cast<size_t>(512 * (1 + (i * 7 + t) % 50))));
        if (i % 3 == 0) held.erase(held.begin());
      }
    });
  for (auto& th : threads) th.join();
  AllocatorStats s = f.alloc->stats();
  EXPECT_EQ(s.allocated_bytes, 0);
  EXPECT_EQ(s.num_allocs, 2000);
  f.alloc->empty_cache();
  EXPECT_EQ(f.log->used, 0u);
}

TEST(Allocator, CpuMemoryStats) {
  Device cpu(kCPU);
  AllocatorStats before = memory_stats(cpu);
  Tensor t = empty({static_cast<int64_t>(kMiB / 4)});  // exactly 1 MiB of float32
  AllocatorStats during = memory_stats(cpu);
  EXPECT_EQ(during.allocated_bytes - before.allocated_bytes, static_cast<int64_t>(kMiB));
  EXPECT_GE(during.peak_allocated_bytes, during.allocated_bytes);
  EXPECT_EQ(during.num_allocs - before.num_allocs, 1);
  EXPECT_GE(during.reserved_bytes, during.allocated_bytes);
  t = Tensor();
  AllocatorStats after = memory_stats(cpu);
  EXPECT_EQ(after.allocated_bytes, before.allocated_bytes);
  reset_peak_memory_stats(cpu);
  EXPECT_EQ(memory_stats(cpu).peak_allocated_bytes, memory_stats(cpu).allocated_bytes);
  empty_cache(cpu);
  AllocatorStats cleared = memory_stats(cpu);
  EXPECT_LE(cleared.reserved_bytes, after.reserved_bytes);
  // Views and copies of the handle do not allocate; clones do.
  Tensor x = ones({1024});
  int64_t n = memory_stats(cpu).num_allocs;
  Tensor v = x.view({32, 32}), alias = x;
  EXPECT_EQ(memory_stats(cpu).num_allocs, n);
  Tensor c = x.clone();
  EXPECT_EQ(memory_stats(cpu).num_allocs, n + 1);
  // CPU tensors are usable after empty_cache.
  Tensor y = ones({3}) + 1;
  EXPECT_EQ(y.sum().item<float>(), 6.0f);
  if (!cuda::is_available()) {
    EXPECT_EMBER_ERROR(memory_stats(Device(kCUDA)), "not available");
  }
}
