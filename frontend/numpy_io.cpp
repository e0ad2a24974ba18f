#include "ember/numpy_io.h"

#include <zip.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <vector>

#include "frontend/atomic_file.h"
#include "frontend/npy_format.h"

namespace ember {

namespace {

std::vector<char> read_whole_file(const std::string& path, const char* who) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  EMBER_CHECK(f, who, ": cannot open '", path, "': ", std::strerror(errno));
  std::vector<char> bytes(static_cast<size_t>(f.tellg()));
  f.seekg(0);
  f.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  EMBER_CHECK(f, who, ": reading '", path, "' failed");
  return bytes;
}

std::string zip_message(int code) {
  zip_error_t e;
  zip_error_init_with_code(&e, code);
  std::string msg = zip_error_strerror(&e);
  zip_error_fini(&e);
  return msg;
}

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
using Zip = std::unique_ptr<zip_t, ZipCloser>;

constexpr const char* kSuffix = ".npy";

}  // namespace

void save_npy(const Tensor& t, const std::string& path) {
  std::string bytes = npy::encode(t, "save_npy");
  write_file_atomically(path, [&](std::ostream& f) { f.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); },
                        "save_npy");
}

Tensor load_npy(const std::string& path, Device device) {
  std::vector<char> bytes = read_whole_file(path, "load_npy");
  return npy::decode(bytes.data(), bytes.size(), "'" + path + "'").to(device);
}

void save_npz(const NamedTensorList& tensors, const std::string& path, bool compressed) {
  std::vector<std::string> members;  // libzip reads them at zip_close
  std::set<std::string> names;
  for (const auto& [name, t] : tensors) {
    EMBER_CHECK(!name.empty(), "save_npz: a tensor has an empty name");
    EMBER_CHECK(names.insert(name).second, "save_npz: duplicate tensor name '", name, "'");
    members.push_back(npy::encode(t, "save_npz"));
  }
  int code = 0;
  // libzip writes the archive to a temporary file and renames it at zip_close: atomic.
  Zip z(zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code));
  EMBER_CHECK(z, "save_npz: cannot create '", path, "': ", zip_message(code));
  for (size_t i = 0; i < tensors.size(); ++i) {
    const std::string member = tensors[i].first + kSuffix;
    zip_source_t* src = zip_source_buffer(z.get(), members[i].data(), members[i].size(), 0);
    EMBER_CHECK(src, "save_npz: ", zip_strerror(z.get()));
    zip_int64_t index = zip_file_add(z.get(), member.c_str(), src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
    if (index < 0) {
      zip_source_free(src);
      EMBER_FAIL("save_npz: cannot add '", member, "': ", zip_strerror(z.get()));
    }
    EMBER_CHECK(zip_set_file_compression(z.get(), static_cast<zip_uint64_t>(index),
                                         compressed ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) == 0,
                "save_npz: ", zip_strerror(z.get()));
  }
  if (zip_close(z.get()) != 0) EMBER_FAIL("save_npz: writing '", path, "' failed: ", zip_strerror(z.get()));
  (void)z.release();  // closed
}

NamedTensorList load_npz(const std::string& path, Device device) {
  int code = 0;
  Zip z(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  EMBER_CHECK(z, "load_npz: cannot read '", path, "' as a zip archive: ", zip_message(code));
  NamedTensorList out;
  zip_int64_t entries = zip_get_num_entries(z.get(), 0);
  for (zip_int64_t i = 0; i < entries; ++i) {
    auto index = static_cast<zip_uint64_t>(i);
    zip_stat_t st;
    EMBER_CHECK(zip_stat_index(z.get(), index, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) && (st.valid & ZIP_STAT_NAME),
                "load_npz: '", path, "': member ", i, ": ", zip_strerror(z.get()));
    std::string member = st.name;
    std::string where = "member '" + member + "' of '" + path + "'";
    std::vector<char> bytes(static_cast<size_t>(st.size));
    zip_file_t* f = zip_fopen_index(z.get(), index, 0);
    EMBER_CHECK(f, "load_npz: cannot open ", where, ": ", zip_strerror(z.get()));
    zip_int64_t got = bytes.empty() ? 0 : zip_fread(f, bytes.data(), bytes.size());
    std::string read_error = got < 0 ? zip_file_strerror(f) : "";
    char probe;
    bool longer = got >= 0 && zip_fread(f, &probe, 1) > 0;
    zip_fclose(f);
    EMBER_CHECK(got >= 0, "load_npz: reading ", where, " failed: ", read_error);
    EMBER_CHECK(static_cast<zip_uint64_t>(got) == st.size && !longer, "load_npz: ", where, " holds ", got,
                " bytes, its directory entry says ", st.size);
    std::string name = member;
    if (name.size() > std::strlen(kSuffix) && name.ends_with(kSuffix)) name.resize(name.size() - std::strlen(kSuffix));
    out.emplace_back(name, npy::decode(bytes.data(), bytes.size(), where).to(device));
  }
  return out;
}

}  // namespace ember
