#pragma once
// How CompiledFunctionBase::save writes a compiled function (see ember/export.h).
#include <string>
#include <utility>
#include <vector>

#include "ember/tensor.h"

namespace ember {

struct ExportOptions {
  // Names for captured tensors (parameters, buffers, optimizer state): a capture that is one
  // of these tensors is stored under its name, any other as "capture<k>". Names are how
  // load_compiled binds state, so give them for whatever the loading side will supply.
  std::vector<std::pair<std::string, Tensor>> names;
  // Store the named captured tensors' current values in the artifact (state.safetensors),
  // so the loaded function runs without being given any state. When false, the loading
  // side binds the named ones (LoadOptions::state); unnamed captures (optimizer moments,
  // step counts, learning rates) are stored either way, nothing else could supply them.
  bool embed_state = true;
};

}  // namespace ember
