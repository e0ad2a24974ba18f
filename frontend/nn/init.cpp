#include "ember/nn/init.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "ember/functional.h"
#include "ember/grad_mode.h"

namespace ember::nn::init {

namespace {

void check_dims(const char* fn, const Tensor& t, int64_t lo, int64_t hi) {
  if (lo == hi)
    EMBER_CHECK(t.dim() == lo, fn, ": Only tensors with ", lo, " dimensions are supported (got shape ",
                shape_str(t.sizes()), ")");
  else
    EMBER_CHECK(t.dim() >= lo && t.dim() <= hi, fn, ": Only tensors with ", lo, " to ", hi,
                " dimensions are supported (got shape ", shape_str(t.sizes()), ")");
}

// Copies host values (row-major, t's shape) into t, on t's device and in t's dtype.
void assign(const Tensor& t, std::vector<double> values) {
  Tensor src = tensor(TensorData(std::move(values)), TensorOptions().dtype(kFloat64)).reshape(t.sizes());
  t.copy_(src);
}

// Orthonormalises the columns of the m x n (m >= n) row-major matrix a by modified Gram-Schmidt:
// in exact arithmetic the Q of a QR decomposition whose R has a positive diagonal.
void orthonormalise_columns(std::vector<double>& a, int64_t m, int64_t n) {
  auto at = [&](int64_t r, int64_t c) -> double& { return a[static_cast<size_t>(r * n + c)]; };
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t k = 0; k < j; ++k) {
      double dot = 0;
      for (int64_t r = 0; r < m; ++r) dot += at(r, k) * at(r, j);
      for (int64_t r = 0; r < m; ++r) at(r, j) -= dot * at(r, k);
    }
    double norm = 0;
    for (int64_t r = 0; r < m; ++r) norm += at(r, j) * at(r, j);
    norm = std::sqrt(norm);
    EMBER_CHECK(norm > 0, "orthogonal_: the random matrix drawn is rank-deficient");
    for (int64_t r = 0; r < m; ++r) at(r, j) /= norm;
  }
}

double fan(const Tensor& t, FanModeType mode) {
  auto [in, out] = fan_in_out(t);
  return static_cast<double>(mode == kFanIn ? in : out);
}

}  // namespace

double calculate_gain(NonlinearityType nonlinearity, double param) {
  if (nonlinearity == kTanh) return 5.0 / 3.0;
  if (nonlinearity == kReLU) return std::sqrt(2.0);
  if (nonlinearity == kLeakyReLU) return std::sqrt(2.0 / (1 + param * param));
  return 1.0;
}

Tensor uniform_(const Tensor& t, double low, double high) {
  NoGradGuard g;
  return t.uniform_(low, high);
}

Tensor normal_(const Tensor& t, double mean, double std) {
  NoGradGuard g;
  return t.normal_(mean, std);
}

Tensor constant_(const Tensor& t, const Scalar& value) {
  NoGradGuard g;
  return t.fill_(value);
}

Tensor zeros_(const Tensor& t) { return constant_(t, 0); }
Tensor ones_(const Tensor& t) { return constant_(t, 1); }

Tensor eye_(const Tensor& matrix) {
  check_dims("eye_", matrix, 2, 2);
  NoGradGuard g;
  matrix.copy_(eye(matrix.size(0), matrix.size(1), TensorOptions().dtype(matrix.dtype())));
  return matrix;
}

Tensor dirac_(const Tensor& t, int64_t groups) {
  check_dims("dirac_", t, 3, 5);
  EMBER_CHECK(groups > 0 && t.size(0) % groups == 0, "dirac_: dim 0 (", t.size(0),
              ") must be divisible by groups (", groups, ")");
  int64_t per_group = t.size(0) / groups, channels = std::min(per_group, t.size(1));
  int64_t taps = t.numel() / std::max<int64_t>(t.size(0) * t.size(1), 1), centre = 0, stride = 1;
  for (int64_t d = t.dim() - 1; d >= 2; --d) {
    centre += (t.size(d) / 2) * stride;
    stride *= t.size(d);
  }
  std::vector<double> values(static_cast<size_t>(t.numel()), 0.0);
  for (int64_t grp = 0; grp < groups; ++grp)
    for (int64_t c = 0; c < channels; ++c)
      values[static_cast<size_t>(((grp * per_group + c) * t.size(1) + c) * taps + centre)] = 1.0;
  NoGradGuard g;
  assign(t, std::move(values));
  return t;
}

Tensor orthogonal_(const Tensor& t, double gain) {
  EMBER_CHECK(t.dim() >= 2, "orthogonal_: Only tensors with 2 or more dimensions are supported (got shape ",
              shape_str(t.sizes()), ")");
  if (t.numel() == 0) return t;
  int64_t rows = t.size(0), cols = t.numel() / rows;
  bool wide = rows < cols;
  int64_t m = wide ? cols : rows, n = wide ? rows : cols;
  NoGradGuard g;
  Tensor drawn = empty({m, n}, TensorOptions().dtype(kFloat64)).normal_(0, 1);
  const double* p = drawn.data_ptr<double>();
  std::vector<double> q(p, p + m * n);
  orthonormalise_columns(q, m, n);
  std::vector<double> values(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      values[static_cast<size_t>(r * cols + c)] = gain * (wide ? q[static_cast<size_t>(c * n + r)]
                                                              : q[static_cast<size_t>(r * n + c)]);
  assign(t, std::move(values));
  return t;
}

Tensor sparse_(const Tensor& t, double sparsity, double std) {
  check_dims("sparse_", t, 2, 2);
  EMBER_CHECK(sparsity >= 0 && sparsity <= 1, "sparse_: sparsity must be in [0, 1], got ", sparsity);
  int64_t rows = t.size(0), cols = t.size(1);
  auto zeros_per_column = static_cast<int64_t>(std::ceil(sparsity * static_cast<double>(rows)));
  NoGradGuard g;
  Tensor values = empty({rows, cols}, TensorOptions().dtype(kFloat64)).normal_(0, std);
  // A random permutation of the rows per column: the first zeros_per_column are zeroed.
  Tensor order = rand({cols, rows}, TensorOptions().dtype(kFloat64)).argsort(int64_t{1}).contiguous();
  double* v = values.data_ptr<double>();
  const int64_t* o = order.data_ptr<int64_t>();
  for (int64_t c = 0; c < cols; ++c)
    for (int64_t k = 0; k < zeros_per_column; ++k) v[o[c * rows + k] * cols + c] = 0;
  t.copy_(values);
  return t;
}

std::pair<int64_t, int64_t> fan_in_out(const Tensor& t) {
  EMBER_CHECK(t.dim() >= 2, "Fan in and fan out can not be computed for tensor with fewer than 2 "
              "dimensions (shape ", shape_str(t.sizes()), ")");
  int64_t receptive = 1;
  for (int64_t d = 2; d < t.dim(); ++d) receptive *= t.sizes()[d];
  return {t.sizes()[1] * receptive, t.sizes()[0] * receptive};
}

std::tuple<int64_t, int64_t> _calculate_fan_in_and_fan_out(const Tensor& t) {
  auto [in, out] = fan_in_out(t);
  return {in, out};
}

Tensor xavier_uniform_(const Tensor& t, double gain) {
  auto [in, out] = fan_in_out(t);
  double bound = gain * std::sqrt(6.0 / static_cast<double>(in + out));
  return uniform_(t, -bound, bound);
}

Tensor xavier_normal_(const Tensor& t, double gain) {
  auto [in, out] = fan_in_out(t);
  return normal_(t, 0, gain * std::sqrt(2.0 / static_cast<double>(in + out)));
}

Tensor kaiming_uniform_(const Tensor& t, double a, FanModeType mode, NonlinearityType nonlinearity) {
  if (t.numel() == 0) return t;  // libtorch: a no-op, with a warning
  double bound = std::sqrt(3.0) * calculate_gain(nonlinearity, a) / std::sqrt(fan(t, mode));
  return uniform_(t, -bound, bound);
}

Tensor kaiming_normal_(const Tensor& t, double a, FanModeType mode, NonlinearityType nonlinearity) {
  if (t.numel() == 0) return t;
  return normal_(t, 0, calculate_gain(nonlinearity, a) / std::sqrt(fan(t, mode)));
}

}  // namespace ember::nn::init
