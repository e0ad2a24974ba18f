#pragma once
// The command line shared by the example binaries: --device, --steps, --seed.
#include <functional>
#include <string>

#include "notes/programs.h"

namespace ember::examples {

using Program = std::function<std::vector<double>(const RunOptions&)>;

int run_program(int argc, char** argv, const std::string& description, int default_steps,
                int log_every, const Program& program);

}  // namespace ember::examples
