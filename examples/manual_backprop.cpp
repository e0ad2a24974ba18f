// examples/manual_backprop: the notes' two-layer network with hand-written gradients
#include "example_cli.h"

int main(int argc, char** argv) {
  return ember::examples::run_program(argc, argv, "the notes' two-layer network with hand-written gradients", 500, 100, ember::examples::manual_backprop);
}
