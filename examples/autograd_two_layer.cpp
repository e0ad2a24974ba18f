// examples/autograd_two_layer: the notes' two-layer network with autograd
#include "example_cli.h"

int main(int argc, char** argv) {
  return ember::examples::run_program(argc, argv, "the notes' two-layer network with autograd", 500, 100, ember::examples::autograd_two_layer);
}
