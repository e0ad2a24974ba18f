#pragma once
// examples/lstm: a character-level LSTM language model (a learned embedding, a two-layer
// nn::LSTM, a Linear head) trained with Adam on a text file of the repository, eager or with
// the whole training step under ember::compile, then sampled with a temperature from a
// saved-and-reloaded state.
#include <ember/ember.h>

#include "text/char_corpus.h"

#include <functional>
#include <string>
#include <vector>

namespace ember::examples {

struct CharLSTMImpl : nn::Module {
  CharLSTMImpl(int64_t vocab, int64_t embed, int64_t hidden, int64_t layers, double dropout = 0);
  // ids [batch, seq] -> logits [batch, seq, vocab], and the final (h, c).
  std::tuple<Tensor, std::tuple<Tensor, Tensor>> forward(const Tensor& ids,
                                                         std::optional<std::tuple<Tensor, Tensor>> state = {});
  Tensor embedding;  // [vocab, embed]
  nn::LSTM lstm{nullptr};
  nn::Linear head{nullptr};
};
EMBER_MODULE(CharLSTM);

struct LstmOptions {
  Device device = Device(kCPU);
  bool compiled = false;
  std::string text_path;  // empty: default_text_path()
  int64_t steps = 400, batch = 16, seq = 32;
  int64_t embed = 16, hidden = 64, layers = 2;
  double lr = 2e-2, dropout = 0.0, clip = 1.0;
  uint64_t seed = 0;
  std::string save_path;  // when set: save, reload into a fresh model, compare, sample from it
  int64_t sample_chars = 0;
  double temperature = 0.8;
  std::string prime = "The ";
  uint64_t sample_seed = 1;
  std::function<void(int64_t step, double loss)> log;  // every 25 steps and the last
};

struct LstmResult {
  std::vector<double> step_losses;
  int64_t vocab = 0;
  bool reloaded_identical = false;  // the reloaded model's logits equal bit for bit
  std::string sample;               // from the reloaded model when saved, else the trained one
};

LstmResult train_lstm(const LstmOptions& o);

// `chars` characters after `prime`, drawn with softmax(logits / temperature) by inverse CDF
// on the CPU from a std::mt19937_64 seeded with `seed`: the same seed gives the same text.
std::string sample_text(CharLSTM& model, const Vocabulary& vocab, const std::string& prime, int64_t chars,
                        double temperature, uint64_t seed, Device device);

}  // namespace ember::examples
