#include "example_cli.h"

#include <CLI/CLI.hpp>
#include <iostream>

namespace ember::examples {

int run_program(int argc, char** argv, const std::string& description, int default_steps,
                int log_every, const Program& program) {
  CLI::App app(description);
  std::string device = "cpu";
  RunOptions o;
  o.steps = default_steps;
  o.log_every = log_every;
  app.add_option("--device", device, "cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--steps", o.steps, "training steps")->capture_default_str();
  app.add_option("--seed", o.seed, "random seed")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    o.device = Device(device);
    o.log = [](int t, double loss) { std::cout << t << " " << loss << "\n"; };
    std::cout << description << " (" << o.device << ")\n";
    auto losses = program(o);
    if (!losses.empty()) std::cout << "loss: " << losses.front() << " -> " << losses.back() << "\n";
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace ember::examples
