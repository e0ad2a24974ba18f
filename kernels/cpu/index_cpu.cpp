// Gather/scatter-style kernels on the CPU. Index ranges are checked by the ops before a
// kernel runs, so nothing here can fail half-way.
#include <cstring>

#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/parallel.h"
#include "kernels/device/cast.h"
#include "kernels/tensor_alloc.h"
#include "runtime/dispatch.h"

namespace ember::cpu {

namespace {

// Calls f(multi-index, linear) for every element of `sizes`, split across threads.
template <class F>
void for_each_index(const Shape& sizes, bool parallel, const F& f) {
  int64_t n = numel_of(sizes), nd = static_cast<int64_t>(sizes.size());
  auto body = [&](int64_t b, int64_t e) {
    std::vector<int64_t> idx(nd);
    int64_t rem = b;
    for (int64_t d = nd - 1; d >= 0; --d) {
      idx[d] = rem % sizes[d];
      rem /= sizes[d];
    }
    for (int64_t i = b; i < e; ++i) {
      f(idx.data(), i);
      for (int64_t d = nd - 1; d >= 0; --d) {
        if (++idx[d] < sizes[d]) break;
        idx[d] = 0;
      }
    }
  };
  if (parallel) parallel_for(n, kPointwiseGrain, body);
  else body(0, n);
}

int64_t offset_of(const int64_t* idx, const Shape& strides, int64_t dim = -1, int64_t at = 0) {
  int64_t off = 0;
  for (size_t d = 0; d < strides.size(); ++d)
    off += (static_cast<int64_t>(d) == dim ? at : idx[d]) * strides[d];
  return off;
}

char* elem(const Tensor& t, int64_t off) {
  return static_cast<char*>(t.data_ptr()) + off * static_cast<int64_t>(t.element_size());
}

}  // namespace

void index_select(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index) {
  const int64_t* ix = index.data_ptr<int64_t>();
  size_t item = self.element_size();
  for_each_index(out.sizes(), true, [&](const int64_t* idx, int64_t) {
    std::memcpy(elem(out, offset_of(idx, out.strides())),
                elem(self, offset_of(idx, self.strides(), dim, ix[idx[dim]])), item);
  });
}

void gather(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index) {
  size_t item = self.element_size();
  for_each_index(index.sizes(), true, [&](const int64_t* idx, int64_t) {
    int64_t at = *reinterpret_cast<const int64_t*>(elem(index, offset_of(idx, index.strides())));
    std::memcpy(elem(out, offset_of(idx, out.strides())),
                elem(self, offset_of(idx, self.strides(), dim, at)), item);
  });
}

void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src,
             bool accumulate) {
  EMBER_DISPATCH_ALL_TYPES(out.dtype(), "scatter", [&] {
    using T = typename dev::OpMath<scalar_t>::type;
    for_each_index(index.sizes(), false, [&](const int64_t* idx, int64_t) {
      int64_t at = *reinterpret_cast<const int64_t*>(elem(index, offset_of(idx, index.strides())));
      auto* dst = reinterpret_cast<scalar_t*>(elem(out, offset_of(idx, out.strides(), dim, at)));
      auto v = *reinterpret_cast<const scalar_t*>(elem(src, offset_of(idx, src.strides())));
      if (accumulate) {
        if constexpr (std::is_same_v<scalar_t, bool>) *dst = *dst || v;
        else *dst = dev::convert<scalar_t>(dev::convert<T>(*dst) + dev::convert<T>(v));
      } else {
        *dst = v;
      }
    });
  });
}

void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& source) {
  const int64_t* ix = index.data_ptr<int64_t>();
  EMBER_DISPATCH_ALL_TYPES(out.dtype(), "index_add", [&] {
    using T = typename dev::OpMath<scalar_t>::type;
    for_each_index(source.sizes(), false, [&](const int64_t* idx, int64_t) {
      auto* dst = reinterpret_cast<scalar_t*>(elem(out, offset_of(idx, out.strides(), dim, ix[idx[dim]])));
      auto v = *reinterpret_cast<const scalar_t*>(elem(source, offset_of(idx, source.strides())));
      if constexpr (std::is_same_v<scalar_t, bool>) *dst = *dst || v;
      else *dst = dev::convert<scalar_t>(dev::convert<T>(*dst) + dev::convert<T>(v));
    });
  });
}

namespace {
// Truthiness of each element of a contiguous tensor, as bytes.
std::vector<char> truth(const Tensor& t) {
  std::vector<char> m(static_cast<size_t>(t.numel()));
  EMBER_DISPATCH_ALL_TYPES(t.dtype(), "nonzero", [&] {
    const auto* p = static_cast<const scalar_t*>(t.data_ptr());
    for (size_t i = 0; i < m.size(); ++i) m[i] = dev::convert<bool>(p[i]);
  });
  return m;
}
}  // namespace

Tensor nonzero(const Tensor& self) {
  auto m = truth(self);
  int64_t count = 0;
  for (char c : m) count += c;
  int64_t nd = self.dim();
  Tensor out = empty_tensor({count, nd}, kInt64, self.device());
  int64_t* o = out.data_ptr<int64_t>();
  int64_t row = 0;
  for_each_index(self.sizes(), false, [&](const int64_t* idx, int64_t lin) {
    if (!m[static_cast<size_t>(lin)]) return;
    for (int64_t d = 0; d < nd; ++d) o[row * nd + d] = idx[d];
    ++row;
  });
  return out;
}

Tensor masked_select(const Tensor& self, const Tensor& mask) {
  const bool* m = mask.data_ptr<bool>();
  int64_t n = self.numel(), count = 0;
  for (int64_t i = 0; i < n; ++i) count += m[i];
  Tensor out = empty_tensor({count}, self.dtype(), self.device());
  size_t item = self.element_size();
  const char* src = static_cast<const char*>(self.data_ptr());
  char* dst = static_cast<char*>(out.data_ptr());
  for (int64_t i = 0, k = 0; i < n; ++i)
    if (m[i]) std::memcpy(dst + (k++) * item, src + i * item, item);
  return out;
}

void masked_scatter(const Tensor& out, const Tensor& mask, const Tensor& source) {
  const bool* m = mask.data_ptr<bool>();
  size_t item = out.element_size();
  const char* src = static_cast<const char*>(source.data_ptr());
  char* dst = static_cast<char*>(out.data_ptr());
  for (int64_t i = 0, k = 0, n = out.numel(); i < n; ++i)
    if (m[i]) std::memcpy(dst + i * item, src + (k++) * item, item);
}

}  // namespace ember::cpu
