#include "bandwidth.h"

#include <ember/ember.h>

#include "cuda_device.h"

namespace ember::bench {

CopyBandwidth measure_copy_bandwidth(Device device, int64_t elements, const TimingOptions& o) {
  auto opts = TensorOptions().device(device);
  Tensor src = randn({elements}, opts), dst = empty({elements}, opts);
  auto sync = [device] {
    if (device.is_cuda()) cuda::synchronize(device.index);
  };
  CallTimer timer = device.is_cuda() ? cuda_event_timer(device.index) : host_timer(sync);
  CopyBandwidth c;
  c.elements = elements;
  c.bytes_per_call = 2 * elements * static_cast<int64_t>(sizeof(float));
  c.time = time_calls([&] { dst.copy_(src); }, timer, o);
  c.gbps = static_cast<double>(c.bytes_per_call) / (c.time.median_us * 1e3);
  return c;
}

void fill_bandwidth(std::vector<BenchResult>& rows, double copy_gbps) {
  std::optional<int64_t> bytes;
  std::string source;
  for (const auto& r : rows)
    if (r.bytes_per_call && r.bytes_source == "min_bytes") {
      bytes = r.bytes_per_call;
      source = r.bytes_source;
    }
  if (!bytes)
    for (const auto& r : rows)
      if (r.program_bytes && r.mode == "compiled") {
        bytes = r.program_bytes;
        source = "program";
      }
  if (!bytes) return;
  for (auto& r : rows) {
    if (!r.time) continue;
    r.bytes_per_call = bytes;
    r.bytes_source = source;
    r.gbps = static_cast<double>(*bytes) / (r.time->median_us * 1e3);
    if (copy_gbps > 0) r.copy_fraction = *r.gbps / copy_gbps;
  }
}

nlohmann::json to_json(const CopyBandwidth& c) {
  return {{"elements", c.elements}, {"bytes_per_call", c.bytes_per_call}, {"time_us", to_json(c.time)}, {"gbps", c.gbps}};
}

}  // namespace ember::bench
