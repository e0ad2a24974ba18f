// examples/grad_fn_inspection: prints the backward graph of the notes' network loss.
#include <CLI/CLI.hpp>
#include <iostream>

#include "notes/programs.h"

int main(int argc, char** argv) {
  CLI::App app("Prints the backward graph of the notes' network loss, as the notes inspect grad_fn");
  std::string device = "cpu";
  app.add_option("--device", device, "cpu, cuda or cuda:N")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    ember::examples::RunOptions o;
    o.device = ember::Device(device);
    std::cout << ember::examples::grad_fn_inspection(o);
  } catch (const ember::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
