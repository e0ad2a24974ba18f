// examples/cnn: trains a LeNet-style CNN on drawn shapes, eager or compiled, and reports the
// held-out accuracy per epoch.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "cnn/lenet.h"

int main(int argc, char** argv) {
  using namespace ember::examples;
  CLI::App app("LeNet-style CNN (Conv2d-BatchNorm2d-ReLU-MaxPool2d x2, Dropout, Linear-ReLU-Linear) "
               "on 28x28 drawn shapes");
  CnnOptions o;
  std::string device = "cpu", mode = "both";
  app.add_option("--device", device, "cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--mode", mode, "eager, compiled, or both (then the losses are compared)")
      ->check(CLI::IsMember({"eager", "compiled", "both"}))->capture_default_str();
  app.add_option("--optimizer", o.optimizer, "sgd (momentum 0.9, StepLR) or adam")
      ->check(CLI::IsMember({"sgd", "adam"}))->capture_default_str();
  app.add_option("--epochs", o.epochs, "epochs")->capture_default_str();
  app.add_option("--train", o.train_images, "training images")->capture_default_str();
  app.add_option("--test", o.test_images, "held-out images")->capture_default_str();
  app.add_option("--batch", o.batch, "batch size")->capture_default_str();
  app.add_option("--seed", o.seed, "random seed")->capture_default_str();
  app.add_option("--save", o.save_path, "save the trained model (safetensors), reload it and compare");
  CLI11_PARSE(app, argc, argv);
  try {
    o.device = ember::Device(device);
    o.log = [](const EpochReport& r) {
      std::printf("  epoch %d  lr %.4g  train loss %.4f  held-out accuracy %.1f%%\n", r.epoch, r.lr,
                  r.train_loss, 100 * r.test_accuracy);
    };
    std::vector<CnnResult> runs;
    for (bool compiled : {false, true}) {
      if ((compiled && mode == "eager") || (!compiled && mode == "compiled")) continue;
      o.compiled = compiled;
      std::cout << (compiled ? "compiled" : "eager") << " on " << o.device << ":\n";
      auto t0 = std::chrono::steady_clock::now();
      runs.push_back(train_cnn(o));
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf("  %.1f s, %.1f ms per step\n", s, 1000 * s / static_cast<double>(runs.back().step_losses.size()));
      if (runs.back().reloaded_accuracy >= 0)
        std::printf("  saved to %s and reloaded: accuracy %.1f%%, outputs %s\n", o.save_path.c_str(),
                    100 * runs.back().reloaded_accuracy,
                    runs.back().reloaded_identical ? "bit-identical" : "DIFFERENT");
    }
    if (runs.size() == 2) {
      double worst = 0;
      for (size_t i = 0; i < runs[0].step_losses.size(); ++i) {
        double a = runs[0].step_losses[i], b = runs[1].step_losses[i];
        worst = std::max(worst, std::abs(a - b) / std::max(1e-12, std::abs(a)));
      }
      std::printf("eager vs compiled: largest relative loss difference over %zu steps: %.3g\n",
                  runs[0].step_losses.size(), worst);
    }
  } catch (const ember::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
