#include "ember/error.h"

namespace ember::detail {
void throw_error(const std::string& msg) { throw Error(msg); }
}  // namespace ember::detail
