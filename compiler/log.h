#pragma once
// EMBER_LOG=fusion,codegen,cache,guards,memory turns on one-line explanations per topic.
#include <iostream>
#include <sstream>
#include <string>

namespace ember::jit {

bool log_enabled(const std::string& topic);

#define EMBER_LOG(topic, ...)                                                        \
  do {                                                                               \
    if (::ember::jit::log_enabled(topic)) {                                          \
      std::ostringstream ember_log_os_;                                              \
      ember_log_os_ << "[ember:" << (topic) << "] " << __VA_ARGS__;                  \
      std::cerr << ember_log_os_.str() << "\n";                                      \
    }                                                                                \
  } while (0)

// EMBER_COMPILE=0 runs compiled functions eagerly (for bisecting a wrong result).
bool compilation_enabled();
// EMBER_DUMP=<dir>: where to write dumps of every compiled graph, or "" when unset.
std::string dump_dir();

}  // namespace ember::jit
