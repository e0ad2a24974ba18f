#pragma once
// What ember-bench runs: the default sweep (pointwise chains of 1-8 ops, a broadcast chain
// and the loss over a range of sizes; the notes' networks at their batch size), the --quick
// subset, or the workloads named with --workload; narrowed by --filter.
#include <cstdint>
#include <string>
#include <vector>

namespace ember::bench {

struct BenchCase {
  std::string workload;   // a bench/workloads.h spec
  int64_t size = 0;       // elements (pointwise) or batch rows (networks)
  bool pointwise = false; // sized in elements, swept over --sizes
};

struct SuiteOptions {
  bool cuda = false;
  bool quick = false;
  std::vector<int64_t> sizes;           // empty: the device's default sweep
  int64_t rows = 0;                     // networks' batch rows (0: each workload's default)
  std::vector<std::string> workloads;   // empty: the default list
  std::string filter;                   // ECMAScript regex searched in the workload spec
};

// Throws ember::Error for a bad regex, an unknown workload or when nothing is left.
std::vector<BenchCase> make_suite(const SuiteOptions& o);

// "2^10,4096,2^24" -> sizes; throws ember::Error naming the bad item.
std::vector<int64_t> parse_sizes(const std::string& text);
std::vector<int64_t> default_sizes(bool cuda);

// Whether a workload is sized in elements (chains, loss) rather than batch rows.
bool is_pointwise_workload(const std::string& spec);
// The batch rows a network workload uses by default (as bench/workloads.cpp does).
int64_t default_rows(const std::string& spec);

// "2^24" for powers of two, the number otherwise.
std::string size_text(int64_t n);

}  // namespace ember::bench
