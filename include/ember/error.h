#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace ember {

// Every invalid call surfaces as this exception; the message names the op and the
// offending shapes, dtypes or devices.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

namespace detail {
template <class... Args>
std::string concat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
[[noreturn]] void throw_error(const std::string& msg);
}  // namespace detail

}  // namespace ember

#define EMBER_CHECK(cond, ...)                                          \
  do {                                                                  \
    if (!(cond)) ::ember::detail::throw_error(::ember::detail::concat(__VA_ARGS__)); \
  } while (0)

#define EMBER_FAIL(...) ::ember::detail::throw_error(::ember::detail::concat(__VA_ARGS__))
