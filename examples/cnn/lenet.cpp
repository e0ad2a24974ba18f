#include "cnn/lenet.h"

#include <algorithm>
#include <memory>
#include <numeric>
#include <random>

#include "cnn/shapes.h"

namespace ember::examples {

namespace F = nn::functional;

LeNetImpl::LeNetImpl(int64_t classes) : Module("LeNet") {
  conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(1, 8, 5).padding(2)));
  bn1 = register_module("bn1", nn::BatchNorm2d(8));
  conv2 = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(8, 16, 5)));
  bn2 = register_module("bn2", nn::BatchNorm2d(16));
  pool = register_module("pool", nn::MaxPool2d(nn::MaxPool2dOptions(2)));
  dropout = register_module("dropout", nn::Dropout(0.25));
  fc1 = register_module("fc1", nn::Linear(16 * 5 * 5, 64));
  fc2 = register_module("fc2", nn::Linear(64, classes));
}

Tensor LeNetImpl::forward(const Tensor& x) {
  Tensor h = pool->forward(bn1->forward(conv1->forward(x)).relu());  // [n, 8, 14, 14]
  h = pool->forward(bn2->forward(conv2->forward(h)).relu());         // [n, 16, 5, 5]
  h = dropout->forward(h.flatten(1));
  return fc2->forward(fc1->forward(h).relu());
}

namespace {

double accuracy(LeNet& model, const ImageSet& set, Device device, int64_t batch, Tensor* logits_out) {
  NoGradGuard no_grad;
  model->eval();
  int64_t n = set.labels.numel(), correct = 0;
  std::vector<Tensor> logits;
  for (int64_t i = 0; i < n; i += batch) {
    int64_t len = std::min(batch, n - i);
    Tensor out = model->forward(set.images.narrow(0, i, len).to(device));
    correct += out.argmax(1).eq(set.labels.narrow(0, i, len).to(device)).sum().item<int64_t>();
    if (logits_out) logits.push_back(out.to(Device(kCPU)));
  }
  if (logits_out) *logits_out = cat(logits, 0);
  model->train();
  return static_cast<double>(correct) / static_cast<double>(n);
}

}  // namespace

CnnResult train_cnn(const CnnOptions& o) {
  manual_seed(o.seed);
  ImageSet train = make_shapes(o.train_images, o.seed * 2 + 1);
  ImageSet test = make_shapes(o.test_images, o.seed * 2 + 2);
  LeNet model(kShapeClasses);
  model->to(o.device);

  std::unique_ptr<optim::Optimizer> opt;
  std::unique_ptr<optim::StepLR> schedule;
  if (o.optimizer == "adam") {
    opt = std::make_unique<optim::Adam>(model->parameters(), optim::AdamOptions(2e-3));
  } else {
    EMBER_CHECK(o.optimizer == "sgd", "unknown optimizer '", o.optimizer, "' (sgd or adam)");
    opt = std::make_unique<optim::SGD>(model->parameters(), optim::SGDOptions(0.05).momentum(0.9));
    schedule = std::make_unique<optim::StepLR>(*opt, 2, 0.5);
  }

  auto step_fn = [&](const Tensor& x, const Tensor& y) {
    opt->zero_grad();
    Tensor loss = F::cross_entropy(model->forward(x), y);
    loss.backward();
    opt->step();
    return loss.detach();
  };
  auto compiled_step = compile(step_fn);

  CnnResult result;
  std::mt19937_64 order_rng(o.seed + 99);
  std::vector<int64_t> order(static_cast<size_t>(o.train_images));
  std::iota(order.begin(), order.end(), int64_t{0});
  int64_t steps_per_epoch = o.train_images / o.batch;  // whole batches only: one compiled shape
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), order_rng);
    Tensor perm = from_blob(order.data(), {o.train_images}, TensorOptions().dtype(kInt64));
    double sum = 0;
    for (int64_t s = 0; s < steps_per_epoch; ++s) {
      Tensor idx = perm.narrow(0, s * o.batch, o.batch);
      Tensor x = train.images.index_select(0, idx).to(o.device);
      Tensor y = train.labels.index_select(0, idx).to(o.device);
      double loss = (o.compiled ? compiled_step(x, y) : step_fn(x, y)).item<double>();
      result.step_losses.push_back(loss);
      sum += loss;
    }
    EpochReport r;
    r.epoch = epoch;
    r.train_loss = sum / static_cast<double>(steps_per_epoch);
    r.lr = opt->param_groups()[0].options().get_lr();
    r.test_accuracy = accuracy(model, test, o.device, 200, nullptr);
    if (schedule) schedule->step();
    result.epochs.push_back(r);
    if (o.log) o.log(r);
  }

  if (!o.save_path.empty()) {
    save(model, o.save_path);
    LeNet reloaded(kShapeClasses);
    reloaded->to(o.device);
    load(reloaded, o.save_path);
    Tensor a, b;
    accuracy(model, test, o.device, 200, &a);
    result.reloaded_accuracy = accuracy(reloaded, test, o.device, 200, &b);
    result.reloaded_identical = a.equal(b);
  }
  return result;
}

}  // namespace ember::examples
