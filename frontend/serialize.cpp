#include "ember/serialize.h"

#include <set>

#include "ember/functional.h"
#include "ember/grad_mode.h"
#include "frontend/atomic_file.h"
#include "frontend/safetensors_format.h"

namespace ember {

void save_tensors(const NamedTensorList& tensors, const std::string& path) {
  std::string bytes = safetensors::encode(tensors, "save");
  write_file_atomically(path, [&](std::ostream& f) { f.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); },
                        "save");
}

NamedTensorList load_tensors(const std::string& path, Device device) {
  std::string bytes = read_whole_file(path, "load");
  return safetensors::decode(bytes.data(), bytes.size(), path, device);
}

void save(const nn::Module& module, const std::string& path) {
  NamedTensorList all = module.named_parameters().pairs();
  for (auto& b : module.named_buffers()) all.push_back(b.pair());
  save_tensors(all, path);
}

void load(nn::Module& module, const std::string& path) {
  NamedTensorList targets = module.named_parameters().pairs();
  for (auto& b : module.named_buffers()) targets.push_back(b.pair());
  NamedTensorList loaded = load_tensors(path);
  std::string problems;
  std::set<std::string> seen;
  for (const auto& [name, t] : loaded) {
    seen.insert(name);
    const Tensor* target = nullptr;
    for (const auto& [n, p] : targets)
      if (n == name) target = &p;
    if (!target) {
      problems += "\n  unexpected key '" + name + "'";
      continue;
    }
    if (target->sizes() != t.sizes() || target->dtype() != t.dtype())
      problems += "\n  '" + name + "': file has " + dtype_name(t.dtype()) + " " + shape_str(t.sizes()) +
                  ", module has " + dtype_name(target->dtype()) + " " + shape_str(target->sizes());
  }
  for (const auto& [n, _] : targets)
    if (!seen.count(n)) problems += "\n  missing key '" + n + "'";
  EMBER_CHECK(problems.empty(), "load: '", path, "' does not match the module:", problems);
  NoGradGuard g;
  for (const auto& [name, t] : loaded)
    for (const auto& [n, p] : targets)
      if (n == name) p.copy_(t);
}

}  // namespace ember
