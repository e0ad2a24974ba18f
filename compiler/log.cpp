#include "compiler/log.h"

#include <cstdlib>
#include <set>

namespace ember::jit {

namespace {
std::set<std::string> topics() {
  std::set<std::string> s;
  const char* env = std::getenv("EMBER_LOG");
  if (!env) return s;
  std::string v = env, cur;
  for (char c : v + ",") {
    if (c == ',') {
      if (!cur.empty()) s.insert(cur);
      cur.clear();
    } else if (c != ' ') {
      cur.push_back(c);
    }
  }
  return s;
}
}  // namespace

bool log_enabled(const std::string& topic) {
  static const std::set<std::string> enabled = topics();
  return enabled.count(topic) || enabled.count("all");
}

bool compilation_enabled() {
  const char* env = std::getenv("EMBER_COMPILE");
  return !(env && std::string(env) == "0");
}

std::string dump_dir() {
  const char* env = std::getenv("EMBER_DUMP");
  return env ? env : "";
}

}  // namespace ember::jit
