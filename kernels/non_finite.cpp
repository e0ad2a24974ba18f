#include "kernels/non_finite.h"

#include <cmath>
#include <type_traits>

#include "kernels/ops/ops_util.h"
#include "ember/half.h"

namespace ember {

namespace {

template <class T>
std::optional<NonFinite> scan(const Tensor& host, bool inf_too) {
  const T* p = static_cast<const T*>(host.data_ptr());
  for (int64_t i = 0, n = host.numel(); i < n; ++i) {
    double v;
    if constexpr (std::is_same_v<T, double>) v = p[i];
    else v = static_cast<float>(p[i]);
    if (std::isnan(v) || (inf_too && std::isinf(v))) return NonFinite{i, v};
  }
  return std::nullopt;
}

}  // namespace

std::string NonFinite::describe() const {
  std::string what = std::isnan(value) ? "NaN" : value > 0 ? "inf" : "-inf";
  return what + " at element " + std::to_string(index);
}

std::optional<NonFinite> find_non_finite(const Tensor& t, bool inf_too) {
  if (!t.defined() || !is_floating(t.dtype()) || t.numel() == 0) return std::nullopt;
  Tensor host = contiguous_on(t, Device(kCPU));
  switch (t.dtype()) {
    case kFloat16: return scan<Half>(host, inf_too);
    case kBFloat16: return scan<BFloat16>(host, inf_too);
    case kFloat32: return scan<float>(host, inf_too);
    case kFloat64: return scan<double>(host, inf_too);
    default: return std::nullopt;
  }
}

std::string tensor_kind(const Tensor& t) { return std::string(dtype_name(t.dtype())) + " " + shape_str(t.sizes()); }

}  // namespace ember

namespace ember {

std::optional<BadTensor> first_non_finite(const std::vector<Tensor>& tensors, bool inf_too) {
  for (size_t i = 0; i < tensors.size(); ++i)
    if (auto nf = find_non_finite(tensors[i], inf_too)) return BadTensor{i, *nf};
  return std::nullopt;
}

}  // namespace ember
