#include "compiler/nvtx_range.h"

#include <cstdlib>
#include <cstring>

#ifdef EMBER_WITH_CUDA
#include <nvtx3/nvToolsExt.h>
#endif

namespace ember::jit {

bool nvtx_enabled() {
  static const bool on = [] {
    const char* v = std::getenv("EMBER_NVTX");
    return v && std::strcmp(v, "0") != 0 && *v;
  }();
  return on;
}

NvtxRange::NvtxRange(const char* name) {
#ifdef EMBER_WITH_CUDA
  if (!nvtx_enabled()) return;
  nvtxRangePushA(name);
  open_ = true;
#else
  (void)name;
#endif
}

NvtxRange::~NvtxRange() {
#ifdef EMBER_WITH_CUDA
  if (open_) nvtxRangePop();
#endif
}

}  // namespace ember::jit
