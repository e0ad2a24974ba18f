#include "frontend/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "ember/error.h"

namespace ember {

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write,
                           const char* who) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    EMBER_CHECK(f, who, ": cannot open '", tmp, "' for writing: ", std::strerror(errno));
    try {
      write(f);
      f.flush();
    } catch (...) {
      f.close();
      std::remove(tmp.c_str());
      throw;
    }
    if (!f) {
      f.close();
      std::remove(tmp.c_str());
      EMBER_FAIL(who, ": writing '", tmp, "' failed");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    EMBER_FAIL(who, ": cannot move '", tmp, "' to '", path, "': ", std::strerror(err));
  }
}

std::string read_whole_file(const std::string& path, const char* who) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  EMBER_CHECK(f, who, ": cannot open '", path, "': ", std::strerror(errno));
  std::string bytes(static_cast<size_t>(f.tellg()), '\0');
  f.seekg(0);
  f.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  EMBER_CHECK(f, who, ": reading '", path, "' failed");
  return bytes;
}

}  // namespace ember
