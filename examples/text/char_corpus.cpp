#include "text/char_corpus.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ember::examples {

Vocabulary Vocabulary::of(const std::string& text) {
  Vocabulary v;
  bool seen[256] = {};
  for (unsigned char ch : text) seen[ch] = true;
  for (int b = 0; b < 256; ++b) {
    v.id_of[b] = -1;
    if (seen[b]) {
      v.id_of[b] = v.size();
      v.chars.push_back(static_cast<unsigned char>(b));
    }
  }
  return v;
}

Tensor Vocabulary::encode(const std::string& text) const {
  std::vector<int64_t> ids;
  ids.reserve(text.size());
  for (unsigned char ch : text) {
    EMBER_CHECK(id_of[ch] >= 0, "character ", static_cast<int>(ch), " is not in the vocabulary");
    ids.push_back(id_of[ch]);
  }
  return from_blob(ids.data(), {static_cast<int64_t>(ids.size())}, TensorOptions().dtype(kInt64)).clone();
}

std::string Vocabulary::decode(const std::vector<int64_t>& ids) const {
  std::string s;
  for (int64_t id : ids) s.push_back(static_cast<char>(chars.at(static_cast<size_t>(id))));
  return s;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EMBER_CHECK(in.good(), "cannot read the text file '", path, "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The repository's files are the corpus; EMBER_SOURCE_DIR names the repository when the
// binaries run from another folder than they were built in (scripts/gpu_check.sh).
static std::string source_dir() {
  const char* moved = std::getenv("EMBER_SOURCE_DIR");
  return moved && *moved ? moved : EMBER_EXAMPLES_SOURCE_DIR;
}

std::string default_text_path() { return source_dir() + "/docs/ARCHITECTURE.md"; }

std::string repository_corpus() {
  namespace fs = std::filesystem;
  fs::path root(source_dir());
  std::vector<fs::path> files = {root / "README.md", root / "docs/ARCHITECTURE.md", root / "bench/results/README.md"};
  std::vector<fs::path> headers;
  for (const auto& e : fs::recursive_directory_iterator(root / "include/ember"))
    if (e.is_regular_file() && e.path().extension() == ".h") headers.push_back(e.path());
  std::sort(headers.begin(), headers.end());
  files.insert(files.end(), headers.begin(), headers.end());
  // Runs of spaces (code indentation and alignment) collapse to one: a small model learns to
  // repeat them and samples little else.
  std::string text;
  for (const auto& f : files)
    for (char ch : read_text(f.string()))
      if (ch != ' ' || text.empty() || text.back() != ' ') text.push_back(ch);
  return text;
}

Windows random_windows(const Tensor& data, int64_t batch, int64_t seq, std::mt19937_64& rng, Device device) {
  EMBER_CHECK(data.numel() > seq + 1, "the text (", data.numel(), " characters) is shorter than one window of ",
              seq + 1);
  std::uniform_int_distribution<int64_t> start(0, data.numel() - seq - 2);
  std::vector<int64_t> xs(static_cast<size_t>(batch * seq)), ys(xs.size());
  const int64_t* d = data.data_ptr<int64_t>();
  for (int64_t b = 0; b < batch; ++b) {
    int64_t at = start(rng);
    for (int64_t t = 0; t < seq; ++t) {
      xs[static_cast<size_t>(b * seq + t)] = d[at + t];
      ys[static_cast<size_t>(b * seq + t)] = d[at + t + 1];
    }
  }
  auto i64 = TensorOptions().dtype(kInt64);
  return {from_blob(xs.data(), {batch, seq}, i64).to(device, false, true),
          from_blob(ys.data(), {batch, seq}, i64).to(device, false, true)};
}

}  // namespace ember::examples
