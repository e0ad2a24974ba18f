#include "runtime/call_site.h"

#include <cxxabi.h>
#include <dlfcn.h>
#include <execinfo.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ember {

namespace {

const char* own_library() {
  static const char* name = [] {
    Dl_info info{};
    return dladdr(reinterpret_cast<void*>(&caller_stack), &info) && info.dli_fname ? info.dli_fname : "";
  }();
  return name;
}

std::string demangled(const char* symbol) {
  int status = 0;
  char* d = abi::__cxa_demangle(symbol, nullptr, nullptr, &status);
  std::string out = status == 0 && d ? d : symbol;
  std::free(d);
  return out;
}

}  // namespace

std::string caller_stack(int frames) {
  void* addrs[64];
  int n = backtrace(addrs, 64);
  std::string out;
  int shown = 0;
  for (int i = 1; i < n && shown < frames; ++i) {
    Dl_info info{};
    if (!dladdr(addrs[i], &info) || !info.dli_fname) continue;
    if (std::strcmp(info.dli_fname, own_library()) == 0) continue;
    const char* base = std::strrchr(info.dli_fname, '/');
    base = base ? base + 1 : info.dli_fname;
    auto offset = reinterpret_cast<char*>(addrs[i]) - static_cast<char*>(info.dli_fbase);
    char where[64];
    std::snprintf(where, sizeof where, "+0x%lx", static_cast<unsigned long>(offset));
    out += "    " + (info.dli_sname ? demangled(info.dli_sname) : std::string("??")) + " (" + base + where + ")\n";
    ++shown;
  }
  return out.empty() ? "    (no frames outside libember)\n" : out;
}

}  // namespace ember
