#pragma once
// How a step of a program is named in errors and reports: "kernel fused_mul_log_f32_… (source
// ops: Mul, Log)" or "op Mm (node 4)".
#include <string>

#include "compiler/program.h"

namespace ember::jit {

std::string step_name(const Program& program, const Step& step);

// The values a step reads and the values it writes.
std::vector<int> step_reads(const Program& program, const Step& step);
std::vector<int> step_writes(const Program& program, const Step& step);

}  // namespace ember::jit
