#pragma once
// The text the language-model examples learn, byte by byte: a vocabulary of the bytes that
// occur, the repository's own files as default corpora, and random training windows.
#include <ember/ember.h>

#include <random>
#include <string>
#include <vector>

namespace ember::examples {

// The characters (bytes) of a text and their ids.
struct Vocabulary {
  std::vector<unsigned char> chars;  // id -> byte, sorted
  int64_t id_of[256] = {};           // byte -> id (-1 if absent)
  int64_t size() const { return static_cast<int64_t>(chars.size()); }
  static Vocabulary of(const std::string& text);
  Tensor encode(const std::string& text) const;  // int64 [n]
  std::string decode(const std::vector<int64_t>& ids) const;
};

std::string read_text(const std::string& path);

// docs/ARCHITECTURE.md of this repository (about 40 KB).
std::string default_text_path();
// README.md, docs/ARCHITECTURE.md, bench/results/README.md and every header under
// include/ember, concatenated in path order, runs of spaces collapsed to one (about 300 KB of
// the project's own text).
std::string repository_corpus();

// `batch` windows of `seq` ids at random starts of `data` (int64 [n], CPU) and the same windows
// shifted by one (the next characters), as [batch, seq] int64 tensors on `device`.
struct Windows {
  Tensor inputs, targets;
};
Windows random_windows(const Tensor& data, int64_t batch, int64_t seq, std::mt19937_64& rng, Device device);

}  // namespace ember::examples
