// ember::load_npz: the zip container (libzip) around .npy members.
#include "fuzz_target.h"

EMBER_FUZZ_TARGET({
  std::string path = ember::fuzz::write_temp(data, size, ".npz");
  for (auto& [name, t] : ember::load_npz(path)) (void)t.to(ember::kFloat64).sum().item<double>();
})
