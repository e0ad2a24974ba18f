#include "report_table.h"

#include <cstdio>
#include <map>

#include "suite.h"

namespace ember::bench {

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// Microseconds with 3 significant digits, switching to ms and s where it reads better.
std::string duration(double us) {
  if (us < 1000) return fmt(us < 10 ? "%.2f us" : us < 100 ? "%.1f us" : "%.0f us", us);
  if (us < 1e6) return fmt(us < 1e4 ? "%.2f ms" : us < 1e5 ? "%.1f ms" : "%.0f ms", us / 1e3);
  return fmt("%.2f s", us / 1e6);
}

std::string cell(const std::string& s, int width, bool left = false) {
  if (static_cast<int>(s.size()) >= width) return s + " ";
  std::string pad(width - s.size(), ' ');
  return left ? s + pad : pad + s;
}

}  // namespace

std::string format_table(const std::vector<BenchResult>& rows) {
  // Medians of the reference columns per case.
  std::map<std::pair<std::string, int64_t>, double> eager, torch;
  for (const auto& r : rows) {
    if (!r.time) continue;
    auto key = std::make_pair(r.workload, r.size);
    if (r.label() == "ember eager") eager[key] = r.time->median_us;
    if (r.label() == "libtorch eager") torch[key] = r.time->median_us;
  }
  std::string out;
  out += cell("workload", 46, true) + cell("size", 7) + "  " + cell("implementation", 28, true) + cell("median", 10) +
         cell("p10..p90", 22) + cell("launch", 7) + cell("GB/s", 8) + cell("%copy", 7) + cell("peak MiB", 9) +
         cell("cold ms", 9) + cell("warm ms", 9) + cell("x eager", 8) + cell("x torch", 8) + "\n";
  std::pair<std::string, int64_t> last;
  for (const auto& r : rows) {
    auto key = std::make_pair(r.workload, r.size);
    if (!out.empty() && key != last && !last.first.empty()) out += "\n";
    last = key;
    std::string size = (r.size_kind == "rows" ? "N=" + std::to_string(r.size) : size_text(r.size));
    out += cell(r.workload, 46, true) + cell(size, 7) + "  " + cell(r.label(), 28, true);
    if (!r.error.empty()) {
      out += "error: " + r.error + "\n";
      continue;
    }
    const Timing& t = *r.time;
    out += cell(duration(t.median_us), 10) + cell(duration(t.p10_us) + ".." + duration(t.p90_us), 22);
    out += cell(r.launches_per_call ? std::to_string(*r.launches_per_call) : "-", 7);
    out += cell(r.gbps ? fmt("%.1f", *r.gbps) : "-", 8);
    out += cell(r.copy_fraction ? fmt("%.0f%%", *r.copy_fraction * 100) : "-", 7);
    out += cell(r.peak_extra_bytes ? fmt("%.1f", static_cast<double>(*r.peak_extra_bytes) / (1 << 20)) : "-", 9);
    out += cell(r.compile ? fmt("%.1f", r.compile->cold_ms) : "-", 9);
    out += cell(r.compile ? fmt("%.1f", r.compile->warm_ms) : "-", 9);
    out += cell(eager.count(key) ? fmt("%.2fx", eager[key] / t.median_us) : "-", 8);
    out += cell(torch.count(key) ? fmt("%.2fx", torch[key] / t.median_us) : "-", 8);
    out += "\n";
  }
  out += "\nmedian and p10..p90: time per call after warm-up, the modes of a case timed interleaved; launch: kernels per call; GB/s: bytes per call "
         "(the workload's minimum, else the compiled program's estimate) over the median; %copy: of a plain "
         "copy's bandwidth in this run; peak MiB: allocated above what was live before one call; cold/warm ms: "
         "compile latency (first call minus a steady call) with empty kernel caches / from the disk cache; "
         "x eager, x torch: speedup over ember eager and libtorch eager (higher is faster).\n";
  return out;
}

}  // namespace ember::bench
