// Element reorderings and triangular masks composed from views, index_select, cat and
// masked_fill, so autograd and the tracer need nothing of their own: flip, roll, tril, triu.
#include <algorithm>

#include "frontend/dispatch.h"
#include "ember/functional.h"

namespace ember {

namespace {

Tensor roll_one(const Tensor& x, int64_t shift, int64_t dim) {
  int64_t n = x.size(dim);
  if (n == 0) return x.clone();
  int64_t s = ((shift % n) + n) % n;
  if (s == 0) return x.clone();
  return cat({x.narrow(dim, n - s, s), x.narrow(dim, 0, n - s)}, dim);
}

// True on and below (lower) or above (upper) the given diagonal of the last two dims.
Tensor triangle_mask(const Tensor& x, int64_t diagonal, bool lower, const char* op) {
  EMBER_CHECK(x.dim() >= 2, op, ": input tensor must have at least 2 dimensions");
  auto opts = TensorOptions().dtype(kInt64).device(x.device());
  Tensor rows = arange(x.size(-2), opts).unsqueeze(1);
  Tensor offset = arange(x.size(-1), opts) - rows;  // column - row
  return lower ? offset <= diagonal : offset >= diagonal;
}

}  // namespace

Tensor Tensor::flip(IntArrayRef dims) const {
  std::vector<bool> seen(static_cast<size_t>(std::max<int64_t>(dim(), 1)), false);
  Tensor r = *this;
  for (auto d0 : dims) {
    int64_t d = wrap_dim(d0, dim(), "flip");
    EMBER_CHECK(!seen[d], "dim ", d, " appears multiple times in the list of dims");
    seen[d] = true;
    if (dim() == 0 || size(d) <= 1) continue;
    Tensor rev = arange(size(d) - 1, -1, -1, TensorOptions().dtype(kInt64).device(device()));
    r = r.index_select(d, rev);
  }
  return r.is_same(*this) ? clone() : r;
}

Tensor Tensor::roll(IntArrayRef shifts, IntArrayRef dims) const {
  EMBER_CHECK(!shifts.empty(), "`shifts` required");
  if (dims.empty()) {
    EMBER_CHECK(shifts.size() == 1, "shifts and dimensions must align. shifts: ", shifts.size(),
                ", dims:0");
    return roll_one(flatten(), shifts[0], 0).view(sizes());
  }
  EMBER_CHECK(shifts.size() == dims.size(), "shifts and dimensions must align. shifts: ",
              shifts.size(), ", dims:", dims.size());
  Tensor r = *this;
  for (size_t i = 0; i < dims.size(); ++i) r = roll_one(r, shifts[i], wrap_dim(dims[i], dim(), "roll"));
  return r;
}

Tensor Tensor::tril(int64_t diagonal) const {
  return masked_fill(triangle_mask(*this, diagonal, true, "tril").logical_not(), 0);
}
Tensor Tensor::triu(int64_t diagonal) const {
  return masked_fill(triangle_mask(*this, diagonal, false, "triu").logical_not(), 0);
}
const Tensor& Tensor::tril_(int64_t diagonal) const {
  return masked_fill_(triangle_mask(*this, diagonal, true, "tril").logical_not(), 0);
}
const Tensor& Tensor::triu_(int64_t diagonal) const {
  return masked_fill_(triangle_mask(*this, diagonal, false, "triu").logical_not(), 0);
}

Tensor flip(const Tensor& x, IntArrayRef dims) { return x.flip(dims); }
Tensor roll(const Tensor& x, IntArrayRef shifts, IntArrayRef dims) {
  return x.roll(shifts, dims);
}
Tensor tril(const Tensor& x, int64_t diagonal) { return x.tril(diagonal); }
Tensor triu(const Tensor& x, int64_t diagonal) { return x.triu(diagonal); }

}  // namespace ember
