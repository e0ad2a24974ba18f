#include "ember/device.h"

#include <ostream>

#include "ember/error.h"

namespace ember {

Device::Device(const std::string& spec) {
  auto colon = spec.find(':');
  std::string kind = spec.substr(0, colon);
  if (kind == "cpu") {
    type = kCPU;
    EMBER_CHECK(colon == std::string::npos || spec.substr(colon + 1) == "0",
                "invalid device '", spec, "': the CPU has only index 0");
    index = 0;
    return;
  }
  EMBER_CHECK(kind == "cuda", "invalid device '", spec, "': expected cpu, cuda or cuda:N");
  type = kCUDA;
  index = 0;
  if (colon != std::string::npos) {
    std::string num = spec.substr(colon + 1);
    EMBER_CHECK(!num.empty() && num.find_first_not_of("0123456789") == std::string::npos,
                "invalid device '", spec, "': expected cuda:N");
    index = std::stoi(num);
  }
}

std::string Device::str() const {
  return type == kCPU ? "cpu" : "cuda:" + std::to_string(index);
}

std::ostream& operator<<(std::ostream& os, const Device& d) { return os << d.str(); }

}  // namespace ember
