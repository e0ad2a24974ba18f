#pragma once
// examples/cnn: a LeNet-style network (Conv2d-BatchNorm2d-ReLU-MaxPool2d twice, Dropout,
// Linear-ReLU-Linear) trained with CrossEntropy on the drawn shapes, eager or with the whole
// training step under ember::compile.
#include <ember/ember.h>

#include <functional>
#include <string>
#include <vector>

namespace ember::examples {

struct LeNetImpl : nn::Module {
  explicit LeNetImpl(int64_t classes);
  Tensor forward(const Tensor& x);
  nn::Conv2d conv1{nullptr}, conv2{nullptr};
  nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  nn::MaxPool2d pool{nullptr};
  nn::Dropout dropout{nullptr};
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
EMBER_MODULE(LeNet);

struct EpochReport {
  int epoch = 0;
  double train_loss = 0;     // mean over the epoch's steps
  double test_accuracy = 0;  // held-out images, eval mode
  double lr = 0;
};

struct CnnOptions {
  Device device = Device(kCPU);
  bool compiled = false;
  std::string optimizer = "sgd";  // sgd (momentum 0.9, StepLR) or adam
  int epochs = 4;
  int64_t train_images = 3000, test_images = 600, batch = 64;
  uint64_t seed = 0;
  std::string save_path;  // when set: save, reload into a fresh model, compare
  std::function<void(const EpochReport&)> log;
};

struct CnnResult {
  std::vector<double> step_losses;
  std::vector<EpochReport> epochs;
  double reloaded_accuracy = -1;  // -1 when not saved
  bool reloaded_identical = false;  // the reloaded model's eval logits equal bit for bit
};

CnnResult train_cnn(const CnnOptions& o);

}  // namespace ember::examples
