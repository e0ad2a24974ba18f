#include "runtime/caching_allocator.h"

#include <sstream>
#include <vector>

#include "ember/error.h"
#include "runtime/fast_tls.h"

namespace ember {

struct CachingAllocator::Block {
  CachingAllocator* owner;
  void* stream;
  size_t size;
  char* ptr;
  bool small;
  bool allocated = false;
  Block* prev = nullptr;  // neighbours inside the same segment
  Block* next = nullptr;
};

bool CachingAllocator::BlockLess::operator()(const Block* a, const Block* b) const {
  if (a->stream != b->stream) return a->stream < b->stream;
  if (a->size != b->size) return a->size < b->size;
  return a->ptr < b->ptr;
}

namespace {
// Private pool keys live in their own range so they never equal a stream pointer. The pool
// open on this thread belongs to one allocator: the others keep allocating per stream.
EMBER_FAST_TLS uint64_t t_private_pool = 0;
EMBER_FAST_TLS const void* t_private_pool_owner = nullptr;
void* private_key(uint64_t id) { return reinterpret_cast<void*>(~uintptr_t{0} - id); }
bool is_private(void* key) { return reinterpret_cast<uintptr_t>(key) > ~uintptr_t{0} - (uintptr_t{1} << 32); }

size_t round_size(size_t n) {
  size_t m = CachingAllocator::kMinBlock;
  return n < m ? m : (n + m - 1) / m * m;
}

std::string bytes_str(int64_t b) {
  std::ostringstream os;
  if (b >= (1 << 30)) os << static_cast<double>(b) / (1 << 30) << " GiB";
  else if (b >= (1 << 20)) os << static_cast<double>(b) / (1 << 20) << " MiB";
  else os << b << " bytes";
  return os.str();
}
}  // namespace

CachingAllocator::CachingAllocator(std::unique_ptr<RawMemory> raw, std::string device_name)
    : raw_(std::move(raw)), device_name_(std::move(device_name)) {}

CachingAllocator::~CachingAllocator() {
  // Tensors may outlive a static allocator at exit; free only what is cached, private pools'
  // unused segments included (no graph replays once its allocator is gone).
  std::lock_guard<std::mutex> g(mu_);
  open_private_pools_ = 0;
  for (auto& [key, heads] : private_segments_)
    for (Block* head : heads) free_unused_segment(head);
  private_segments_.clear();
  release_cached();
}

bool CachingAllocator::free_unused_segment(Block* head) {
  if (head->allocated || head->next || open_private_pools_ > 0 || !raw_->free(head->ptr, head->size)) return false;
  (head->small ? small_ : large_).erase(head);
  stats_.reserved_bytes -= static_cast<int64_t>(head->size);
  delete head;
  return true;
}

CachingAllocator::Block* CachingAllocator::find_free(Pool& pool, void* stream, size_t size,
                                                     Pool::node_type* spare) {
  Block key{this, stream, size, nullptr, false};
  auto it = pool.lower_bound(&key);
  if (it == pool.end() || (*it)->stream != stream) return nullptr;
  // Do not hand a huge cached block to a small request in the large pool.
  if (!(*it)->small && size < kMediumSegment / 2 && (*it)->size >= kMediumSegment * 4)
    return nullptr;
  *spare = pool.extract(it);  // its node is reused for the split-off rest, without an allocation
  return spare->value();
}

CachingAllocator::Block* CachingAllocator::new_segment(bool small, void* stream, size_t size) {
  size_t seg = small ? kSmallSegment
                     : (size <= kMediumSegment / 2 ? kMediumSegment
                                                   : (size + kRoundLarge - 1) / kRoundLarge * kRoundLarge);
  void* p = raw_->alloc(seg);
  if (!p) {
    release_cached();
    p = raw_->alloc(seg);
  }
  if (!p) return nullptr;
  stats_.reserved_bytes += static_cast<int64_t>(seg);
  stats_.num_device_allocs++;
  Block* b = new Block{this, stream, seg, static_cast<char*>(p), small};
  // A segment's first block is never merged away, so it stands for the segment.
  if (is_private(stream)) private_segments_[stream].push_back(b);
  return b;
}

DataPtr CachingAllocator::allocate(size_t nbytes) {
  if (nbytes == 0) return DataPtr();
  size_t size = round_size(nbytes);
  bool small = size <= kSmallSize;
  std::lock_guard<std::mutex> g(mu_);
  void* stream = pool_key();
  Pool& pool = small ? small_ : large_;
  Pool::node_type spare;
  Block* b = find_free(pool, stream, size, &spare);
  if (!b) b = new_segment(small, stream, size);
  if (!b) {
    stats_.num_ooms++;
    EMBER_FAIL(device_name_, " out of memory: tried to allocate ", bytes_str(static_cast<int64_t>(nbytes)),
               " (", bytes_str(stats_.allocated_bytes), " allocated in tensors, ",
               bytes_str(stats_.reserved_bytes), " reserved; cached blocks were released and the "
               "allocation retried)", raw_->refusal_note());
  }
  size_t remaining = b->size - size;
  if ((small && remaining >= kMinBlock) || (!small && remaining > kSmallSize)) {
    Block* rest = new Block{this, stream, remaining, b->ptr + size, b->small};
    rest->prev = b;
    rest->next = b->next;
    if (b->next) b->next->prev = rest;
    b->next = rest;
    b->size = size;
    insert_block(pool, rest, spare);
  }
  b->allocated = true;
  stats_.allocated_bytes += static_cast<int64_t>(b->size);
  stats_.num_allocs++;
  if (stats_.allocated_bytes > stats_.peak_allocated_bytes)
    stats_.peak_allocated_bytes = stats_.allocated_bytes;
  return DataPtr(b->ptr, b, &CachingAllocator::deleter);
}

void CachingAllocator::deleter(void*, void* ctx) {
  auto* b = static_cast<Block*>(ctx);
  b->owner->free_block(b);
}

void CachingAllocator::free_block(Block* b) {
  std::lock_guard<std::mutex> g(mu_);
  Pool& pool = b->small ? small_ : large_;
  b->allocated = false;
  stats_.allocated_bytes -= static_cast<int64_t>(b->size);
  Pool::node_type spare;
  for (Block* n : {b->prev, b->next}) {
    if (!n || n->allocated) continue;
    spare = pool.extract(n);
    if (n == b->prev) {
      n->size += b->size;
      n->next = b->next;
      if (b->next) b->next->prev = n;
      delete b;
      b = n;
    } else {
      b->size += n->size;
      b->next = n->next;
      if (n->next) n->next->prev = b;
      delete n;
    }
  }
  insert_block(pool, b, spare);
}

void CachingAllocator::insert_block(Pool& pool, Block* b, Pool::node_type& spare) {
  if (spare.empty()) {
    pool.insert(b);
    return;
  }
  spare.value() = b;
  pool.insert(std::move(spare));
}

void CachingAllocator::release_cached() {
  if (open_private_pools_ > 0) return;
  for (Pool* pool : {&small_, &large_}) {
    for (auto it = pool->begin(); it != pool->end();) {
      Block* b = *it;
      // A captured CUDA graph may still write to its pool's free blocks on replay.
      if (!b->prev && !b->next && !is_private(b->stream) && raw_->free(b->ptr, b->size)) {
        stats_.reserved_bytes -= static_cast<int64_t>(b->size);
        delete b;
        it = pool->erase(it);
      } else {
        ++it;
      }
    }
  }
}

void* CachingAllocator::pool_key() const {
  return t_private_pool && t_private_pool_owner == this ? private_key(t_private_pool) : raw_->current_stream();
}

void CachingAllocator::begin_private_pool(uint64_t id) {
  EMBER_CHECK(id != 0, "private pool ids start at 1");
  EMBER_CHECK(!t_private_pool, "internal: a private memory pool is already open on this thread");
  std::lock_guard<std::mutex> g(mu_);
  t_private_pool = id;
  t_private_pool_owner = this;
  open_private_pools_++;
}

void CachingAllocator::end_private_pool() {
  if (t_private_pool_owner != this) return;
  std::lock_guard<std::mutex> g(mu_);
  t_private_pool = 0;
  t_private_pool_owner = nullptr;
  open_private_pools_--;
}

void CachingAllocator::release_private_pool(uint64_t id) {
  std::lock_guard<std::mutex> g(mu_);
  auto segments = private_segments_.find(private_key(id));
  if (segments == private_segments_.end()) return;
  // Whole free segments of the pool go back to the device; the blocks of partly used ones
  // (tensors the graph's outputs still hold) join the current stream's cache, where they
  // are reused once freed.
  void* stream = raw_->current_stream();
  for (Block* head : segments->second) {
    if (free_unused_segment(head)) continue;
    Pool& pool = head->small ? small_ : large_;
    for (Block* b = head; b; b = b->next) {
      if (b->allocated) {
        b->stream = stream;
        continue;
      }
      Pool::node_type node = pool.extract(b);
      b->stream = stream;
      pool.insert(std::move(node));
    }
  }
  private_segments_.erase(segments);
}

AllocatorStats CachingAllocator::stats() const {
  std::lock_guard<std::mutex> g(mu_);
  return stats_;
}

void CachingAllocator::reset_peak() {
  std::lock_guard<std::mutex> g(mu_);
  stats_.peak_allocated_bytes = stats_.allocated_bytes;
}

void CachingAllocator::empty_cache() {
  std::lock_guard<std::mutex> g(mu_);
  release_cached();
}

}  // namespace ember
