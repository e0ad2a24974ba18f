#include "ember/numpy_io.h"

#include <cstring>
#include <set>
#include <vector>

#include "frontend/atomic_file.h"
#include "frontend/npy_format.h"
#include "frontend/zip_archive.h"

namespace ember {

namespace {

constexpr const char* kSuffix = ".npy";

}  // namespace

void save_npy(const Tensor& t, const std::string& path) {
  std::string bytes = npy::encode(t, "save_npy");
  write_file_atomically(path, [&](std::ostream& f) { f.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); },
                        "save_npy");
}

Tensor load_npy(const std::string& path, Device device) {
  std::string bytes = read_whole_file(path, "load_npy");
  return npy::decode(bytes.data(), bytes.size(), "'" + path + "'").to(device);
}

void save_npz(const NamedTensorList& tensors, const std::string& path, bool compressed) {
  std::vector<std::string> members;
  std::set<std::string> names;
  for (const auto& [name, t] : tensors) {
    EMBER_CHECK(!name.empty(), "save_npz: a tensor has an empty name");
    EMBER_CHECK(names.insert(name).second, "save_npz: duplicate tensor name '", name, "'");
    members.push_back(npy::encode(t, "save_npz"));
  }
  ZipWriter z(path, "save_npz");
  for (size_t i = 0; i < tensors.size(); ++i) z.add(tensors[i].first + kSuffix, std::move(members[i]), compressed);
  z.close();
}

NamedTensorList load_npz(const std::string& path, Device device) {
  ZipReader z(path, "load_npz");
  NamedTensorList out;
  for (const std::string& member : z.names()) {
    std::string bytes = z.read(member);
    std::string name = member;
    if (name.size() > std::strlen(kSuffix) && name.ends_with(kSuffix)) name.resize(name.size() - std::strlen(kSuffix));
    out.emplace_back(name, npy::decode(bytes.data(), bytes.size(), "member '" + member + "' of '" + path + "'").to(device));
  }
  return out;
}

}  // namespace ember
