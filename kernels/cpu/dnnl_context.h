#pragma once
// The oneDNN CPU engine and a per-thread stream, plus a cache of created primitives
// (creation costs milliseconds; execution microseconds). A primitive oneDNN cannot create on
// the running CPU (bf16 matmul without AVX-512, an ISA capped by ONEDNN_MAX_CPU_ISA) is
// remembered as unavailable for its key, so the caller falls back to its own loops once and
// for all instead of retrying on every call.
#include <functional>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <string>
#include <unordered_map>

namespace ember::cpu {

dnnl::engine& dnnl_engine();
dnnl::stream& dnnl_stream();

// The attributes of every primitive ember caches: a user-managed scratchpad. oneDNN's own
// (Debian builds it with DNNL_ENABLE_CONCURRENT_EXEC=OFF) is shared by all primitives, which
// makes a primitive unsafe to run in any thread but the one that created it, and a cached
// primitive runs in whichever thread calls.
dnnl::primitive_attr cached_primitive_attr();
// Runs `prim` on this thread's stream with a scratchpad of its own (from ember's CPU
// allocator) and waits for it.
void execute_primitive(const dnnl::primitive& prim, std::unordered_map<int, dnnl::memory>& args);

template <class Prim>
class PrimitiveCache {
 public:
  // The primitive for `key`, or nullptr when oneDNN cannot create it here.
  Prim* get(const std::string& key, const std::function<Prim()>& make) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = cache_.find(key);
    if (it == cache_.end()) it = cache_.emplace(key, try_make(make)).first;
    return it->second ? &*it->second : nullptr;
  }

 private:
  static std::optional<Prim> try_make(const std::function<Prim()>& make) {
    try {
      return make();
    } catch (const dnnl::error&) {
      return std::nullopt;
    }
  }

  std::mutex mu_;
  std::unordered_map<std::string, std::optional<Prim>> cache_;
};

}  // namespace ember::cpu
