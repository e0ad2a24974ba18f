#pragma once
// The image-model workloads of bench/workloads.h: cnn (a LeNet-style training step) and
// conv2d:<C>x<HW> (a ResNet-like conv3x3-ReLU-conv3x3 block, forward and backward).
#include "workloads.h"

namespace ember::bench {

Workload cnn(const WorkloadOptions& o);
// arg: "<channels>x<height = width>", e.g. "64x28".
Workload conv2d_block(const std::string& arg, const WorkloadOptions& o);

}  // namespace ember::bench
