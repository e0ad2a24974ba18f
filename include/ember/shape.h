#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "ember/array_ref.h"
#include "ember/small_vector.h"

namespace ember {

// Dims a tensor keeps inline (libtorch keeps 5 too); more go to the heap.
constexpr size_t kInlineDims = 5;
// An owned list of sizes, strides or dims. Parameters take IntArrayRef.
using Shape = SmallVector<int64_t, kInlineDims>;
using DimVector = Shape;
using IntList = Shape;

int64_t numel_of(IntArrayRef sizes);
Shape contiguous_strides(IntArrayRef sizes);
bool is_contiguous_layout(IntArrayRef sizes, IntArrayRef strides);
std::string shape_str(IntArrayRef s);  // "[2, 3]"

// Wraps a possibly negative dim into [0, ndim); names the op when it is out of range.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);

// The broadcast of two shapes, or an Error naming `op` and both shapes.
Shape broadcast_shapes(IntArrayRef a, IntArrayRef b, const char* op);

// Resolves one -1 in a requested view shape against numel.
Shape infer_view_shape(IntArrayRef requested, int64_t numel, const char* op);

// Strides for viewing (sizes, strides) as new_sizes without copying, if possible
// (libtorch's computeStride). Returns false when the layout does not allow it.
bool view_strides(IntArrayRef sizes, IntArrayRef strides, IntArrayRef new_sizes,
                  Shape* new_strides);

}  // namespace ember
