#include "lstm/char_lstm.h"

#include "text/clip_gradients.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace ember::examples {

namespace F = nn::functional;

CharLSTMImpl::CharLSTMImpl(int64_t vocab, int64_t embed, int64_t hidden, int64_t layers, double dropout)
    : Module("CharLSTM") {
  embedding = register_parameter("embedding", randn({vocab, embed}) * 0.3);
  lstm = register_module("lstm", nn::LSTM(nn::LSTMOptions(embed, hidden).num_layers(layers).batch_first(true).dropout(dropout)));
  head = register_module("head", nn::Linear(hidden, vocab));
}

std::tuple<Tensor, std::tuple<Tensor, Tensor>> CharLSTMImpl::forward(const Tensor& ids,
                                                                     std::optional<std::tuple<Tensor, Tensor>> state) {
  int64_t batch = ids.size(0), seq = ids.size(1);
  Tensor x = embedding.index_select(0, ids.reshape({batch * seq})).view({batch, seq, embedding.size(1)});
  auto [out, hc] = lstm->forward(x, std::move(state));
  return {head->forward(out), hc};
}

namespace {

// Logits for every position of a fixed held-in window, eval mode: what the reload compares.
Tensor probe_logits(CharLSTM& model, const Tensor& data, Device device) {
  NoGradGuard no_grad;
  model->eval();
  int64_t n = std::min<int64_t>(64, data.numel());
  Tensor out = std::get<0>(model->forward(data.narrow(0, 0, n).view({1, n}).to(device)));
  model->train();
  return out.to(Device(kCPU));
}

}  // namespace

std::string sample_text(CharLSTM& model, const Vocabulary& vocab, const std::string& prime, int64_t chars,
                        double temperature, uint64_t seed, Device device) {
  EMBER_CHECK(temperature > 0, "temperature must be positive, got ", temperature);
  NoGradGuard no_grad;
  model->eval();
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Tensor primed = vocab.encode(prime.empty() ? std::string(1, static_cast<char>(vocab.chars[0])) : prime);
  auto [logits, state] = model->forward(primed.view({1, primed.numel()}).to(device));
  Tensor last = logits.select(1, logits.size(1) - 1);  // [1, vocab]
  std::vector<int64_t> ids;
  for (int64_t k = 0; k < chars; ++k) {
    Tensor p = F::softmax(last / temperature, -1).to(Device(kCPU)).to(kFloat64).contiguous();
    const double* pv = p.data_ptr<double>();
    double u = uniform(rng), acc = 0;
    int64_t pick = vocab.size() - 1;
    for (int64_t i = 0; i < vocab.size(); ++i) {
      acc += pv[i];
      if (u < acc) {
        pick = i;
        break;
      }
    }
    ids.push_back(pick);
    Tensor next = full({1, 1}, static_cast<double>(pick), TensorOptions().dtype(kInt64).device(device));
    auto [l2, s2] = model->forward(next, state);
    last = l2.select(1, 0);
    state = s2;
  }
  model->train();
  return prime + vocab.decode(ids);
}

LstmResult train_lstm(const LstmOptions& o) {
  manual_seed(o.seed);
  std::string text = read_text(o.text_path.empty() ? default_text_path() : o.text_path);
  EMBER_CHECK(static_cast<int64_t>(text.size()) > o.seq + 1, "the text is shorter than one window");
  Vocabulary vocab = Vocabulary::of(text);
  Tensor data = vocab.encode(text);
  CharLSTM model(vocab.size(), o.embed, o.hidden, o.layers, o.dropout);
  model->to(o.device);
  optim::Adam opt(model->parameters(), optim::AdamOptions(o.lr));

  auto step_fn = [&](const Tensor& x, const Tensor& y) {
    opt.zero_grad();
    Tensor logits = std::get<0>(model->forward(x));
    Tensor loss = F::cross_entropy(logits.reshape({-1, vocab.size()}), y.reshape({-1}));
    loss.backward();
    if (o.clip > 0) clip_gradients(model->parameters(), o.clip);
    opt.step();
    return loss.detach();
  };
  auto compiled_step = compile(step_fn);

  LstmResult result;
  result.vocab = vocab.size();
  std::mt19937_64 rng(o.seed + 7);
  for (int64_t s = 0; s < o.steps; ++s) {
    auto [x, y] = random_windows(data, o.batch, o.seq, rng, o.device);
    double loss = (o.compiled ? compiled_step(x, y) : step_fn(x, y)).item<double>();
    result.step_losses.push_back(loss);
    if (o.log && ((s + 1) % 25 == 0 || s + 1 == o.steps)) o.log(s + 1, loss);
  }

  CharLSTM* sampler = &model;
  CharLSTM reloaded{nullptr};
  if (!o.save_path.empty()) {
    save(model, o.save_path);
    reloaded = CharLSTM(vocab.size(), o.embed, o.hidden, o.layers, o.dropout);
    reloaded->to(o.device);
    load(reloaded, o.save_path);
    result.reloaded_identical = probe_logits(model, data, o.device).equal(probe_logits(reloaded, data, o.device));
    sampler = &reloaded;
  }
  if (o.sample_chars > 0)
    result.sample = sample_text(*sampler, vocab, o.prime, o.sample_chars, o.temperature, o.sample_seed, o.device);
  return result;
}

}  // namespace ember::examples
