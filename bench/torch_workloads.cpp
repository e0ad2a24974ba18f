// libtorch versions of bench/workloads.cpp, op for op, so that the times compare the same
// computation: same shapes, same ops (clamp(0), pow(2), exact GELU), same optimizers and
// hyper-parameters, autograd recorded where ember records it.
#include "torch_workloads.h"

#include "conv_block_shape.h"
#include "torch_row_workloads.h"
#include "torch_sequence_workloads.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <memory>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace ember::bench::libtorch {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep))
    if (!item.empty()) out.push_back(item);
  return out;
}

torch::Tensor chain_op(const std::string& op, const torch::Tensor& x, const torch::Tensor& b) {
  if (op == "add") return x + b;
  if (op == "sub") return x - b;
  if (op == "mul") return x * b;
  if (op == "div") return x / (b.abs() + 1);
  if (op == "clamp") return x.clamp(-1, 1);
  if (op == "pow") return x.pow(2);
  if (op == "exp") return x.exp();
  if (op == "sigmoid") return x.sigmoid();
  if (op == "tanh") return x.tanh();
  if (op == "relu") return x.relu();
  if (op == "neg") return x.neg();
  if (op == "abs") return x.abs();
  if (op == "sqrt") return x.abs().sqrt();
  if (op == "log") return (x.abs() + 1).log();
  if (op == "gelu") return torch::gelu(x);
  throw std::runtime_error("libtorch: unknown chain op '" + op + "'");
}

std::function<void()> chain(const std::string& ops_spec, bool broadcast, int64_t n) {
  auto ops = split(ops_spec, ',');
  torch::Tensor a, b;
  if (broadcast) {
    int64_t cols = 1024, rows = std::max<int64_t>(1, n / cols);
    a = torch::randn({rows, cols});
    b = torch::randn({cols});
  } else {
    a = torch::randn({n});
    b = torch::randn({n});
  }
  for (const auto& op : ops) chain_op(op, torch::ones({1}), torch::ones({1}));
  return [ops, a, b] {
    torch::Tensor x = a;
    for (const auto& op : ops) x = chain_op(op, x, b);
  };
}

std::function<void()> loss(int64_t n) {
  auto a = torch::randn({n}), b = torch::randn({n});
  return [a, b] { (a - b).pow(2).sum(); };
}

std::function<void()> two_layer_net(int64_t n) {
  auto x = torch::randn({n, 1000}), y = torch::randn({n, 10});
  auto w1 = torch::randn({1000, 100}, torch::requires_grad()), w2 = torch::randn({100, 10}, torch::requires_grad());
  return [x, y, w1, w2]() mutable {
    auto loss = (x.mm(w1).clamp(0).mm(w2) - y).pow(2).sum();
    loss.backward();
    torch::NoGradGuard g;
    w1 -= 1e-6 * w1.grad();
    w2 -= 1e-6 * w2.grad();
    w1.grad().zero_();
    w2.grad().zero_();
  };
}

struct Trainer {
  torch::nn::Sequential model{nullptr};
  std::unique_ptr<torch::optim::Optimizer> opt;
  torch::Tensor x, y;
};

std::function<void()> mlp(int64_t n) {
  auto t = std::make_shared<Trainer>();
  t->model = torch::nn::Sequential(torch::nn::Linear(1000, 100), torch::nn::ReLU(), torch::nn::Linear(100, 10));
  t->opt = std::make_unique<torch::optim::Adam>(t->model->parameters(), torch::optim::AdamOptions(1e-4));
  t->x = torch::randn({n, 1000});
  t->y = torch::randn({n, 10});
  return [t] {
    t->opt->zero_grad();
    auto loss = torch::nn::functional::mse_loss(t->model->forward(t->x), t->y,
                                                torch::nn::functional::MSELossFuncOptions(torch::kSum));
    loss.backward();
    t->opt->step();
  };
}

struct Dynamic {
  torch::nn::Linear in{nullptr}, mid{nullptr}, out{nullptr};
  std::unique_ptr<torch::optim::SGD> opt;
  torch::Tensor x, y;
};

std::function<void()> dynamic_net(int reuses, int64_t n) {
  auto d = std::make_shared<Dynamic>();
  d->in = torch::nn::Linear(1000, 100);
  d->mid = torch::nn::Linear(100, 100);
  d->out = torch::nn::Linear(100, 10);
  std::vector<torch::Tensor> params;
  for (auto* m : {&d->in, &d->mid, &d->out})
    for (auto& p : (*m)->parameters()) params.push_back(p);
  d->opt = std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(1e-4).momentum(0.9));
  d->x = torch::randn({n, 1000});
  d->y = torch::randn({n, 10});
  return [d, reuses] {
    d->opt->zero_grad();
    auto h = d->in->forward(d->x).clamp(0);
    for (int i = 0; i < reuses; ++i) h = d->mid->forward(h).clamp(0);
    auto loss = torch::nn::functional::mse_loss(d->out->forward(h), d->y,
                                                torch::nn::functional::MSELossFuncOptions(torch::kSum));
    loss.backward();
    d->opt->step();
  };
}

std::function<void()> regression(int64_t n) {
  auto t = std::make_shared<Trainer>();
  t->model = torch::nn::Sequential(torch::nn::Linear(1, 10), torch::nn::ReLU(), torch::nn::Linear(10, 1));
  t->opt = std::make_unique<torch::optim::SGD>(t->model->parameters(), torch::optim::SGDOptions(0.2));
  t->x = torch::linspace(-1, 1, n).unsqueeze(1);
  t->y = t->x.pow(2) + 0.2 * torch::rand(t->x.sizes());
  return [t] {
    t->opt->zero_grad();
    auto loss = torch::nn::functional::mse_loss(t->model->forward(t->x), t->y);
    loss.backward();
    t->opt->step();
  };
}

std::function<void()> transformer_mlp(bool train, int64_t tokens) {
  const int64_t d = 768;
  auto t = std::make_shared<Trainer>();
  t->model = torch::nn::Sequential(torch::nn::Linear(d, 4 * d), torch::nn::GELU(), torch::nn::Linear(4 * d, d));
  t->x = torch::randn({tokens, d});
  if (!train) return [t] { t->model->forward(t->x); };
  t->opt = std::make_unique<torch::optim::AdamW>(t->model->parameters(), torch::optim::AdamWOptions(1e-4));
  t->y = torch::randn({tokens, d});
  return [t] {
    t->opt->zero_grad();
    auto loss = torch::nn::functional::mse_loss(t->model->forward(t->x), t->y);
    loss.backward();
    t->opt->step();
  };
}

struct ImageTrainer {
  torch::nn::Sequential model{nullptr};
  std::unique_ptr<torch::optim::Optimizer> opt;
  torch::Tensor x, y;
};

std::function<void()> cnn(int64_t n) {
  namespace nn = torch::nn;
  auto t = std::make_shared<ImageTrainer>();
  t->model = nn::Sequential(
      nn::Conv2d(nn::Conv2dOptions(1, 8, 5).padding(2)), nn::BatchNorm2d(8), nn::ReLU(), nn::MaxPool2d(2),
      nn::Conv2d(nn::Conv2dOptions(8, 16, 5)), nn::BatchNorm2d(16), nn::ReLU(), nn::MaxPool2d(2),
      nn::Flatten(), nn::Dropout(0.25), nn::Linear(400, 64), nn::ReLU(), nn::Linear(64, 10));
  t->opt = std::make_unique<torch::optim::SGD>(t->model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  t->x = torch::randn({n, 1, 28, 28});
  t->y = torch::randint(10, {n}, torch::kInt64);
  return [t] {
    t->opt->zero_grad();
    auto loss = torch::nn::functional::cross_entropy(t->model->forward(t->x), t->y);
    loss.backward();
    t->opt->step();
  };
}

std::function<void()> conv2d_block(const std::string& arg, int64_t n) {
  namespace nn = torch::nn;
  ConvBlockShape shape;
  if (!parse_conv_block(arg, shape)) throw std::runtime_error("libtorch: bad conv2d shape '" + arg + "'");
  int64_t c = shape.channels;
  auto t = std::make_shared<ImageTrainer>();
  t->model = nn::Sequential(nn::Conv2d(nn::Conv2dOptions(c, c, 3).padding(1).bias(false)), nn::ReLU(),
                            nn::Conv2d(nn::Conv2dOptions(c, c, 3).padding(1).bias(false)));
  t->x = torch::randn({n, c, shape.size, shape.size});
  return [t] {
    t->model->zero_grad(true);
    t->model->forward(t->x).sum().backward();
  };
}

}  // namespace

bool available() { return true; }

TorchInfo setup(int threads) {
  torch::set_num_threads(threads);
  return {TORCH_VERSION, torch::get_num_threads(), at::get_parallel_info()};
}

std::function<void()> make_workload(const std::string& spec, int64_t size, uint64_t seed) {
  torch::manual_seed(seed);
  auto colon = spec.find(':');
  std::string kind = spec.substr(0, colon), arg = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (kind == "chain") return chain(arg, false, size);
  if (kind == "chain_broadcast") return chain(arg, true, size);
  if (kind == "loss") return loss(size);
  if (kind == "two_layer_net") return two_layer_net(size);
  if (kind == "mlp") return mlp(size);
  if (kind == "dynamic_net") return dynamic_net(arg.empty() ? 1 : std::stoi(arg), size);
  if (kind == "regression") return regression(size);
  if (kind == "transformer_mlp") return transformer_mlp(false, size);
  if (kind == "transformer_mlp_train") return transformer_mlp(true, size);
  if (kind == "cnn") return cnn(size);
  if (kind == "conv2d") return conv2d_block(arg, size);
  if (kind == "gpt") return gpt(size);
  if (kind == "attention") return attention(arg, size);
  if (kind == "softmax" || kind == "layer_norm") return row_layer(kind, arg.empty() ? 1024 : std::stoll(arg), size);
  throw std::runtime_error("libtorch: no version of workload '" + spec + "'");
}

}  // namespace ember::bench::libtorch
