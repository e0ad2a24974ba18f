#pragma once
// Achieved bandwidth: the bytes a call moves over its time, and that as a fraction of what a
// plain device copy reaches in the same run (the practical ceiling for pointwise work).
#include <vector>

#include "bench_result.h"
#include "ember/device.h"
#include "timing.h"

namespace ember::bench {

struct CopyBandwidth {
  int64_t elements = 0;
  int64_t bytes_per_call = 0;  // read + written
  Timing time;
  double gbps = 0;
};

// dst.copy_(src) of `elements` floats on `device`.
CopyBandwidth measure_copy_bandwidth(Device device, int64_t elements, const TimingOptions& o);

// Gives every row of one case the same bytes per call (the workload's min_bytes, else the
// compiled programs' estimate) and derives GB/s and the fraction of copy bandwidth.
void fill_bandwidth(std::vector<BenchResult>& rows_of_case, double copy_gbps);

nlohmann::json to_json(const CopyBandwidth& c);

}  // namespace ember::bench
