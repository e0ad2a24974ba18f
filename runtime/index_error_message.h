#pragma once
#include <cstdint>
#include <string>

namespace ember {

// libtorch's words for an index out of range, shared by the host check and the device-side
// report: "op: index 12 is out of bounds for dimension [1 ]with size 10" ("op: " left out
// when op is empty, the dim number when dim < 0).
std::string index_out_of_bounds_message(const char* op, int64_t value, int64_t size, int64_t dim);

}  // namespace ember
