#pragma once
// The sequence-model workloads of bench/workloads.h: gpt (a training step of examples/gpt's
// model) and attention:<T> (causal SDPA forward + backward).
#include "workloads.h"

namespace ember::bench {

Workload gpt(const WorkloadOptions& o);
Workload attention(const std::string& arg, const WorkloadOptions& o);

}  // namespace ember::bench
