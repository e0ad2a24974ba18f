#pragma once
// Where a benchmark ran: CPU model, threads, load, git commit, date, and the versions of
// ember, the compiler and oneDNN; and which BLAS library the process loaded (libtorch's
// matmuls run on whatever libblas.so.3 resolves to, which decides a fair comparison).
#include <nlohmann/json.hpp>
#include <string>

namespace ember::bench {

nlohmann::json host_info();

// The 1-minute load average from /proc/loadavg (-1 when unreadable).
double load_average();

struct BlasInfo {
  std::string path;   // resolved path of the libblas.so.3 in use (loaded, or what the alternative points to)
  std::string name;   // "OpenBLAS (OpenMP)", "reference BLAS (netlib)", ...
  bool optimized = false;
};
BlasInfo blas_info();

}  // namespace ember::bench
