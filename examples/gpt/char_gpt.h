#pragma once
// examples/gpt: a character-level GPT (gpt_model.inc, shared with ember-bench's libtorch
// workload) trained with AdamW (no weight decay on norms and biases), gradient clipping, a
// warm-up + cosine schedule and gradient accumulation over micro-batches, eager or with the
// whole training step under ember::compile; then text sampled with temperature and top-k from
// a saved-and-reloaded state_dict.
#include <ember/torch.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "text/char_corpus.h"

namespace ember::examples {

// scaled_dot_product_attention with is_causal (dropout_p only in training).
torch::Tensor causal_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               double dropout_p);

#include "gpt/gpt_model.inc"

struct GptOptions {
  Device device = Device(kCPU);
  bool compiled = false;
  std::string text_path;  // empty: repository_corpus()
  GPTConfig model;        // vocab is taken from the text
  int64_t steps = 300, batch = 8, micro_batches = 1;  // each step: micro_batches x batch windows
  double lr = 3e-3, weight_decay = 0.1, clip = 1.0, min_lr_fraction = 0.1;
  int64_t warmup = 20;
  uint64_t seed = 0;
  std::string save_path;  // when set: save, reload into a fresh model, compare, sample from it
  int64_t sample_chars = 0;
  double temperature = 0.8;
  int64_t top_k = 10;
  std::string prime = "The ";
  uint64_t sample_seed = 1;
  std::function<void(int64_t step, double loss, double lr)> log;  // every 25 steps and the last
};

struct GptResult {
  std::vector<double> step_losses;  // the mean loss over the micro-batches of each step
  std::vector<double> grad_norms;   // before clipping
  int64_t vocab = 0, parameters = 0;
  int64_t compiles = 0;             // traces of the compiled step (1: the lr schedule never retraced)
  bool reloaded_identical = false;  // the reloaded model's logits equal bit for bit
  std::string sample;               // from the reloaded model when saved, else the trained one
};

GptResult train_gpt(const GptOptions& o);

// `chars` characters after `prime`: each from softmax(logits / temperature) restricted to the
// top_k most likely (top_k <= 0: all), drawn by torch::multinomial after manual_seed(seed), so
// the same seed gives the same text.
std::string generate_text(GPT& model, const Vocabulary& vocab, const std::string& prime, int64_t chars,
                          double temperature, int64_t top_k, uint64_t seed);

}  // namespace ember::examples
