#pragma once
// A labelled image set the example draws itself (no download): 28x28 grey images of six shapes
// at random sizes and positions, with varying brightness and Gaussian noise.
#include <ember/ember.h>

#include <string>

namespace ember::examples {

constexpr int64_t kShapeClasses = 6;
constexpr int64_t kImageSize = 28;

struct ImageSet {
  Tensor images;  // [n, 1, 28, 28] float32 on the CPU
  Tensor labels;  // [n] int64 class indices
};

// The same (n, seed) always gives the same images.
ImageSet make_shapes(int64_t n, uint64_t seed);
const char* shape_name(int64_t label);

}  // namespace ember::examples
