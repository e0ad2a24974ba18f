// examples/custom_module: the notes' network through a custom Module forward(input, w1, w2)
#include "example_cli.h"

int main(int argc, char** argv) {
  return ember::examples::run_program(argc, argv, "the notes' network through a custom Module forward(input, w1, w2)", 30, 1, ember::examples::custom_module);
}
