// Programs 4-9 of the notes: nn::Sequential, optimizers, user-defined Modules, DynamicNet,
// the 1-D regression and grad_fn inspection.
#include <random>

#include "programs.h"

namespace ember::examples {

namespace {

struct Data {
  Tensor x, y;
};

Data notes_data(const RunOptions& o) {
  manual_seed(o.seed);
  auto opts = TensorOptions().dtype(kFloat32).device(o.device);
  return {randn({kN, kDIn}, opts), randn({kN, kDOut}, opts)};
}

nn::Sequential notes_sequential() {
  return nn::Sequential(nn::Linear(kDIn, kH), nn::ReLU(), nn::Linear(kH, kDOut));
}

struct TwoLayerNetImpl : nn::Module {
  TwoLayerNetImpl(int64_t d_in, int64_t h, int64_t d_out)
      : linear1(register_module("linear1", nn::Linear(d_in, h))),
        linear2(register_module("linear2", nn::Linear(h, d_out))) {}
  Tensor forward(const Tensor& x) {
    Tensor h_relu = linear1->forward(x).clamp(0);
    return linear2->forward(h_relu);
  }
  nn::Linear linear1, linear2;
};
EMBER_MODULE(TwoLayerNet);

struct DynamicNetImpl : nn::Module {
  DynamicNetImpl(int64_t d_in, int64_t h, int64_t d_out, uint64_t seed)
      : input_linear(register_module("input_linear", nn::Linear(d_in, h))),
        middle_linear(register_module("middle_linear", nn::Linear(h, h))),
        output_linear(register_module("output_linear", nn::Linear(h, d_out))),
        rng(seed) {}
  // A fresh graph every call: 0-3 reuses of the same middle layer (shared weights).
  Tensor forward(const Tensor& x) {
    Tensor h_relu = input_linear->forward(x).clamp(0);
    int reuses = std::uniform_int_distribution<int>(0, 3)(rng);
    for (int i = 0; i < reuses; ++i) h_relu = middle_linear->forward(h_relu).clamp(0);
    return output_linear->forward(h_relu);
  }
  nn::Linear input_linear, middle_linear, output_linear;
  std::mt19937 rng;
};
EMBER_MODULE(DynamicNet);

struct NetImpl : nn::Module {
  NetImpl(int64_t n_feature, int64_t n_hidden, int64_t n_output)
      : hidden(register_module("hidden", nn::Linear(n_feature, n_hidden))),
        predict(register_module("predict", nn::Linear(n_hidden, n_output))) {}
  Tensor forward(const Tensor& x) { return predict->forward(nn::functional::relu(hidden->forward(x))); }
  nn::Linear hidden, predict;
};
EMBER_MODULE(Net);

// The usual loop: forward, loss, zero_grad, backward, step.
template <class ModelT>
std::vector<double> train(const RunOptions& o, ModelT& model, optim::Optimizer& opt,
                          const Tensor& x, const Tensor& y, Reduction r) {
  std::vector<double> losses;
  for (int t = 0; t < o.steps; ++t) {
    Tensor loss = nn::functional::mse_loss(model->forward(x), y, r);
    losses.push_back(loss.item<double>());
    o.report(t, losses.back());
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  return losses;
}

}  // namespace

std::vector<double> nn_sequential(const RunOptions& o) {
  Data d = notes_data(o);
  auto model = notes_sequential();
  model->to(o.device);
  nn::MSELoss loss_fn(nn::MSELossOptions().reduction(kSum));
  const double learning_rate = 1e-4;
  std::vector<double> losses;
  for (int t = 0; t < o.steps; ++t) {
    Tensor loss = loss_fn(model->forward(d.x), d.y);
    losses.push_back(loss.item<double>());
    o.report(t, losses.back());
    model->zero_grad();
    loss.backward();
    NoGradGuard no_grad;
    for (auto& param : model->parameters()) param -= learning_rate * param.grad();
  }
  return losses;
}

std::vector<double> optim_adam(const RunOptions& o) {
  Data d = notes_data(o);
  auto model = notes_sequential();
  model->to(o.device);
  optim::Adam opt(model->parameters(), optim::AdamOptions(1e-4));
  return train(o, model, opt, d.x, d.y, kSum);
}

std::vector<double> two_layer_net(const RunOptions& o) {
  Data d = notes_data(o);
  TwoLayerNet model(kDIn, kH, kDOut);
  model->to(o.device);
  optim::SGD opt(model->parameters(), optim::SGDOptions(1e-4));
  return train(o, model, opt, d.x, d.y, kSum);
}

std::vector<double> dynamic_net(const RunOptions& o) {
  Data d = notes_data(o);
  DynamicNet model(kDIn, kH, kDOut, o.seed);
  model->to(o.device);
  optim::SGD opt(model->parameters(), optim::SGDOptions(1e-4).momentum(0.9));
  return train(o, model, opt, d.x, d.y, kSum);
}

std::vector<double> regression(const RunOptions& o) {
  manual_seed(o.seed);
  auto opts = TensorOptions().device(o.device);
  Tensor x = unsqueeze(linspace(-1, 1, 100, opts), 1);
  Tensor y = x.pow(2) + 0.2 * rand(x.sizes(), opts);
  Net net(1, 10, 1);
  net->to(o.device);
  optim::SGD opt(net->parameters(), optim::SGDOptions(0.2));
  return train(o, net, opt, x, y, kMean);
}

std::string grad_fn_inspection(const RunOptions& o) {
  Data d = notes_data(o);
  auto model = notes_sequential();
  model->to(o.device);
  Tensor loss = nn::functional::mse_loss(model->forward(d.x), d.y, kSum);
  std::string out = "loss.grad_fn: " + loss.grad_fn()->name() + "\n";
  auto next = loss.grad_fn()->next_edges()[0].function;
  out += "loss.grad_fn.next_functions[0]: " + next->name() + "\n";
  out += "loss.grad_fn.next_functions[0].next_functions[0]: " + next->next_edges()[0].function->name() + "\n";
  out += "the whole backward graph:\n" + format_graph(loss.grad_fn());
  return out;
}

}  // namespace ember::examples
