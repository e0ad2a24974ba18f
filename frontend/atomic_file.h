#pragma once
// Whole files. Written so that a crash mid-write never corrupts what was there: the bytes go
// to a temporary file beside `path`, which is renamed into place only once complete.
#include <functional>
#include <ostream>
#include <string>

namespace ember {

// `who` prefixes the error ("save_npy"): cannot open, write or rename.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write,
                           const char* who);

// The whole file; `who` prefixes the error (cannot open, cannot read).
std::string read_whole_file(const std::string& path, const char* who);

}  // namespace ember
