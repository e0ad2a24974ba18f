// examples/manual_backprop: trains the notes' network with hand-written gradients.
//   manual_backprop [--device cpu|cuda] [--steps 500]
#include <CLI/CLI.hpp>
#include <iostream>

#include "notes/programs.h"

int main(int argc, char** argv) {
  CLI::App app("The notes' two-layer network trained with hand-written gradients");
  std::string device = "cpu";
  int steps = 500;
  app.add_option("--device", device, "cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--steps", steps, "training steps")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    ember::examples::RunOptions o;
    o.device = ember::Device(device);
    o.steps = steps;
    o.log = [](int t, double loss) { std::cout << t << " " << loss << "\n"; };
    std::cout << "manual_backprop on " << o.device << "\n";
    auto losses = ember::examples::manual_backprop(o);
    std::cout << "loss: " << losses.front() << " -> " << losses.back() << "\n";
  } catch (const ember::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
