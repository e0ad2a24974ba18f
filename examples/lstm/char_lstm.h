#pragma once
// examples/lstm: a character-level LSTM language model (a learned embedding, a two-layer
// nn::LSTM, a Linear head) trained with Adam on a text file of the repository, eager or with
// the whole training step under ember::compile, then sampled with a temperature from a
// saved-and-reloaded state.
// TEMPORARY (until main's EnumOption refactor lands): enum.h's tokens other than the recurrent
// ones clash with the Reduction/padding constants of nn/, so enum.h is read with those renamed.
#define kNone kNone_enum_token_
#define kMean kMean_enum_token_
#define kSum kSum_enum_token_
#define kMax kMax_enum_token_
#define kBatchMean kBatchMean_enum_token_
#define kLinear kLinear_enum_token_
#define kConv1D kConv1D_enum_token_
#define kConv2D kConv2D_enum_token_
#define kConv3D kConv3D_enum_token_
#define kConvTranspose1D kConvTranspose1D_enum_token_
#define kConvTranspose2D kConvTranspose2D_enum_token_
#define kConvTranspose3D kConvTranspose3D_enum_token_
#define kSigmoid kSigmoid_enum_token_
#define kLeakyReLU kLeakyReLU_enum_token_
#define kGELU kGELU_enum_token_
#define kFanIn kFanIn_enum_token_
#define kFanOut kFanOut_enum_token_
#define kNearest kNearest_enum_token_
#define kNearestExact kNearestExact_enum_token_
#define kBilinear kBilinear_enum_token_
#define kBicubic kBicubic_enum_token_
#define kTrilinear kTrilinear_enum_token_
#define kArea kArea_enum_token_
#define kZeros kZeros_enum_token_
#define kConstant kConstant_enum_token_
#define kReflect kReflect_enum_token_
#define kReplicate kReplicate_enum_token_
#define kCircular kCircular_enum_token_
#define kValid kValid_enum_token_
#define kSame kSame_enum_token_
#include "ember/enum.h"
#undef kNone
#undef kMean
#undef kSum
#undef kMax
#undef kBatchMean
#undef kLinear
#undef kConv1D
#undef kConv2D
#undef kConv3D
#undef kConvTranspose1D
#undef kConvTranspose2D
#undef kConvTranspose3D
#undef kSigmoid
#undef kLeakyReLU
#undef kGELU
#undef kFanIn
#undef kFanOut
#undef kNearest
#undef kNearestExact
#undef kBilinear
#undef kBicubic
#undef kTrilinear
#undef kArea
#undef kZeros
#undef kConstant
#undef kReflect
#undef kReplicate
#undef kCircular
#undef kValid
#undef kSame
#include "ember/nn/rnn.h"
#include <ember/ember.h>

#include <functional>
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

// The text the example trains on by default (docs/ARCHITECTURE.md of this repository).
std::string default_text_path();
std::string read_text(const std::string& path);

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
