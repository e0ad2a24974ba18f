// Row sort on the CPU: a stable sort of each row's positions by value, rows in parallel.
#include <algorithm>
#include <numeric>
#include <type_traits>
#include <vector>

#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/parallel.h"
#include "runtime/dispatch.h"

namespace ember::cpu {

namespace {

// Half and BFloat16 compare as float; every other type as itself.
template <class T>
auto sort_key(T v) {
  if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>)
    return static_cast<float>(v);
  else
    return v;
}

template <class K>
bool is_nan(K k) {
  if constexpr (std::is_floating_point_v<K>) return k != k;
  else return false;
}

// a strictly before b, with NaN above every number (libtorch's order).
template <class K>
bool ascending_before(K a, K b) { return is_nan(b) ? !is_nan(a) : a < b; }
template <class K>
bool descending_before(K a, K b) { return is_nan(a) ? !is_nan(b) : b < a; }

template <class T>
void sort_rows(const T* x, T* values, int64_t* indices, int64_t rows, int64_t n, bool descending) {
  parallel_for(rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
    using K = decltype(sort_key(T{}));
    std::vector<int64_t> perm(n);
    std::vector<K> keys(n);
    for (int64_t r = b; r < e; ++r) {
      const T* row = x + r * n;
      for (int64_t j = 0; j < n; ++j) keys[j] = sort_key(row[j]);
      std::iota(perm.begin(), perm.end(), int64_t{0});
      if (descending)
        std::stable_sort(perm.begin(), perm.end(),
                         [&](int64_t i, int64_t j) { return descending_before(keys[i], keys[j]); });
      else
        std::stable_sort(perm.begin(), perm.end(),
                         [&](int64_t i, int64_t j) { return ascending_before(keys[i], keys[j]); });
      for (int64_t j = 0; j < n; ++j) {
        values[r * n + j] = row[perm[j]];
        indices[r * n + j] = perm[j];
      }
    }
  });
}

}  // namespace

void sort(const Tensor& values, const Tensor& indices, const Tensor& self, bool descending) {
  int64_t n = self.dim() == 0 ? 1 : self.sizes().back();
  if (self.numel() == 0) return;
  int64_t rows = self.numel() / n;
  EMBER_DISPATCH_ALL_TYPES(self.dtype(), "sort", [&] {
    sort_rows(static_cast<const scalar_t*>(self.data_ptr()), static_cast<scalar_t*>(values.data_ptr()),
              static_cast<int64_t*>(indices.data_ptr()), rows, n, descending);
  });
}

}  // namespace ember::cpu
