#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace ember {

using Shape = std::vector<int64_t>;
using IntList = std::vector<int64_t>;

int64_t numel_of(const Shape& sizes);
Shape contiguous_strides(const Shape& sizes);
bool is_contiguous_layout(const Shape& sizes, const Shape& strides);
std::string shape_str(const Shape& s);  // "[2, 3]"

// Wraps a possibly negative dim into [0, ndim); names the op when it is out of range.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);

// The broadcast of two shapes, or an Error naming `op` and both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// Resolves one -1 in a requested view shape against numel.
Shape infer_view_shape(const Shape& requested, int64_t numel, const char* op);

// Strides for viewing (sizes, strides) as new_sizes without copying, if possible
// (libtorch's computeStride). Returns false when the layout does not allow it.
bool view_strides(const Shape& sizes, const Shape& strides, const Shape& new_sizes,
                  Shape* new_strides);

}  // namespace ember
