#pragma once
#include <atomic>
#include <cstdint>

namespace ember {

// The state of counter-based random number generation: a seed and a running offset.
// One generator serves every device, so the same seed gives the same values on CPU and CUDA.
class Generator {
 public:
  explicit Generator(uint64_t seed = 67280421310721ull) : seed_(seed) {}
  void manual_seed(uint64_t seed) {
    seed_.store(seed);
    offset_.store(0);
  }
  uint64_t seed() const { return seed_.load(); }
  uint64_t offset() const { return offset_.load(); }
  void set_offset(uint64_t o) { offset_.store(o); }
  // Claims `n` counters; returns the first.
  uint64_t reserve(uint64_t n) { return offset_.fetch_add(n); }

 private:
  std::atomic<uint64_t> seed_;
  std::atomic<uint64_t> offset_{0};
};

Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace ember
