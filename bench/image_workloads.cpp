#include "image_workloads.h"

#include "conv_block_shape.h"

namespace ember::bench {

namespace {

struct ImageModelState {
  nn::Sequential model{nullptr};
  std::unique_ptr<optim::Optimizer> opt;
};

}  // namespace

Workload cnn(const WorkloadOptions& o) {
  int64_t n = o.size > 0 ? o.size : 64;
  auto st = std::make_shared<ImageModelState>();
  st->model = nn::Sequential(
      nn::Conv2d(nn::Conv2dOptions(1, 8, 5).padding(2)), nn::BatchNorm2d(8), nn::ReLU(), nn::MaxPool2d(2),
      nn::Conv2d(nn::Conv2dOptions(8, 16, 5)), nn::BatchNorm2d(16), nn::ReLU(), nn::MaxPool2d(2),
      nn::Flatten(), nn::Dropout(0.25), nn::Linear(400, 64), nn::ReLU(), nn::Linear(64, 10));
  st->model->to(o.device);
  st->opt = std::make_unique<optim::SGD>(st->model->parameters(), optim::SGDOptions(0.01).momentum(0.9));
  Workload w;
  w.name = "cnn";
  w.description = "LeNet-style CNN (Conv2d-BatchNorm2d-ReLU-MaxPool2d x2, Dropout, Linear-ReLU-Linear) "
                  "+ CrossEntropy + SGD momentum, one training step on 28x28 images, N=" + std::to_string(n);
  w.inputs = {randn({n, 1, 28, 28}, TensorOptions().device(o.device)),
              randint(10, {n}, TensorOptions().dtype(kInt64).device(o.device))};
  w.training = true;
  w.min_bytes = n * (28 * 28 * 4 + 8);
  ImageModelState* s = st.get();
  w.fn = [s](const std::vector<Tensor>& t) {
    s->opt->zero_grad();
    Tensor loss = nn::functional::cross_entropy(s->model->forward(t[0]), t[1]);
    loss.backward();
    s->opt->step();
    return std::vector<Tensor>{loss.detach()};
  };
  w.state = st;
  return w;
}

Workload conv2d_block(const std::string& arg, const WorkloadOptions& o) {
  ConvBlockShape shape;
  EMBER_CHECK(parse_conv_block(arg, shape),
              "conv2d:<C>x<HW> takes two positive integers, e.g. conv2d:64x28 (got '", arg, "')");
  int64_t n = o.size > 0 ? o.size : 8, c = shape.channels, hw = shape.size;
  auto st = std::make_shared<ImageModelState>();
  st->model = nn::Sequential(nn::Conv2d(nn::Conv2dOptions(c, c, 3).padding(1).bias(false)), nn::ReLU(),
                             nn::Conv2d(nn::Conv2dOptions(c, c, 3).padding(1).bias(false)));
  st->model->to(o.device);
  Workload w;
  w.name = "conv2d:" + std::to_string(c) + "x" + std::to_string(hw);
  w.description = "ResNet-like block conv3x3(" + std::to_string(c) + "->" + std::to_string(c) +
                  ")-ReLU-conv3x3 on " + std::to_string(hw) + "x" + std::to_string(hw) +
                  ", forward + backward (weight grads of both, input grad of the second), N=" + std::to_string(n);
  w.inputs = {randn({n, c, hw, hw}, TensorOptions().device(o.device))};
  w.training = true;
  w.min_bytes = n * c * hw * hw * 4 + 2 * 9 * c * c * 4;
  ImageModelState* s = st.get();
  w.fn = [s](const std::vector<Tensor>& t) {
    s->model->zero_grad(true);
    Tensor out = s->model->forward(t[0]).sum();
    out.backward();
    return std::vector<Tensor>{out.detach()};
  };
  w.state = st;
  return w;
}

}  // namespace ember::bench
