#include "cnn/shapes.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace ember::examples {

namespace {

// Whether pixel (x, y) belongs to shape `label` of half-size r centred at (cx, cy).
bool inside(int64_t label, double x, double y, double cx, double cy, double r) {
  double dx = x - cx, dy = y - cy;
  double ax = std::abs(dx), ay = std::abs(dy), d = std::sqrt(dx * dx + dy * dy);
  double stroke = std::max(1.0, r / 4);
  switch (label) {
    case 0: return std::abs(d - r) <= stroke * 0.75;                                // ring
    case 1: return ax <= r && ay <= r;                                             // filled square
    case 2: return dy <= r && dy >= -r && ax <= (dy + r) / 2;                       // triangle
    case 3: return (ax <= stroke / 2 && ay <= r) || (ay <= stroke / 2 && ax <= r);  // plus
    case 4: return std::abs(ax - ay) <= stroke * 0.75 && ax <= r;                   // x
    default: return ax <= r && ay <= r && (r - ax <= stroke || r - ay <= stroke);   // outline
  }
}

}  // namespace

const char* shape_name(int64_t label) {
  static const char* names[] = {"ring", "square", "triangle", "plus", "x", "outline"};
  return label >= 0 && label < kShapeClasses ? names[label] : "?";
}

ImageSet make_shapes(int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 12345);
  std::uniform_real_distribution<double> unit(0, 1);
  std::normal_distribution<double> noise(0, 0.15);
  std::vector<float> pixels(static_cast<size_t>(n * kImageSize * kImageSize));
  std::vector<int64_t> labels(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    int64_t label = i % kShapeClasses;
    double r = 5 + 4 * unit(rng);
    double cx = 13.5 + (unit(rng) - 0.5) * (26 - 2 * r - 2);
    double cy = 13.5 + (unit(rng) - 0.5) * (26 - 2 * r - 2);
    double bright = 0.6 + 0.4 * unit(rng);
    float* img = pixels.data() + i * kImageSize * kImageSize;
    for (int64_t y = 0; y < kImageSize; ++y)
      for (int64_t x = 0; x < kImageSize; ++x) {
        double v = inside(label, x, y, cx, cy, r) ? bright : 0.0;
        img[y * kImageSize + x] = static_cast<float>(v + noise(rng));
      }
    labels[static_cast<size_t>(i)] = label;
  }
  // Interleave the classes randomly, not in label order.
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  std::shuffle(order.begin(), order.end(), rng);
  Tensor images = from_blob(pixels.data(), {n, 1, kImageSize, kImageSize}).clone();
  Tensor lab = from_blob(labels.data(), {n}, TensorOptions().dtype(kInt64)).clone();
  Tensor perm = from_blob(order.data(), {n}, TensorOptions().dtype(kInt64));
  return {images.index_select(0, perm), lab.index_select(0, perm)};
}

}  // namespace ember::examples
