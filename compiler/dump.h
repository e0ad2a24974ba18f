#pragma once
// Inspection of compiled graphs: the traced graph, the graph after each pass, the fused
// groups with their source ops, every generated kernel source, and a summary; as text,
// JSON and DOT. EMBER_DUMP=<dir> writes these for every compiled variant.
#include <string>

#include "compiler/program.h"

namespace ember::jit {

// Human-readable report of one program (used by ember-dump and the demo).
std::string describe(const Program& p, bool passes = false, bool kernels = false);
std::string summary_json(const Program& p);
std::string program_dot(const Program& p);

// Writes <dir>/<name>.{forward,backward}.* files for a compiled variant's programs
// (backward may be null).
void dump_programs(const Program* forward, const Program* backward, const std::string& name,
                   const std::string& dir);

}  // namespace ember::jit
