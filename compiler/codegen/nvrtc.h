#pragma once
// NVRTC compilation of generated kernels to cubins, with a two-level cache: in memory, and
// on disk under $EMBER_CACHE_DIR (default ~/.cache/ember/kernels), written atomically and
// verified on read (a corrupt entry is rebuilt). Both levels use kernel_cache_key. NVRTC
// needs no GPU, so code generation is testable everywhere.
#include <memory>
#include <string>
#include <vector>

#include "compiler/codegen/embedded_headers.h"

namespace ember::jit {

struct NvrtcResult {
  std::shared_ptr<const std::vector<char>> cubin;
  enum class Origin { Compiled, Memory, Disk } origin = Origin::Compiled;
  double ms = 0;  // time to obtain it
};

// Throws ember::Error carrying the source and the NVRTC log when compilation fails.
NvrtcResult nvrtc_compile(const std::string& source, const std::string& name, int arch);
// The same against `headers` instead of the embedded ones (how a test edits a header).
NvrtcResult nvrtc_compile(const std::string& source, const std::string& name, int arch,
                          const std::vector<EmbeddedHeader>& headers);

// Every option nvrtcCompileProgram gets for `arch`: sm_<arch> when this NVRTC knows it, else
// PTX for the newest architecture it knows below (a GPU newer than the toolkit; the driver
// compiles the PTX), and `cubin` then holds that PTX.
std::vector<std::string> nvrtc_options(int arch);
// The older architecture whose PTX stands in for `arch`, or 0 when NVRTC compiles sm_<arch>.
int nvrtc_ptx_arch(int arch);
// Changes with anything that can change the cubin: the source, every NVRTC option (the arch
// among them), the NVRTC version, the ember version, and the name and text of every header
// the source may include.
std::string kernel_cache_key(const std::string& source, const std::vector<std::string>& options,
                             const std::vector<EmbeddedHeader>& headers);
// The key nvrtc_compile(source, name, arch) uses.
std::string kernel_cache_key(const std::string& source, int arch);

std::string nvrtc_version();
std::string kernel_cache_dir();
// Drops the in-memory cache (the disk cache stays): the next compile reads from disk.
void clear_memory_kernel_cache();
// The architecture to compile for when no device is queried: $EMBER_CUDA_ARCH or 90.
int default_cuda_arch();

}  // namespace ember::jit
