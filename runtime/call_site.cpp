#include "runtime/call_site.h"

#include <cxxabi.h>
#include <dlfcn.h>
#include <execinfo.h>
#include <link.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace ember {

namespace {

// The address ranges of libember's loaded segments (the object holding caller_stack), found once.
struct OwnSegments {
  std::vector<std::pair<uintptr_t, uintptr_t>> ranges;
  uintptr_t probe = reinterpret_cast<uintptr_t>(&caller_stack);
  OwnSegments() {
    auto visit = [](dl_phdr_info* info, size_t, void* data) -> int {
      auto* me = static_cast<OwnSegments*>(data);
      for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)& ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_LOAD) continue;
        uintptr_t start = info->dlpi_addr + ph.p_vaddr;
        if (start <= me->probe && me->probe < start + ph.p_memsz) {
          for (int j = 0; j < info->dlpi_phnum; ++j)
            if (info->dlpi_phdr[j].p_type == PT_LOAD) {
              uintptr_t s = info->dlpi_addr + info->dlpi_phdr[j].p_vaddr;
              me->ranges.emplace_back(s, s + info->dlpi_phdr[j].p_memsz);
            }
          return 1;
        }
      }
      return 0;
    };
    dl_iterate_phdr(visit, this);
  }
  bool contains(const void* p) const {
    auto a = reinterpret_cast<uintptr_t>(p);
    for (const auto& [s, e] : ranges)
      if (s <= a && a < e) return true;
    return false;
  }
};

const OwnSegments& own_segments() {
  static const OwnSegments segments;
  return segments;
}

std::string demangled(const char* symbol) {
  int status = 0;
  char* d = abi::__cxa_demangle(symbol, nullptr, nullptr, &status);
  std::string out = status == 0 && d ? d : symbol;
  std::free(d);
  return out;
}

std::string frame_text(void* addr) {
  Dl_info info{};
  if (!dladdr(addr, &info) || !info.dli_fname) return "??";
  const char* base = std::strrchr(info.dli_fname, '/');
  base = base ? base + 1 : info.dli_fname;
  auto offset = reinterpret_cast<char*>(addr) - static_cast<char*>(info.dli_fbase);
  char where[64];
  std::snprintf(where, sizeof where, "+0x%lx", static_cast<unsigned long>(offset));
  return (info.dli_sname ? demangled(info.dli_sname) : std::string("??")) + " (" + base + where + ")";
}

}  // namespace

std::vector<void*> caller_frames(int frames) {
  void* addrs[48];  // deep enough for the user's frames above ember's, cheaper than the whole stack
  int n = backtrace(addrs, 48);
  const OwnSegments& own = own_segments();
  std::vector<void*> out;
  for (int i = 1; i < n && static_cast<int>(out.size()) < frames; ++i)
    if (!own.contains(addrs[i])) out.push_back(addrs[i]);
  return out;
}

std::string symbolise(const std::vector<void*>& frames, const char* separator) {
  std::string out;
  for (size_t i = 0; i < frames.size(); ++i) out += (i ? separator : "") + frame_text(frames[i]);
  return out;
}

std::string caller_stack(int frames) {
  std::vector<void*> f = caller_frames(frames);
  if (f.empty()) return "    (no frames outside libember)\n";
  std::string out;
  for (void* a : f) out += "    " + frame_text(a) + "\n";
  return out;
}

}  // namespace ember
