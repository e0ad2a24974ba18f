// examples/custom_function: the notes' network with MyReLU as a custom autograd Function
#include "example_cli.h"

int main(int argc, char** argv) {
  return ember::examples::run_program(argc, argv, "the notes' network with MyReLU as a custom autograd Function", 500, 100, ember::examples::custom_function);
}
