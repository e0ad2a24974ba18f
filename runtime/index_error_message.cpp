#include "runtime/index_error_message.h"

#include "ember/error.h"

namespace ember {

std::string index_out_of_bounds_message(const char* op, int64_t value, int64_t size, int64_t dim) {
  std::string prefix = op && *op ? std::string(op) + ": " : std::string();
  std::string dim_name = dim >= 0 ? std::to_string(dim) + " " : std::string();
  return detail::concat(prefix, "index ", value, " is out of bounds for dimension ", dim_name,
                        "with size ", size);
}

}  // namespace ember
