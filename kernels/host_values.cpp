#include "kernels/host_values.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "ember/half.h"
#include "kernels/ops/ops_util.h"
#include "runtime/dispatch.h"

namespace ember {

std::vector<double> host_values(const Tensor& t) {
  Tensor h = contiguous_on(t, Device(kCPU));
  std::vector<double> out(static_cast<size_t>(h.numel()));
  EMBER_DISPATCH_ALL_TYPES(h.dtype(), "host_values", [&] {
    const auto* p = static_cast<const scalar_t*>(h.data_ptr());
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(p[i]);
  });
  return out;
}

Difference compare_values(const Tensor& a, const Tensor& b, double rtol, double atol) {
  EMBER_CHECK(a.sizes() == b.sizes() && a.dtype() == b.dtype(), "compare_values: ", dtype_name(a.dtype()), " ",
              shape_str(a.sizes()), " against ", dtype_name(b.dtype()), " ", shape_str(b.sizes()));
  Difference d;
  Tensor ha = contiguous_on(a, Device(kCPU)), hb = contiguous_on(b, Device(kCPU));
  d.bitwise = ha.nbytes() == 0 || std::memcmp(ha.data_ptr(), hb.data_ptr(), ha.nbytes()) == 0;
  if (d.bitwise) return d;
  std::vector<double> va = host_values(ha), vb = host_values(hb);
  for (size_t i = 0; i < va.size(); ++i) {
    double x = va[i], y = vb[i];
    if (std::isnan(x) && std::isnan(y)) continue;
    double diff = (std::isnan(x) || std::isnan(y)) ? std::numeric_limits<double>::infinity() : std::fabs(x - y);
    if (x == y) diff = 0;  // equal infinities
    d.max_abs = std::max(d.max_abs, diff);
    if (!(diff <= atol + rtol * std::fabs(y))) d.close = false;
  }
  return d;
}

}  // namespace ember
