// Printing in PyTorch's format (precision 4, summarised past 1000 elements, 80 columns).
#include <cmath>
#include <cstdio>
#include <ostream>
#include <sstream>

#include "ember/functional.h"
#include "ember/autograd/node.h"
#include "ember/grad_mode.h"

namespace ember {

namespace {

constexpr int kPrecision = 4;
constexpr int64_t kThreshold = 1000;
constexpr int64_t kEdgeItems = 3;
constexpr int kLineWidth = 80;

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, kPrecision, v);
  return buf;
}

// Values of a (CPU, float64/int64/bool) tensor as printed.
class Formatter {
 public:
  Formatter(const std::vector<long double>& values, ScalarType dtype) : floating_(is_floating(dtype)),
                                                                   is_bool_(dtype == kBool) {
    if (!floating_) {
      for (long double v : values) width_ = std::max<size_t>(width_, plain(v).size());
      return;
    }
    std::vector<double> finite;
    for (double v : values)
      if (std::isfinite(v) && v != 0) finite.push_back(std::fabs(v));
    if (finite.empty()) return;
    double lo = *std::min_element(finite.begin(), finite.end());
    double hi = *std::max_element(finite.begin(), finite.end());
    for (double v : values)
      if (std::isfinite(v) && v != 0 && v != std::ceil(v)) int_mode_ = false;
    sci_ = hi / lo > 1000.0 || hi > 1.0e8 || (!int_mode_ && lo < 1.0e-4);
    for (double v : values) {
      if (!std::isfinite(v) || v == 0) continue;
      if (sci_) width_ = std::max(width_, fmt("%.*e", v).size());
      else if (int_mode_) width_ = std::max(width_, int_str(v).size());
      else width_ = std::max(width_, fmt("%.*f", v).size());
    }
  }

  size_t width() const { return width_; }

  std::string format(long double lv) const {
    std::string s;
    double v = static_cast<double>(lv);
    if (!floating_) {
      s = plain(lv);
    } else if (std::isnan(v)) {
      s = "nan";
    } else if (std::isinf(v)) {
      s = v > 0 ? "inf" : "-inf";
    } else if (sci_) {
      s = fmt("%.*e", v);
    } else if (int_mode_) {
      s = int_str(v);
    } else {
      s = fmt("%.*f", v);
    }
    return s.size() < width_ ? std::string(width_ - s.size(), ' ') + s : s;
  }

 private:
  static std::string int_str(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f.", v);
    return buf;
  }
  std::string plain(long double v) const {
    if (is_bool_) return v != 0 ? "True" : "False";
    return std::to_string(static_cast<long long>(v));
  }
  bool floating_, is_bool_;
  bool int_mode_ = true, sci_ = false;
  size_t width_ = 1;
};

struct Printer {
  const std::vector<long double>& data;  // row-major values of the whole tensor
  const Shape& sizes;
  const Formatter& f;
  bool summarize;

  std::string str(int64_t dim, int64_t offset, int64_t indent) const {
    int64_t nd = static_cast<int64_t>(sizes.size());
    if (nd == 0) return f.format(data[0]);
    int64_t n = sizes[dim], stride = 1;
    for (int64_t d = dim + 1; d < nd; ++d) stride *= sizes[d];
    std::vector<int64_t> rows;
    bool cut = summarize && n > 2 * kEdgeItems;
    for (int64_t i = 0; i < n; ++i)
      if (!cut || i < kEdgeItems || i >= n - kEdgeItems) rows.push_back(i);
    if (dim == nd - 1) {
      std::vector<std::string> items;
      for (size_t k = 0; k < rows.size(); ++k) {
        if (cut && k == static_cast<size_t>(kEdgeItems)) items.push_back(" ...");
        items.push_back(f.format(data[offset + rows[k]]));
      }
      int64_t per_line = std::max<int64_t>(1, (kLineWidth - indent) / static_cast<int64_t>(f.width() + 2));
      std::string out = "[";
      for (size_t k = 0; k < items.size(); ++k) {
        if (k > 0) {
          out += ",";
          out += (static_cast<int64_t>(k) % per_line == 0) ? "\n" + std::string(indent + 1, ' ') : " ";
        }
        out += items[k];
      }
      return out + "]";
    }
    std::string sep = "," + std::string(nd - dim - 1, '\n') + std::string(indent + 1, ' ');
    std::string out = "[";
    for (size_t k = 0; k < rows.size(); ++k) {
      if (k > 0) out += sep;
      if (cut && k == static_cast<size_t>(kEdgeItems)) out += "..." + sep;
      out += str(dim + 1, offset + rows[k] * stride, indent + 1);
    }
    return out + "]";
  }
};

// Indices kept by summarisation, for the formatter's width computation.
void summarized(const std::vector<long double>& data, const Shape& sizes, size_t dim,
                int64_t offset, bool cut_all, std::vector<long double>& out) {
  if (dim == sizes.size()) {
    out.push_back(data[offset]);
    return;
  }
  int64_t n = sizes[dim], stride = 1;
  for (size_t d = dim + 1; d < sizes.size(); ++d) stride *= sizes[d];
  bool cut = cut_all && n > 2 * kEdgeItems;
  for (int64_t i = 0; i < n; ++i)
    if (!cut || i < kEdgeItems || i >= n - kEdgeItems)
      summarized(data, sizes, dim + 1, offset + i * stride, cut_all, out);
}

}  // namespace

std::string Tensor::toString() const {
  if (!defined()) return "[ Tensor (undefined) ]";
  std::vector<std::string> suffixes;
  if (!is_cpu()) suffixes.push_back("device='" + device().str() + "'");
  bool default_like = dtype() == default_dtype() || dtype() == kInt64 || dtype() == kBool;
  std::string body;
  if (is_symbolic()) {
    body = "<traced " + shape_str(sizes()) + ">";
    if (!default_like) suffixes.push_back(std::string("dtype=ember.") + dtype_name(dtype()));
  } else if (numel() == 0) {
    body = "[]";
    if (dim() != 1) {
      std::string sz = "size=(";
      for (int64_t d = 0; d < dim(); ++d) sz += (d ? ", " : "") + std::to_string(sizes()[d]);
      suffixes.push_back(sz + ")");
    }
    if (dtype() != default_dtype()) suffixes.push_back(std::string("dtype=ember.") + dtype_name(dtype()));
  } else {
    if (!default_like) suffixes.push_back(std::string("dtype=ember.") + dtype_name(dtype()));
    std::vector<long double> data;
    {
      NoGradGuard g;
      Tensor host = detach().to(Device(kCPU));
      if (is_floating(dtype())) {
        host = host.to(kFloat64).contiguous();
        const double* p = host.data_ptr<double>();
        data.assign(p, p + numel());
      } else {
        host = host.to(kInt64).contiguous();
        const int64_t* p = host.data_ptr<int64_t>();
        data.assign(p, p + numel());
      }
    }
    bool summarize = numel() > kThreshold;
    std::vector<long double> shown;
    summarized(data, sizes(), 0, 0, summarize, shown);
    Formatter f(shown, dtype());
    body = Printer{data, sizes(), f, summarize}.str(0, 0, 7);
  }
  if (auto fn = grad_fn()) suffixes.push_back("grad_fn=<" + fn->name() + ">");
  else if (requires_grad()) suffixes.push_back("requires_grad=True");

  std::string out = "tensor(" + body;
  size_t nl = out.rfind('\n');
  // PyTorch's _add_suffixes: len(s) - s.rfind("\n") + 1, where rfind gives -1 for one line.
  int64_t last = static_cast<int64_t>(out.size()) -
                 (nl == std::string::npos ? -1 : static_cast<int64_t>(nl)) + 1;
  for (const auto& s : suffixes) {
    int64_t len = static_cast<int64_t>(s.size());
    if (last + len + 2 > kLineWidth) {
      out += ",\n" + std::string(7, ' ') + s;
      last = 7 + len;
    } else {
      out += ", " + s;
      last += len + 2;
    }
  }
  return out + ")";
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.toString(); }

}  // namespace ember
