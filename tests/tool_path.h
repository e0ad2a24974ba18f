#pragma once
// Where a tool the tests run lives: the build's own, unless the environment names another
// (a GPU machine runs the packed tests from another folder: scripts/gpu_check.sh).
#include <cstdlib>
#include <string>

namespace ember::testing {

inline std::string tool_path(const char* env, const char* built) {
  const char* moved = std::getenv(env);
  return moved && *moved ? moved : built;
}

}  // namespace ember::testing
