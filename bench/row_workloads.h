#pragma once
// The row workloads of bench/workloads.h: softmax:<C> and layer_norm:<C> (forward) over
// size / C rows of C floats, the shapes the compiler's row groups fuse.
#include "workloads.h"

namespace ember::bench {

Workload row_layer(const std::string& kind, const std::string& arg, const WorkloadOptions& o);
// C of softmax:<C> / layer_norm:<C> (1024 when not given); raises ember::Error when bad.
int64_t row_length(const std::string& arg);

}  // namespace ember::bench
