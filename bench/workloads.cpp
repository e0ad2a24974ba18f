#include "workloads.h"

#include "image_workloads.h"
#include "row_workloads.h"
#include "sequence_workloads.h"

#include <random>
#include <sstream>

namespace ember::bench {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep))
    if (!item.empty()) out.push_back(item);
  return out;
}

// One step of a pointwise chain; binary ops take the second input.
Tensor chain_op(const std::string& op, const Tensor& x, const Tensor& b) {
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
  if (op == "gelu") return gelu(x);
  EMBER_FAIL("unknown chain op '", op, "' (known: add sub mul div clamp pow exp sigmoid tanh relu neg abs sqrt log gelu)");
}

Workload chain(const std::string& name, const std::string& ops_spec, bool broadcast, const WorkloadOptions& o) {
  auto ops = split(ops_spec, ',');
  EMBER_CHECK(!ops.empty(), "workload ", name, ": give the ops, e.g. chain:add,clamp,pow");
  for (const auto& op : ops) chain_op(op, ones({1}), ones({1}));  // validate names early
  int64_t n = o.size > 0 ? o.size : (int64_t{1} << 20);
  auto opts = TensorOptions().device(o.device).requires_grad(o.grad);
  Workload w;
  w.name = name;
  w.description = std::to_string(ops.size()) + "-op pointwise chain (" + ops_spec + ") on " + std::to_string(n) + " floats";
  if (broadcast) {
    int64_t cols = 1024, rows = std::max<int64_t>(1, n / cols);
    w.inputs = {randn({rows, cols}, opts), randn({cols}, opts)};
    w.description += ", second operand broadcast over rows";
    w.min_bytes = (rows * cols * 2 + cols) * 4;
  } else {
    w.inputs = {randn({n}, opts), randn({n}, opts)};
    w.min_bytes = n * 3 * 4;
  }
  w.fn = [ops](const std::vector<Tensor>& t) {
    Tensor x = t[0];
    for (const auto& op : ops) x = chain_op(op, x, t[1]);
    return std::vector<Tensor>{x};
  };
  return w;
}

struct NotesState {
  Tensor w1, w2;
};

Workload two_layer_net(const WorkloadOptions& o) {
  int64_t n = o.size > 0 ? o.size : 64;
  auto opts = TensorOptions().device(o.device);
  auto st = std::make_shared<NotesState>();
  st->w1 = randn({1000, 100}, opts.requires_grad(true));
  st->w2 = randn({100, 10}, opts.requires_grad(true));
  Workload w;
  w.name = "two_layer_net";
  w.description = "the notes' network, one training step (forward, backward, SGD update), N=" + std::to_string(n);
  w.inputs = {randn({n, 1000}, opts), randn({n, 10}, opts)};
  w.training = true;
  w.min_bytes = (n * 1010 + 2 * (1000 * 100 + 100 * 10)) * 4;
  NotesState* s = st.get();
  w.fn = [s](const std::vector<Tensor>& t) {
    Tensor loss = (t[0].mm(s->w1).clamp(0).mm(s->w2) - t[1]).pow(2).sum();
    loss.backward();
    {
      NoGradGuard g;
      s->w1 -= 1e-6 * s->w1.grad();
      s->w2 -= 1e-6 * s->w2.grad();
      s->w1.grad().zero_();
      s->w2.grad().zero_();
    }
    return std::vector<Tensor>{loss.detach()};
  };
  w.state = st;
  return w;
}

struct ModelState {
  nn::Sequential model{nullptr};
  std::unique_ptr<optim::Optimizer> opt;
};

Workload mlp(const WorkloadOptions& o) {
  int64_t n = o.size > 0 ? o.size : 64;
  auto st = std::make_shared<ModelState>();
  st->model = nn::Sequential(nn::Linear(1000, 100), nn::ReLU(), nn::Linear(100, 10));
  st->model->to(o.device);
  st->opt = std::make_unique<optim::Adam>(st->model->parameters(), optim::AdamOptions(1e-4));
  auto opts = TensorOptions().device(o.device);
  Workload w;
  w.name = "mlp";
  w.description = "nn::Sequential(Linear, ReLU, Linear) + MSELoss(sum) + Adam, one training step, N=" + std::to_string(n);
  w.inputs = {randn({n, 1000}, opts), randn({n, 10}, opts)};
  w.training = true;
  ModelState* s = st.get();
  w.fn = [s](const std::vector<Tensor>& t) {
    s->opt->zero_grad();
    Tensor loss = nn::functional::mse_loss(s->model->forward(t[0]), t[1], kSum);
    loss.backward();
    s->opt->step();
    return std::vector<Tensor>{loss.detach()};
  };
  w.state = st;
  return w;
}

struct DynamicState {
  nn::Linear in{nullptr}, mid{nullptr}, out{nullptr};
  std::unique_ptr<optim::SGD> opt;
};

Workload dynamic_net(int reuses, const WorkloadOptions& o) {
  EMBER_CHECK(reuses >= 0 && reuses <= 8, "dynamic_net:<k> takes k in 0..8 (got ", reuses, ")");
  int64_t n = o.size > 0 ? o.size : 64;
  auto st = std::make_shared<DynamicState>();
  st->in = nn::Linear(1000, 100);
  st->mid = nn::Linear(100, 100);
  st->out = nn::Linear(100, 10);
  std::vector<Tensor> params;
  for (auto* m : {&st->in, &st->mid, &st->out}) {
    (*m)->to(o.device);
    for (auto& p : (*m)->parameters()) params.push_back(p);
  }
  st->opt = std::make_unique<optim::SGD>(params, optim::SGDOptions(1e-4).momentum(0.9));
  auto opts = TensorOptions().device(o.device);
  Workload w;
  w.name = "dynamic_net:" + std::to_string(reuses);
  w.description = "DynamicNet with " + std::to_string(reuses) + " reuse(s) of the shared middle layer, SGD momentum step";
  w.inputs = {randn({n, 1000}, opts), randn({n, 10}, opts)};
  w.training = true;
  DynamicState* s = st.get();
  w.fn = [s, reuses](const std::vector<Tensor>& t) {
    s->opt->zero_grad();
    Tensor h = s->in->forward(t[0]).clamp(0);
    for (int i = 0; i < reuses; ++i) h = s->mid->forward(h).clamp(0);
    Tensor loss = nn::functional::mse_loss(s->out->forward(h), t[1], kSum);
    loss.backward();
    s->opt->step();
    return std::vector<Tensor>{loss.detach()};
  };
  w.state = st;
  return w;
}

Workload regression(const WorkloadOptions& o) {
  auto st = std::make_shared<ModelState>();
  st->model = nn::Sequential(nn::Linear(1, 10), nn::ReLU(), nn::Linear(10, 1));
  st->model->to(o.device);
  st->opt = std::make_unique<optim::SGD>(st->model->parameters(), optim::SGDOptions(0.2));
  auto opts = TensorOptions().device(o.device);
  Tensor x = unsqueeze(linspace(-1, 1, o.size > 0 ? o.size : 100, opts), 1);
  Workload w;
  w.name = "regression";
  w.description = "the notes' 1-D regression (Net(1, 10, 1), MSELoss, SGD lr 0.2), one step";
  w.inputs = {x, x.pow(2) + 0.2 * rand(x.sizes(), opts)};
  w.training = true;
  ModelState* s = st.get();
  w.fn = [s](const std::vector<Tensor>& t) {
    s->opt->zero_grad();
    Tensor loss = nn::functional::mse_loss(s->model->forward(t[0]), t[1]);
    loss.backward();
    s->opt->step();
    return std::vector<Tensor>{loss.detach()};
  };
  w.state = st;
  return w;
}

Workload transformer_mlp(bool train, const WorkloadOptions& o) {
  int64_t tokens = o.size > 0 ? o.size : 512, d = 768;
  auto st = std::make_shared<ModelState>();
  st->model = nn::Sequential(nn::Linear(d, 4 * d), nn::GELU(), nn::Linear(4 * d, d));
  st->model->to(o.device);
  if (train) st->opt = std::make_unique<optim::AdamW>(st->model->parameters(), optim::AdamWOptions(1e-4));
  auto opts = TensorOptions().device(o.device).requires_grad(o.grad && !train);
  Workload w;
  w.name = train ? "transformer_mlp_train" : "transformer_mlp";
  w.description = "transformer MLP block Linear(" + std::to_string(d) + ", " + std::to_string(4 * d) +
                  ") -> GELU -> Linear, " + std::to_string(tokens) + " tokens" + (train ? ", AdamW training step" : ", forward");
  w.inputs = {randn({tokens, d}, opts)};
  w.training = train;
  ModelState* s = st.get();
  if (train) {
    w.inputs.push_back(randn({tokens, d}, TensorOptions().device(o.device)));
    w.fn = [s](const std::vector<Tensor>& t) {
      s->opt->zero_grad();
      Tensor loss = nn::functional::mse_loss(s->model->forward(t[0]), t[1]);
      loss.backward();
      s->opt->step();
      return std::vector<Tensor>{loss.detach()};
    };
  } else {
    w.fn = [s](const std::vector<Tensor>& t) { return std::vector<Tensor>{s->model->forward(t[0])}; };
  }
  w.state = st;
  return w;
}

Workload loss(const WorkloadOptions& o) {
  int64_t n = o.size > 0 ? o.size : (int64_t{1} << 20);
  auto opts = TensorOptions().device(o.device).requires_grad(o.grad);
  Workload w;
  w.name = "loss";
  w.description = "(y_pred - y).pow(2).sum() on " + std::to_string(n) + " floats";
  w.inputs = {randn({n}, opts), randn({n}, TensorOptions().device(o.device))};
  w.min_bytes = n * 2 * 4;
  w.fn = [](const std::vector<Tensor>& t) { return std::vector<Tensor>{(t[0] - t[1]).pow(2).sum()}; };
  return w;
}

}  // namespace

Workload make_workload(const std::string& spec, const WorkloadOptions& o) {
  manual_seed(o.seed);
  auto colon = spec.find(':');
  std::string kind = spec.substr(0, colon), arg = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (kind == "chain") return chain(spec, arg, false, o);
  if (kind == "chain_broadcast") return chain(spec, arg, true, o);
  if (kind == "loss") return loss(o);
  if (kind == "two_layer_net") return two_layer_net(o);
  if (kind == "mlp") return mlp(o);
  if (kind == "dynamic_net") return dynamic_net(arg.empty() ? 1 : std::stoi(arg), o);
  if (kind == "regression") return regression(o);
  if (kind == "transformer_mlp") return transformer_mlp(false, o);
  if (kind == "transformer_mlp_train") return transformer_mlp(true, o);
  if (kind == "cnn") return cnn(o);
  if (kind == "conv2d") return conv2d_block(arg, o);
  if (kind == "gpt") return gpt(o);
  if (kind == "attention") return attention(arg, o);
  if (kind == "softmax" || kind == "layer_norm") return row_layer(kind, arg, o);
  std::string known;
  for (const auto& n : workload_names()) known += " " + n;
  EMBER_FAIL("unknown workload '", spec, "' (known:", known, ")");
}

std::vector<std::string> workload_names() {
  return {"chain:<ops>", "chain_broadcast:<ops>", "loss", "two_layer_net", "mlp", "dynamic_net:<k>",
          "regression", "transformer_mlp", "transformer_mlp_train", "cnn", "conv2d:<C>x<HW>", "gpt", "attention:<T>",
          "softmax:<C>", "layer_norm:<C>"};
}

}  // namespace ember::bench
