// ember::load_compiled (ember-run's input): the zip, the manifest, each variant's graph,
// guards and kernels, the embedded state; then one call on inputs of the shapes it declares.
#include <ember/export.h>

#include "fuzz_target.h"

EMBER_FUZZ_TARGET({
  std::string path = ember::fuzz::write_temp(data, size, ".ember");
  ember::LoadedFunction f = ember::load_compiled(path);
  std::vector<ember::Tensor> in;
  for (const auto& a : f.arguments()) in.push_back(ember::zeros(a.sizes, ember::TensorOptions().dtype(a.dtype)));
  f(in);
})
