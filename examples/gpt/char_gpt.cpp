#include "gpt/char_gpt.h"

#include "text/clip_gradients.h"

#include <limits>
#include <random>

namespace ember::examples {

namespace F = nn::functional;

torch::Tensor causal_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               double dropout_p) {
  return F::scaled_dot_product_attention(q, k, v, {}, dropout_p, /*is_causal=*/true);
}

namespace {

// Logits for a fixed window of the text, eval mode: what the reload compares.
Tensor probe_logits(GPT& model, const Tensor& data, Device device) {
  NoGradGuard no_grad;
  model->eval();
  int64_t n = std::min<int64_t>(model->config.context, data.numel());
  Tensor out = model->forward(data.narrow(0, 0, n).view({1, n}).to(device));
  model->train();
  return out.to(Device(kCPU));
}

}  // namespace

std::string generate_text(GPT& model, const Vocabulary& vocab, const std::string& prime, int64_t chars,
                          double temperature, int64_t top_k, uint64_t seed) {
  EMBER_CHECK(temperature > 0, "temperature must be positive, got ", temperature);
  NoGradGuard no_grad;
  model->eval();
  manual_seed(seed);
  Device device = model->wte->weight.device();
  Tensor ids = vocab.encode(prime.empty() ? std::string(1, static_cast<char>(vocab.chars[0])) : prime)
                   .view({1, -1}).to(device);
  for (int64_t i = 0; i < chars; ++i) {
    int64_t time = std::min<int64_t>(ids.size(1), model->config.context);
    Tensor logits = model->forward(ids.narrow(1, ids.size(1) - time, time)).select(1, time - 1) / temperature;
    if (top_k > 0 && top_k < logits.size(-1)) {
      Tensor kth = std::get<0>(logits.topk(top_k, -1)).narrow(-1, top_k - 1, 1);
      logits = logits.masked_fill(logits < kth, -std::numeric_limits<double>::infinity());
    }
    Tensor next = F::softmax(logits, -1).multinomial(1);
    ids = cat({ids, next}, 1);
  }
  model->train();
  Tensor all = ids.to(Device(kCPU)).view({-1});
  std::vector<int64_t> out(all.data_ptr<int64_t>() + prime.size(), all.data_ptr<int64_t>() + all.numel());
  return prime + vocab.decode(out);
}

GptResult train_gpt(const GptOptions& o) {
  EMBER_CHECK(o.micro_batches >= 1, "micro_batches must be at least 1, got ", o.micro_batches);
  manual_seed(o.seed);
  std::string text = o.text_path.empty() ? repository_corpus() : read_text(o.text_path);
  Vocabulary vocab = Vocabulary::of(text);
  Tensor data = vocab.encode(text);
  GPTConfig config = o.model;
  config.vocab = vocab.size();
  GPT model(config);
  model->to(o.device);
  std::vector<Tensor> params = model->parameters();
  torch::optim::AdamW opt(gpt_param_groups(model, o.lr, o.weight_decay), torch::optim::AdamWOptions(o.lr));
  auto total = static_cast<unsigned>(o.steps), warmup = static_cast<unsigned>(o.warmup);
  torch::optim::LambdaLR schedule(opt, [=](unsigned s) { return warmup_cosine(s, warmup, total, o.min_lr_fraction); });

  // x, y: [micro_batches, batch, context]; the gradients of the micro-batches accumulate
  // before one clipped optimizer step. Returns the mean loss and the norm before clipping.
  auto step_fn = [&](const Tensor& x, const Tensor& y) {
    opt.zero_grad();
    Tensor loss_sum;
    for (int64_t m = 0; m < o.micro_batches; ++m) {
      Tensor loss = gpt_loss(model, x.select(0, m), y.select(0, m)) / static_cast<double>(o.micro_batches);
      loss.backward();
      loss_sum = loss_sum.defined() ? loss_sum + loss.detach() : loss.detach();
    }
    Tensor norm = clip_gradients(params, o.clip);
    opt.step();
    return std::vector<Tensor>{loss_sum, norm};
  };
  auto compiled_step = compile(step_fn, CompileOptions{.name = "gpt_step"});

  GptResult result;
  result.vocab = vocab.size();
  for (const Tensor& p : params) result.parameters += p.numel();
  std::mt19937_64 rng(o.seed + 11);
  for (int64_t s = 0; s < o.steps; ++s) {
    Windows w = random_windows(data, o.micro_batches * o.batch, config.context, rng, o.device);
    Tensor x = w.inputs.view({o.micro_batches, o.batch, config.context});
    Tensor y = w.targets.view({o.micro_batches, o.batch, config.context});
    std::vector<Tensor> out = o.compiled ? compiled_step(x, y) : step_fn(x, y);
    double lr = opt.param_groups()[0].options().get_lr();
    schedule.step();
    result.step_losses.push_back(out[0].item<double>());
    result.grad_norms.push_back(out[1].item<double>());
    if (o.log && ((s + 1) % 25 == 0 || s + 1 == o.steps)) o.log(s + 1, result.step_losses.back(), lr);
  }

  result.compiles = compiled_step.stats().compiles;

  GPT* sampler = &model;
  GPT reloaded{nullptr};
  if (!o.save_path.empty()) {
    save(model, o.save_path);
    reloaded = GPT(config);
    reloaded->to(o.device);
    load(reloaded, o.save_path);
    result.reloaded_identical = probe_logits(model, data, o.device).equal(probe_logits(reloaded, data, o.device));
    sampler = &reloaded;
  }
  if (o.sample_chars > 0)
    result.sample = generate_text(*sampler, vocab, o.prime, o.sample_chars, o.temperature, o.top_k, o.sample_seed);
  return result;
}

}  // namespace ember::examples
