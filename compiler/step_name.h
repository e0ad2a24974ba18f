#pragma once
// How a step of a program is named in errors and reports: "kernel fused_mul_log_f32_… (source
// ops: Mul, Log)" or "op Mm (node 4)".
#include <string>

#include "compiler/program.h"

namespace ember::jit {

std::string step_name(const Program& program, const Step& step);

// A short label, the kernel's (or op's) name and the module of its first op that has one:
// "fused_mul_add_f32_3 [model.blocks.1.mlp]" (EMBER_NVTX range names).
std::string step_label(const Program& p, const Step& s);

// One line per source op of the step: "<indent>Mul  model.0 at f (binary+0x1c)\n" (where it
// was traced from; compiler/graph.h NodeOrigin).
std::string step_origins(const Program& p, const Step& s, const std::string& indent);

// The values a step reads and the values it writes.
std::vector<int> step_reads(const Program& program, const Step& step);
std::vector<int> step_writes(const Program& program, const Step& step);

}  // namespace ember::jit
