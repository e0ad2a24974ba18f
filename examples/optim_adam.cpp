// examples/optim_adam: nn::Sequential + MSELoss(sum) trained with optim::Adam(1e-4)
#include "example_cli.h"

int main(int argc, char** argv) {
  return ember::examples::run_program(argc, argv, "nn::Sequential + MSELoss(sum) trained with optim::Adam(1e-4)", 500, 100, ember::examples::optim_adam);
}
