// examples/dynamic_net: DynamicNet: 0-3 reuses of a shared middle layer, SGD momentum 0.9
#include "example_cli.h"

int main(int argc, char** argv) {
  return ember::examples::run_program(argc, argv, "DynamicNet: 0-3 reuses of a shared middle layer, SGD momentum 0.9", 500, 100, ember::examples::dynamic_net);
}
