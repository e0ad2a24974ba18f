// examples/nn_sequential: nn::Sequential(Linear, ReLU, Linear) + MSELoss(sum), manual update
#include "example_cli.h"

int main(int argc, char** argv) {
  return ember::examples::run_program(argc, argv, "nn::Sequential(Linear, ReLU, Linear) + MSELoss(sum), manual update", 500, 100, ember::examples::nn_sequential);
}
