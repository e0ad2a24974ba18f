#pragma once
// Helpers shared by the compatibility tests, written against <ember/torch.h> only.
#include <ember/torch.h>

#include <functional>
#include <string>

namespace compat {

// The message of the c10::Error that `f` throws, or "(no error)".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const c10::Error& e) {
    return e.what();
  }
  return "(no error)";
}

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace compat
