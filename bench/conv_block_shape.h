#pragma once
// conv2d:<C>x<HW>'s argument, parsed the same way by the ember and the libtorch workloads
// (free of ember and torch headers: the torch file is C++17).
#include <cstdint>
#include <string>

namespace ember::bench {

struct ConvBlockShape {
  int64_t channels = 64, size = 28;
};

// False when `arg` is not "<C>x<HW>" with two positive integers; "" keeps the defaults.
inline bool parse_conv_block(const std::string& arg, ConvBlockShape& out) {
  if (arg.empty()) return true;
  size_t x = arg.find('x');
  if (x == std::string::npos) return false;
  auto num = [](const std::string& t, int64_t& v) {
    if (t.empty() || t.size() > 5 || t.find_first_not_of("0123456789") != std::string::npos) return false;
    v = std::stoll(t);
    return v > 0;
  };
  return num(arg.substr(0, x), out.channels) && num(arg.substr(x + 1), out.size);
}

}  // namespace ember::bench
