// gpt and attention:<T> with libtorch: the GPT is examples/gpt's own source (gpt_model.inc),
// compiled here against libtorch; libtorch 1.13 has no scaled_dot_product_attention, so its
// causal attention is the composition a libtorch 1.13 user writes.
#include "torch_sequence_workloads.h"

#include "sequence_shapes.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ember::bench::libtorch {

namespace {

torch::Tensor causal_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               double dropout_p) {
  int64_t time = q.size(-2);
  torch::Tensor scores = torch::matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(q.size(-1))));
  torch::Tensor future = torch::ones({time, time}, torch::TensorOptions().dtype(torch::kBool).device(q.device())).triu(1);
  torch::Tensor weights = torch::softmax(scores.masked_fill(future, -std::numeric_limits<float>::infinity()), -1);
  if (dropout_p > 0) weights = torch::dropout(weights, dropout_p, true);
  return torch::matmul(weights, v);
}

#include "gpt/gpt_model.inc"

struct GptTrainer {
  GPT model{nullptr};
  std::unique_ptr<torch::optim::AdamW> opt;
  torch::Tensor x, y;
};

}  // namespace

std::function<void()> gpt(int64_t batch) {
  GptBenchShape shape;
  auto c = shape.config<GPTConfig>();
  auto t = std::make_shared<GptTrainer>();
  t->model = GPT(c);
  t->opt = std::make_unique<torch::optim::AdamW>(gpt_param_groups(t->model, 3e-4, 0.1), torch::optim::AdamWOptions(3e-4));
  int64_t n = batch > 0 ? batch : shape.batch;
  t->x = torch::randint(c.vocab, {n, c.context}, torch::kInt64);
  t->y = torch::randint(c.vocab, {n, c.context}, torch::kInt64);
  return [t] {
    t->opt->zero_grad();
    torch::Tensor loss = gpt_loss(t->model, t->x, t->y);
    loss.backward();
    torch::nn::utils::clip_grad_norm_(t->model->parameters(), 1.0);
    t->opt->step();
  };
}

std::function<void()> attention(const std::string& arg, int64_t batch) {
  AttentionBenchShape shape;
  if (!parse_attention(arg, shape)) throw std::runtime_error("libtorch: bad attention length '" + arg + "'");
  int64_t b = batch > 0 ? batch : shape.batch;
  struct Leaves {
    torch::Tensor q, k, v, grad_out;
  };
  auto l = std::make_shared<Leaves>();
  std::vector<int64_t> sizes = {b, shape.heads, shape.time, shape.head_dim};
  l->q = torch::randn(sizes).requires_grad_();
  l->k = torch::randn(sizes).requires_grad_();
  l->v = torch::randn(sizes).requires_grad_();
  l->grad_out = torch::randn(sizes);
  return [l] {
    for (auto* p : {&l->q, &l->k, &l->v}) p->mutable_grad() = torch::Tensor();
    causal_attention(l->q, l->k, l->v, 0.0).backward(l->grad_out);
  };
}

}  // namespace ember::bench::libtorch
