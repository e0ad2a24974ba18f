#pragma once
// How a CUDA reduction spreads over the GPU, from its geometry alone (never from the device
// or timing, so a result's bits do not depend on them):
//   few reduced elements per output          a thread per output
//   many outputs adjacent in memory, reduced
//   along a strided dim (a sum over dim 0)   a thread per output (reads coalesce across threads)
//   few outputs, long reductions (a full
//   sum)                                     each output split into chunks, one block per chunk,
//                                            then one block per output combines its chunks in order
//   otherwise                                a block per output
#include <algorithm>
#include <cstdint>

#include "kernels/cuda/reduce_geometry.h"

namespace ember::cuda {

struct FoldSchedule {
  enum class Kind { ThreadPerOutput, BlockPerOutput, SplitThenCombine } kind = Kind::ThreadPerOutput;
  int64_t splits = 1;  // chunks per output (SplitThenCombine)
  int64_t chunk = 0;   // reduced elements per chunk, the last one shorter
};

constexpr int64_t kBlockReduceThreshold = 256;
constexpr int64_t kCoalescedOutputs = 8192;
constexpr int64_t kSplitTargetBlocks = 1024;  // several waves on any current GPU
constexpr int64_t kMinChunk = 4096;

inline FoldSchedule plan_fold(const ReduceGeometry& g) {
  using Kind = FoldSchedule::Kind;
  if (g.red_numel < kBlockReduceThreshold) return {};
  bool outer = g.kept_ndim > 0 && g.kept_in[0] == 1 && g.red_ndim > 0 && g.red_in[0] != 1;
  if (outer && g.out_numel >= kCoalescedOutputs) return {};
  if (g.out_numel * 2 <= kSplitTargetBlocks && g.red_numel >= 2 * kMinChunk) {
    int64_t splits = std::min(kSplitTargetBlocks / g.out_numel, g.red_numel / kMinChunk);
    int64_t chunk = (g.red_numel + splits - 1) / splits;
    return {Kind::SplitThenCombine, (g.red_numel + chunk - 1) / chunk, chunk};
  }
  return {Kind::BlockPerOutput, 1, 0};
}

}  // namespace ember::cuda
