#include "frontend/zip_archive.h"

#include <zip.h>

#include "ember/error.h"

namespace ember {

namespace {

std::string zip_message(int code) {
  zip_error_t e;
  zip_error_init_with_code(&e, code);
  std::string msg = zip_error_strerror(&e);
  zip_error_fini(&e);
  return msg;
}

}  // namespace

void ZipWriter::Closer::operator()(zip_t* z) const { zip_discard(z); }
void ZipReader::Closer::operator()(zip_t* z) const { zip_discard(z); }

ZipWriter::ZipWriter(const std::string& path, const char* who) : path_(path), who_(who) {
  int code = 0;
  zip_.reset(zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code));
  EMBER_CHECK(zip_, who_, ": cannot create '", path, "': ", zip_message(code));
}

ZipWriter::~ZipWriter() = default;

void ZipWriter::add(const std::string& name, std::string bytes, bool compressed) {
  EMBER_CHECK(zip_, who_, ": internal: '", path_, "' is already closed");
  members_.push_back(std::make_unique<std::string>(std::move(bytes)));
  const std::string& kept = *members_.back();
  zip_source_t* src = zip_source_buffer(zip_.get(), kept.data(), kept.size(), 0);
  EMBER_CHECK(src, who_, ": ", zip_strerror(zip_.get()));
  zip_int64_t index = zip_file_add(zip_.get(), name.c_str(), src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
  if (index < 0) {
    zip_source_free(src);
    EMBER_FAIL(who_, ": cannot add '", name, "': ", zip_strerror(zip_.get()));
  }
  EMBER_CHECK(zip_set_file_compression(zip_.get(), static_cast<zip_uint64_t>(index),
                                       compressed ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) == 0,
              who_, ": ", zip_strerror(zip_.get()));
}

void ZipWriter::close() {
  EMBER_CHECK(zip_, who_, ": internal: '", path_, "' is already closed");
  if (zip_close(zip_.get()) != 0) EMBER_FAIL(who_, ": writing '", path_, "' failed: ", zip_strerror(zip_.get()));
  (void)zip_.release();  // closed
  members_.clear();
}

ZipReader::ZipReader(const std::string& path, const char* who) : path_(path), who_(who) {
  int code = 0;
  zip_.reset(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  EMBER_CHECK(zip_, who_, ": cannot read '", path, "' as a zip archive: ", zip_message(code));
}

ZipReader::~ZipReader() = default;

std::vector<std::string> ZipReader::names() const {
  std::vector<std::string> out;
  zip_int64_t entries = zip_get_num_entries(zip_.get(), 0);
  for (zip_int64_t i = 0; i < entries; ++i) {
    const char* n = zip_get_name(zip_.get(), static_cast<zip_uint64_t>(i), 0);
    EMBER_CHECK(n, who_, ": '", path_, "': member ", i, ": ", zip_strerror(zip_.get()));
    out.emplace_back(n);
  }
  return out;
}

bool ZipReader::contains(const std::string& name) const { return zip_name_locate(zip_.get(), name.c_str(), 0) >= 0; }

std::string ZipReader::read(const std::string& name) const {
  zip_int64_t index = zip_name_locate(zip_.get(), name.c_str(), 0);
  EMBER_CHECK(index >= 0, who_, ": '", path_, "' has no member '", name, "'");
  return read_index(static_cast<uint64_t>(index), name);
}

std::string ZipReader::read_index(uint64_t index, const std::string& name) const {
  std::string where = "member '" + name + "' of '" + path_ + "'";
  zip_stat_t st;
  EMBER_CHECK(zip_stat_index(zip_.get(), index, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE), who_, ": ", where, ": ",
              zip_strerror(zip_.get()));
  std::string bytes(static_cast<size_t>(st.size), '\0');
  zip_file_t* f = zip_fopen_index(zip_.get(), index, 0);
  EMBER_CHECK(f, who_, ": cannot open ", where, ": ", zip_strerror(zip_.get()));
  zip_int64_t got = bytes.empty() ? 0 : zip_fread(f, bytes.data(), bytes.size());
  std::string read_error = got < 0 ? zip_file_strerror(f) : "";
  char probe;
  bool longer = got >= 0 && zip_fread(f, &probe, 1) > 0;
  zip_fclose(f);
  EMBER_CHECK(got >= 0, who_, ": reading ", where, " failed: ", read_error);
  EMBER_CHECK(static_cast<zip_uint64_t>(got) == st.size && !longer, who_, ": ", where, " holds ", got,
              " bytes, its directory entry says ", st.size);
  return bytes;
}

}  // namespace ember
