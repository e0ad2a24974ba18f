#include "ember/shape.h"

#include <sstream>

#include "ember/error.h"

namespace ember {

int64_t numel_of(IntArrayRef sizes) {
  // A zero anywhere makes it 0, whatever the product of the others (found by fuzz_npy: a
  // Fortran-order shape with a 0 last overflowed int64 before reaching it).
  int64_t n = 1;
  bool overflow = false;
  for (auto s : sizes) {
    if (s == 0) return 0;
    overflow |= __builtin_mul_overflow(n, s, &n);
  }
  EMBER_CHECK(!overflow, "shape ", shape_str(sizes), " has more elements than int64 can count");
  return n;
}

Shape contiguous_strides(IntArrayRef sizes) {
  Shape st(sizes.size());
  int64_t acc = 1;
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i >= 0; --i) {
    st[i] = acc;
    // Wraps only for an empty tensor (numel_of refuses the others), whose strides are moot.
    __builtin_mul_overflow(acc, sizes[i] > 1 ? sizes[i] : 1, &acc);
  }
  return st;
}

bool is_contiguous_layout(IntArrayRef sizes, IntArrayRef strides) {
  int64_t expected = 1;
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 1; i >= 0; --i) {
    if (sizes[i] == 0) return true;
    if (sizes[i] == 1) continue;
    if (strides[i] != expected) return false;
    expected *= sizes[i];
  }
  return true;
}

std::string shape_str(IntArrayRef s) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  os << ']';
  return os.str();
}

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  int64_t n = ndim == 0 ? 1 : ndim;  // scalars accept dim 0 and -1, as in libtorch
  EMBER_CHECK(dim >= -n && dim < n, op, ": dimension out of range (expected to be in range of [",
              -n, ", ", n - 1, "], but got ", dim, ")");
  return dim < 0 ? dim + n : dim;
}

Shape broadcast_shapes(IntArrayRef a, IntArrayRef b, const char* op) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    EMBER_CHECK(da == db || da == 1 || db == 1, op, ": shapes ", shape_str(a), " and ",
                shape_str(b), " are not broadcastable (dimension ", i, ": ", da, " vs ", db, ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Shape infer_view_shape(IntArrayRef requested, int64_t numel, const char* op) {
  Shape out = requested;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      EMBER_CHECK(infer < 0, op, ": only one dimension can be inferred in shape ",
                  shape_str(requested));
      infer = static_cast<int64_t>(i);
    } else {
      EMBER_CHECK(out[i] >= 0, op, ": invalid shape dimension ", out[i], " in ",
                  shape_str(requested));
      known *= out[i];
    }
  }
  if (infer >= 0) {
    EMBER_CHECK(known != 0 && numel % known == 0, op, ": shape ", shape_str(requested),
                " is invalid for input of size ", numel);
    out[infer] = numel / known;
  } else {
    EMBER_CHECK(known == numel, op, ": shape ", shape_str(requested),
                " is invalid for input of size ", numel);
  }
  return out;
}

bool view_strides(IntArrayRef sizes, IntArrayRef strides, IntArrayRef new_sizes,
                  Shape* new_strides) {
  new_strides->assign(new_sizes.size(), 0);
  if (sizes.empty()) {  // a scalar views as anything with one element
    for (auto& s : *new_strides) s = 1;
    return true;
  }
  int64_t numel = numel_of(sizes);
  if (numel == 0) {
    *new_strides = contiguous_strides(new_sizes);
    return true;
  }
  // Walk chunks of old dims that are contiguous with respect to each other, matching them
  // against runs of new dims with the same element count.
  int64_t view_d = static_cast<int64_t>(new_sizes.size()) - 1;
  int64_t chunk_base_stride = strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= sizes[d];
    if (d == 0 || (sizes[d - 1] != 1 && strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || new_sizes[view_d] == 1)) {
        (*new_strides)[view_d] = view_numel * chunk_base_stride;
        view_numel *= new_sizes[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return false;
      if (d > 0) {
        chunk_base_stride = strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  return view_d == -1;
}

}  // namespace ember
