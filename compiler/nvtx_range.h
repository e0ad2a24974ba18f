#pragma once
// EMBER_NVTX=1: every run of a compiled program, and each of its steps, is an NVTX range
// named after the program or the kernel and the module its ops came from
// ("fused_mul_add_f32_3 [model.blocks.1.mlp]"), so Nsight Systems shows the model's
// structure. NVTX v3 is header-only (CUDA toolkit) and costs nothing unless a tool is
// attached; a build without the toolkit has no ranges.
namespace ember::jit {

bool nvtx_enabled();  // EMBER_NVTX=1, read once

class NvtxRange {
 public:
  explicit NvtxRange(const char* name);  // nothing unless nvtx_enabled()
  ~NvtxRange();
  NvtxRange(const NvtxRange&) = delete;
  NvtxRange& operator=(const NvtxRange&) = delete;

 private:
  bool open_ = false;
};

}  // namespace ember::jit
