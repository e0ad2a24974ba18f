#include <ember/ember.h>

#include <iostream>

int main() {
  auto x = ember::ones({2, 3});
  auto y = (x * 2).sum();
  if (y.item<float>() != 12.0f) {
    std::cerr << "consumer: wrong result " << y << "\n";
    return 1;
  }
  std::cout << "consumer: " << y << " (CUDA devices: " << ember::cuda::device_count() << ")\n";
  return 0;
}
