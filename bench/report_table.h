#pragma once
// The terminal table: one line per workload, size and implementation/mode, grouped by case,
// with the speedups over ember eager and over libtorch eager of the same case.
#include <string>
#include <vector>

#include "bench_result.h"

namespace ember::bench {

std::string format_table(const std::vector<BenchResult>& rows);

}  // namespace ember::bench
