#include "kernels/non_finite.h"

#include <cmath>

#include "kernels/host_values.h"

namespace ember {

std::string NonFinite::describe() const {
  std::string what = std::isnan(value) ? "NaN" : value > 0 ? "inf" : "-inf";
  return what + " at element " + std::to_string(index);
}

std::optional<NonFinite> find_non_finite(const Tensor& t, bool inf_too) {
  if (!t.defined() || !is_floating(t.dtype()) || t.numel() == 0) return std::nullopt;
  std::vector<double> v = host_values(t);
  for (size_t i = 0; i < v.size(); ++i)
    if (std::isnan(v[i]) || (inf_too && std::isinf(v[i]))) return NonFinite{static_cast<int64_t>(i), v[i]};
  return std::nullopt;
}

std::string tensor_kind(const Tensor& t) { return std::string(dtype_name(t.dtype())) + " " + shape_str(t.sizes()); }

std::optional<BadTensor> first_non_finite(const std::vector<Tensor>& tensors, bool inf_too) {
  for (size_t i = 0; i < tensors.size(); ++i)
    if (auto nf = find_non_finite(tensors[i], inf_too)) return BadTensor{i, *nf};
  return std::nullopt;
}

}  // namespace ember
