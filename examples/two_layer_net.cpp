// examples/two_layer_net: TwoLayerNet (user-defined Module) + optim::SGD(1e-4)
#include "example_cli.h"

int main(int argc, char** argv) {
  return ember::examples::run_program(argc, argv, "TwoLayerNet (user-defined Module) + optim::SGD(1e-4)", 500, 100, ember::examples::two_layer_net);
}
