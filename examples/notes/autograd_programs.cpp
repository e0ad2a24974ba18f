// Programs 1-3 of the notes: autograd on raw tensors, a custom Module, a custom Function.
#include "programs.h"

namespace ember::examples {

namespace {

// The notes' "Model": no parameters of its own, forward(input, w1, w2).
struct ModelImpl : nn::Module {
  Tensor forward(const Tensor& input, const Tensor& w1, const Tensor& w2) {
    Tensor x = mm(input, w1);
    x = clamp(x, 0);
    return mm(x, w2);
  }
};
EMBER_MODULE(Model);

struct MyReLU : autograd::Function<MyReLU> {
  static Tensor forward(autograd::AutogradContext* ctx, Tensor input) {
    ctx->save_for_backward({input});
    return input.clamp(0);
  }
  static autograd::variable_list backward(autograd::AutogradContext* ctx,
                                          autograd::variable_list grad_output) {
    Tensor input = ctx->get_saved_variables()[0];
    Tensor grad_input = grad_output[0].clone();
    grad_input.index_put_({input < 0}, 0);
    return {grad_input};
  }
};

// Trains w1, w2 of the notes' network with `forward` and a plain NoGradGuard update.
std::vector<double> train_raw(const RunOptions& o, double lr,
                              const std::function<Tensor(const Tensor&, const Tensor&, const Tensor&)>& forward) {
  manual_seed(o.seed);
  auto opts = TensorOptions().dtype(kFloat32).device(o.device);
  Tensor x = randn({kN, kDIn}, opts), y = randn({kN, kDOut}, opts);
  Tensor w1 = randn({kDIn, kH}, opts.requires_grad(true));
  Tensor w2 = randn({kH, kDOut}, opts.requires_grad(true));
  std::vector<double> losses;
  for (int t = 0; t < o.steps; ++t) {
    Tensor y_pred = forward(x, w1, w2);
    Tensor loss = (y_pred - y).pow(2).sum();
    losses.push_back(loss.item<double>());
    o.report(t, losses.back());
    loss.backward();
    {
      NoGradGuard no_grad;
      w1 -= lr * w1.grad();
      w2 -= lr * w2.grad();
      w1.grad().zero_();
      w2.grad().zero_();
    }
  }
  return losses;
}

}  // namespace

std::vector<double> autograd_two_layer(const RunOptions& o) {
  return train_raw(o, 1e-6, [](const Tensor& x, const Tensor& w1, const Tensor& w2) {
    return x.mm(w1).clamp(0).mm(w2);
  });
}

std::vector<double> custom_module(const RunOptions& o) {
  Model model;
  return train_raw(o, 1e-6, [&](const Tensor& x, const Tensor& w1, const Tensor& w2) {
    return model->forward(x, w1, w2);
  });
}

std::vector<double> custom_function(const RunOptions& o) {
  return train_raw(o, 1e-6, [](const Tensor& x, const Tensor& w1, const Tensor& w2) {
    return MyReLU::apply(x.mm(w1)).mm(w2);
  });
}

}  // namespace ember::examples
