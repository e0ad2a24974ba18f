#pragma once
// NVRTC compilation of generated kernels to cubins, with a two-level cache: in memory, and
// on disk under $EMBER_CACHE_DIR (default ~/.cache/ember/kernels), keyed by source hash,
// architecture and NVRTC version, written atomically and verified on read (a corrupt entry
// is rebuilt). NVRTC needs no GPU, so code generation is testable everywhere.
#include <memory>
#include <string>
#include <vector>

namespace ember::jit {

struct NvrtcResult {
  std::shared_ptr<const std::vector<char>> cubin;
  enum class Origin { Compiled, Memory, Disk } origin = Origin::Compiled;
  double ms = 0;  // time to obtain it
};

// Throws ember::Error carrying the source and the NVRTC log when compilation fails.
NvrtcResult nvrtc_compile(const std::string& source, const std::string& name, int arch);

std::string nvrtc_version();
std::string kernel_cache_dir();
// Drops the in-memory cache (the disk cache stays): the next compile reads from disk.
void clear_memory_kernel_cache();
// The architecture to compile for when no device is queried: $EMBER_CUDA_ARCH or 90.
int default_cuda_arch();

}  // namespace ember::jit
