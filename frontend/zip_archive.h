#pragma once
// Zip archives through libzip, for .npz files and exported compiled steps. Errors are
// ember::Error prefixed by `who`.
#include <memory>
#include <string>
#include <vector>

struct zip;

namespace ember {

// Members are kept in memory and written at close(): libzip writes a temporary file and
// renames it into place, so a crash mid-write leaves the old file whole.
class ZipWriter {
 public:
  ZipWriter(const std::string& path, const char* who);
  ~ZipWriter();
  void add(const std::string& name, std::string bytes, bool compressed);
  void close();

 private:
  struct Closer {
    void operator()(struct zip* z) const;
  };
  std::unique_ptr<struct zip, Closer> zip_;
  std::vector<std::unique_ptr<std::string>> members_;  // libzip reads them at close
  std::string path_;
  const char* who_;
};

class ZipReader {
 public:
  ZipReader(const std::string& path, const char* who);
  ~ZipReader();
  std::vector<std::string> names() const;  // in archive order
  bool contains(const std::string& name) const;
  // The member's bytes, checked against the size its directory entry gives.
  std::string read(const std::string& name) const;
  const std::string& path() const { return path_; }

 private:
  std::string read_index(uint64_t index, const std::string& name) const;
  struct Closer {
    void operator()(struct zip* z) const;
  };
  std::unique_ptr<struct zip, Closer> zip_;
  std::string path_;
  const char* who_;
};

}  // namespace ember
