#include "ember/allocator.h"

#include <array>
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
class AlignedHostMemory final : public RawMemory {
 public:
  void* alloc(size_t nbytes) override { return std::aligned_alloc(64, (nbytes + 63) / 64 * 64); }
  bool free(void* ptr, size_t) override {
    std::free(ptr);
    return true;
  }
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

AllocatorStats memory_stats(Device d) { return allocator_for(d)->stats(); }
void empty_cache(Device d) { allocator_for(d)->empty_cache(); }
void reset_peak_memory_stats(Device d) { allocator_for(d)->reset_peak(); }

}  // namespace ember
