// examples/regression: 1-D regression y = x^2 + noise with Net(1, 10, 1), SGD lr 0.2
#include "example_cli.h"

int main(int argc, char** argv) {
  return ember::examples::run_program(argc, argv, "1-D regression y = x^2 + noise with Net(1, 10, 1), SGD lr 0.2", 1000, 100, ember::examples::regression);
}
