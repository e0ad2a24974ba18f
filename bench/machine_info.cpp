#include "machine_info.h"

#include "kernels/cpu/vector_math.h"

#include <omp.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

#include "dnnl.h"

namespace ember::bench {

namespace {

std::string run_command(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return "";
  std::string out;
  std::array<char, 512> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  if (pclose(p) != 0) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

int64_t memory_total_bytes() {
  std::ifstream f("/proc/meminfo");
  std::string key;
  int64_t kb = 0;
  while (f >> key >> kb) {
    if (key == "MemTotal:") return kb * 1024;
    f.ignore(256, '\n');
  }
  return 0;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::array<char, 32> buf;
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf.data();
}

std::string blas_name(const std::string& path) {
  if (path.find("openblas-openmp") != std::string::npos) return "OpenBLAS (OpenMP)";
  if (path.find("openblas-pthread") != std::string::npos) return "OpenBLAS (pthreads)";
  if (path.find("openblas-serial") != std::string::npos) return "OpenBLAS (serial)";
  if (path.find("openblas") != std::string::npos) return "OpenBLAS";
  if (path.find("blis") != std::string::npos) return "BLIS";
  if (path.find("mkl") != std::string::npos) return "Intel MKL";
  if (path.find("atlas") != std::string::npos) return "ATLAS";
  if (path.find("/blas/") != std::string::npos) return "reference BLAS (netlib)";
  return path.empty() ? "none found" : "unknown";
}

}  // namespace

double load_average() {
  std::ifstream f("/proc/loadavg");
  double l = -1;
  f >> l;
  return l;
}

BlasInfo blas_info() {
  BlasInfo b;
  // The library this process mapped (libtorch links libblas.so.3), already resolved by the kernel.
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    size_t slash = line.find('/');
    if (slash == std::string::npos) continue;
    std::string path = line.substr(slash);
    if (path.find("libblas.so") != std::string::npos) {
      b.path = path;
      break;
    }
  }
  // Not loaded (no libtorch in this build): where the Debian alternative points.
  if (b.path.empty()) {
    for (const char* p : {"/usr/lib/x86_64-linux-gnu/libblas.so.3", "/lib/x86_64-linux-gnu/libblas.so.3"}) {
      std::error_code ec;
      auto resolved = std::filesystem::canonical(p, ec);
      if (!ec) {
        b.path = resolved.string();
        break;
      }
    }
  }
  b.name = blas_name(b.path);
  b.optimized = b.name.find("reference") == std::string::npos && b.name != "none found" && b.name != "unknown";
  return b;
}

nlohmann::json host_info() {
  std::string src = EMBER_BENCH_SOURCE_DIR;
  std::string commit = run_command("git -C '" + src + "' rev-parse HEAD 2>/dev/null");
  std::string dirty = commit.empty() ? "" : run_command("git -C '" + src + "' status --porcelain --untracked-files=no 2>/dev/null");
  const dnnl_version_t* dv = dnnl_version();
  BlasInfo blas = blas_info();
  return {{"cpu_model", cpu_model()},
          {"cpu_cores", std::thread::hardware_concurrency()},
          {"threads", omp_get_max_threads()},
          {"memory_bytes", memory_total_bytes()},
          {"load_average_1min", load_average()},
          {"hostname", run_command("hostname 2>/dev/null")},
          {"git_commit", commit.empty() ? std::string(EMBER_BENCH_GIT_COMMIT) : commit},
          {"git_commit_source", commit.empty() ? "cmake configure time" : "git rev-parse HEAD at run time"},
          {"git_dirty", !dirty.empty()},
          {"date", utc_now()},
          {"versions",
           {{"ember", EMBER_BENCH_EMBER_VERSION},
            {"compiler", std::string("g++ ") + __VERSION__},
            {"onednn", std::to_string(dv->major) + "." + std::to_string(dv->minor) + "." + std::to_string(dv->patch)}}},
          {"blas", {{"path", blas.path}, {"name", blas.name}}},
          {"cpu_vector_math", cpu::has_vector_unary(OpId::Exp) ? "SLEEF AVX2" : "scalar libm (no AVX2/FMA)"}};
}

}  // namespace ember::bench
