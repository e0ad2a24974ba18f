#include "ember/allocator.h"

#include <array>
#include <atomic>
#include <cstdlib>

#include "runtime/caching_allocator.h"
#include "ember/error.h"

namespace ember {

#if defined(EMBER_WITH_CUDA)
namespace cuda {
void register_cuda_allocator();  // runtime/cuda/cuda_allocator.cpp
}
#endif

namespace {
std::atomic<int64_t> g_cpu_limit{-1};  // -1: not read from the environment yet

int64_t parse_limit(const char* text) {
  char* end = nullptr;
  double v = std::strtod(text, &end);
  EMBER_CHECK(end != text && v >= 0, "EMBER_CPU_MEMORY_LIMIT='", text, "' is not a size (bytes, or 512M, 4G)");
  switch (*end) {
    case 'k': case 'K': v *= 1024.0; ++end; break;
    case 'm': case 'M': v *= 1024.0 * 1024; ++end; break;
    case 'g': case 'G': v *= 1024.0 * 1024 * 1024; ++end; break;
    default: break;
  }
  EMBER_CHECK(*end == '\0' || ((*end == 'B' || *end == 'b') && end[1] == '\0'), "EMBER_CPU_MEMORY_LIMIT='", text,
              "' is not a size (bytes, or 512M, 4G)");
  return static_cast<int64_t>(v);
}

int64_t current_cpu_limit() {
  int64_t l = g_cpu_limit.load();
  if (l >= 0) return l;
  const char* env = std::getenv("EMBER_CPU_MEMORY_LIMIT");
  int64_t parsed = env && *env ? parse_limit(env) : 0;
  g_cpu_limit.compare_exchange_strong(l, parsed);
  return g_cpu_limit.load();
}

class AlignedHostMemory final : public RawMemory {
 public:
  void* alloc(size_t nbytes) override {
    size_t rounded = (nbytes + 63) / 64 * 64;
    int64_t limit = current_cpu_limit();
    int64_t before = obtained_.fetch_add(static_cast<int64_t>(rounded));
    if (limit > 0 && before + static_cast<int64_t>(rounded) > limit) {
      obtained_.fetch_sub(static_cast<int64_t>(rounded));
      return nullptr;
    }
    void* p = std::aligned_alloc(64, rounded);
    if (!p) obtained_.fetch_sub(static_cast<int64_t>(rounded));
    return p;
  }
  bool free(void* ptr, size_t nbytes) override {
    std::free(ptr);
    obtained_.fetch_sub(static_cast<int64_t>((nbytes + 63) / 64 * 64));
    return true;
  }
  std::string refusal_note() const override {
    int64_t limit = current_cpu_limit();
    if (limit <= 0) return "";
    return "; the CPU memory limit is " + std::to_string(limit) + " bytes (set_cpu_memory_limit, EMBER_CPU_MEMORY_LIMIT)";
  }

 private:
  std::atomic<int64_t> obtained_{0};
};

std::array<DeviceAllocatorFactory, 2> g_factories{};

void external_deleter(void* ptr, void* ctx) {
  auto* fn = static_cast<std::function<void(void*)>*>(ctx);
  (*fn)(ptr);
  delete fn;
}
}  // namespace

Allocator* cpu_allocator() {
  // Intentionally leaked: tensors held in static objects may be freed after exit handlers.
  static auto* a = new CachingAllocator(std::make_unique<AlignedHostMemory>(), "CPU");
  return a;
}

void register_device_allocator(DeviceType type, DeviceAllocatorFactory factory) {
  g_factories[static_cast<int>(type)] = factory;
}

Allocator* allocator_for(Device d) {
  if (d.is_cpu()) return cpu_allocator();
#if defined(EMBER_WITH_CUDA)
  // Called, not left to a static initialiser, which a static link may drop.
  static const bool registered_once = (cuda::register_cuda_allocator(), true);
  (void)registered_once;
#endif
  auto f = g_factories[static_cast<int>(d.type)];
  EMBER_CHECK(f, "device ", d, " is not available: ember was built without CUDA support");
  return f(d.index);
}

DataPtr wrap_external(void* ptr, std::function<void(void*)> deleter) {
  if (!deleter) return DataPtr(ptr, nullptr, nullptr);
  return DataPtr(ptr, new std::function<void(void*)>(std::move(deleter)), &external_deleter);
}

void set_cpu_memory_limit(int64_t bytes) {
  EMBER_CHECK(bytes >= 0, "set_cpu_memory_limit: ", bytes, " is negative (0 means no limit)");
  g_cpu_limit.store(bytes);
}

int64_t cpu_memory_limit() { return current_cpu_limit(); }

AllocatorStats memory_stats(Device d) { return allocator_for(d)->stats(); }
void empty_cache(Device d) { allocator_for(d)->empty_cache(); }
void reset_peak_memory_stats(Device d) { allocator_for(d)->reset_peak(); }

}  // namespace ember
