#pragma once
// The oneDNN CPU engine and a per-thread stream, plus a cache of created primitives
// (creation costs milliseconds; execution microseconds).
#include <functional>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>

namespace ember::cpu {

dnnl::engine& dnnl_engine();
dnnl::stream& dnnl_stream();

template <class Prim>
class PrimitiveCache {
 public:
  Prim& get(const std::string& key, const std::function<Prim()>& make) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = cache_.find(key);
    if (it == cache_.end()) it = cache_.emplace(key, make()).first;
    return it->second;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, Prim> cache_;
};

}  // namespace ember::cpu
