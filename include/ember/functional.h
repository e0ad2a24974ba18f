#pragma once
// Free functions and operators of the public API (libtorch names and semantics).
#include <functional>
#include <optional>
#include <vector>

#include "ember/sequence_ops.h"
#include "ember/tensor.h"

namespace ember {

// ----- factories
// Nested initializer lists of numbers: ember::tensor({{1., 2.}, {3., 4.}}).
class TensorData {
 public:
  TensorData(double v) : scalar_(v), is_scalar_(true) {}
  TensorData(float v) : scalar_(v), is_scalar_(true) {}
  TensorData(int v) : scalar_(v), is_scalar_(true) {}
  TensorData(int64_t v) : scalar_(v), is_scalar_(true) {}
  TensorData(long long v) : scalar_(static_cast<int64_t>(v)), is_scalar_(true) {}
  TensorData(bool v) : scalar_(v), is_scalar_(true) {}
  TensorData(std::initializer_list<TensorData> l) : list_(l) {}
  template <class T>
  TensorData(const std::vector<T>& v) {
    for (const auto& x : v) list_.emplace_back(x);
  }
  bool is_scalar() const { return is_scalar_; }
  const Scalar& scalar() const { return scalar_; }
  const std::vector<TensorData>& list() const { return list_; }

 private:
  Scalar scalar_;
  bool is_scalar_ = false;
  std::vector<TensorData> list_;
};

Tensor tensor(const TensorData& data, const TensorOptions& opts = {});
Tensor scalar_tensor(const Scalar& s, const TensorOptions& opts = {});
// Shares caller memory: no copy (the numpy bridge of the notes). CPU or CUDA memory.
Tensor from_blob(void* data, IntArrayRef sizes, const TensorOptions& opts = {});
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, const TensorOptions& opts = {});
Tensor from_blob(void* data, IntArrayRef sizes, std::function<void(void*)> deleter,
                 const TensorOptions& opts = {});
Tensor empty(IntArrayRef sizes, const TensorOptions& opts = {});
Tensor zeros(IntArrayRef sizes, const TensorOptions& opts = {});
Tensor ones(IntArrayRef sizes, const TensorOptions& opts = {});
Tensor full(IntArrayRef sizes, const Scalar& value, const TensorOptions& opts = {});
Tensor arange(const Scalar& end, const TensorOptions& opts = {});
Tensor arange(const Scalar& start, const Scalar& end, const TensorOptions& opts = {});
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step,
              const TensorOptions& opts = {});
Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, const TensorOptions& opts = {});
Tensor eye(int64_t n, const TensorOptions& opts = {});
Tensor eye(int64_t n, int64_t m, const TensorOptions& opts = {});
Tensor rand(IntArrayRef sizes, const TensorOptions& opts = {});
Tensor bernoulli(const Tensor& p);  // 1 with probability p, elementwise
Tensor bernoulli(const Tensor& x, double p);
Tensor randn(IntArrayRef sizes, const TensorOptions& opts = {});
Tensor randint(int64_t high, IntArrayRef sizes, const TensorOptions& opts = {});
Tensor randint(int64_t low, int64_t high, IntArrayRef sizes, const TensorOptions& opts = {});
Tensor empty_like(const Tensor& t, const TensorOptions& opts = {});
Tensor zeros_like(const Tensor& t, const TensorOptions& opts = {});
Tensor ones_like(const Tensor& t, const TensorOptions& opts = {});
Tensor full_like(const Tensor& t, const Scalar& value, const TensorOptions& opts = {});
Tensor rand_like(const Tensor& t, const TensorOptions& opts = {});
Tensor randn_like(const Tensor& t, const TensorOptions& opts = {});

// ----- pointwise
Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha = 1);
Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha = 1);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Scalar& b);
Tensor pow(const Scalar& a, const Tensor& b);
Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt);
Tensor clamp_min(const Tensor& x, const Scalar& min);
Tensor clamp_max(const Tensor& x, const Scalar& max);
// Generated from the op table (ember/pointwise_ops.h): abs(x), exp(x), ..., gelu(x),
// maximum(a, b), logical_and(a, b), ...
EMBER_POINTWISE_OPS(EMBER_POINTWISE_FREE)
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor where(const Tensor& cond, const Scalar& a, const Tensor& b);
Tensor where(const Tensor& cond, const Tensor& a, const Scalar& b);
Tensor where(const Tensor& cond, const Scalar& a, const Scalar& b);
Tensor masked_fill(const Tensor& x, const Tensor& mask, const Scalar& value);
// x where beta * x > threshold, else log1p(exp(beta * x)) / beta (libtorch's at::softplus).
Tensor softplus(const Tensor& x, const Scalar& beta = 1, const Scalar& threshold = 20);
// frontend/tensor_math.cpp: lerp, addcmul/addcdiv, nan_to_num, square and the
// parameterised activations of the op table (libtorch's at:: spellings).
Tensor square(const Tensor& x);
Tensor lerp(const Tensor& start, const Tensor& end, const Scalar& weight);
Tensor lerp(const Tensor& start, const Tensor& end, const Tensor& weight);
Tensor addcmul(const Tensor& self, const Tensor& t1, const Tensor& t2, const Scalar& value = 1);
Tensor addcdiv(const Tensor& self, const Tensor& t1, const Tensor& t2, const Scalar& value = 1);
Tensor nan_to_num(const Tensor& x, std::optional<double> nan = std::nullopt,
                  std::optional<double> posinf = std::nullopt, std::optional<double> neginf = std::nullopt);
Tensor leaky_relu(const Tensor& x, const Scalar& negative_slope = 0.01);
Tensor prelu(const Tensor& x, const Tensor& weight);
Tensor elu(const Tensor& x, const Scalar& alpha = 1, const Scalar& scale = 1);
Tensor selu(const Tensor& x);
Tensor celu(const Tensor& x, const Scalar& alpha = 1);
Tensor hardtanh(const Tensor& x, const Scalar& min_val = -1, const Scalar& max_val = 1);
// hardtanh's and threshold's scalar operand for x (integers for an integer x, keeping its dtype).
Tensor limit_operand(const Tensor& x, const Scalar& s);
Tensor threshold(const Tensor& x, const Scalar& threshold, const Scalar& value);
Tensor hardshrink(const Tensor& x, const Scalar& lambd = 0.5);
Tensor softshrink(const Tensor& x, const Scalar& lambd = 0.5);
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8);
bool equal(const Tensor& a, const Tensor& b);

// ----- reductions
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, IntArrayRef dims, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, IntArrayRef dims, bool keepdim = false);
Tensor prod(const Tensor& x);
Tensor max(const Tensor& x);
Tensor min(const Tensor& x);
Tensor amax(const Tensor& x, IntArrayRef dims = {}, bool keepdim = false);
Tensor amin(const Tensor& x, IntArrayRef dims = {}, bool keepdim = false);
Tensor argmax(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
Tensor argmin(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);
Tensor logsumexp(const Tensor& x, IntArrayRef dims, bool keepdim = false);

// ----- linear algebra
Tensor mm(const Tensor& a, const Tensor& b);
Tensor mv(const Tensor& a, const Tensor& v);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor dot(const Tensor& a, const Tensor& b);
Tensor addmm(const Tensor& input, const Tensor& a, const Tensor& b, const Scalar& beta = 1,
             const Scalar& alpha = 1);
Tensor t(const Tensor& x);
Tensor transpose(const Tensor& x, int64_t d0, int64_t d1);

// ----- shape and indexing
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor reshape(const Tensor& x, IntArrayRef shape);
Tensor squeeze(const Tensor& x);
Tensor unsqueeze(const Tensor& x, int64_t dim);
Tensor permute(const Tensor& x, IntArrayRef dims);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
Tensor masked_select(const Tensor& x, const Tensor& mask);
Tensor nonzero(const Tensor& x);
Tensor slice_scatter(const Tensor& x, const Tensor& src, int64_t dim = 0,
                     std::optional<int64_t> start = std::nullopt,
                     std::optional<int64_t> end = std::nullopt, int64_t step = 1);
Tensor select_scatter(const Tensor& x, const Tensor& src, int64_t dim, int64_t index);
std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim = 0);
Tensor clone(const Tensor& x);

// ----- libtorch ops beyond nn (frontend/tensor_{pointwise,reorder,scan,sort,stats}.cpp)
Tensor remainder(const Tensor& a, const Tensor& b);
Tensor remainder(const Tensor& a, const Scalar& b);
Tensor remainder(const Scalar& a, const Tensor& b);
Tensor fmod(const Tensor& a, const Tensor& b);
Tensor fmod(const Tensor& a, const Scalar& b);
Tensor flip(const Tensor& x, IntArrayRef dims);
Tensor roll(const Tensor& x, IntArrayRef shifts, IntArrayRef dims = {});
Tensor tril(const Tensor& x, int64_t diagonal = 0);
Tensor triu(const Tensor& x, int64_t diagonal = 0);
Tensor cumsum(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
Tensor cumprod(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype = std::nullopt);
std::tuple<Tensor, Tensor> sort(const Tensor& x, int64_t dim = -1, bool descending = false);
std::tuple<Tensor, Tensor> sort(const Tensor& x, std::optional<bool> stable, int64_t dim = -1,
                                bool descending = false);
Tensor argsort(const Tensor& x, int64_t dim = -1, bool descending = false);
Tensor argsort(const Tensor& x, bool stable, int64_t dim = -1, bool descending = false);
std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim = -1, bool largest = true,
                                bool sorted = true);
Tensor var(const Tensor& x, bool unbiased = true);
Tensor var(const Tensor& x, IntArrayRef dims, bool unbiased, bool keepdim = false);
Tensor var(const Tensor& x, IntArrayRef dims,
           const std::optional<Scalar>& correction = std::nullopt, bool keepdim = false);
Tensor std(const Tensor& x, bool unbiased = true);
Tensor std(const Tensor& x, IntArrayRef dims, bool unbiased, bool keepdim = false);
Tensor std(const Tensor& x, IntArrayRef dims,
           const std::optional<Scalar>& correction = std::nullopt, bool keepdim = false);
std::tuple<Tensor, Tensor> var_mean(const Tensor& x, bool unbiased = true);
std::tuple<Tensor, Tensor> var_mean(const Tensor& x, IntArrayRef dims, bool unbiased,
                                    bool keepdim = false);
std::tuple<Tensor, Tensor> var_mean(const Tensor& x, IntArrayRef dims,
                                    const std::optional<Scalar>& correction = std::nullopt,
                                    bool keepdim = false);
std::tuple<Tensor, Tensor> std_mean(const Tensor& x, bool unbiased = true);
std::tuple<Tensor, Tensor> std_mean(const Tensor& x, IntArrayRef dims, bool unbiased,
                                    bool keepdim = false);
std::tuple<Tensor, Tensor> std_mean(const Tensor& x, IntArrayRef dims,
                                    const std::optional<Scalar>& correction = std::nullopt,
                                    bool keepdim = false);
Tensor norm(const Tensor& x, const Scalar& p = 2);
Tensor norm(const Tensor& x, const std::optional<Scalar>& p, IntArrayRef dims,
            bool keepdim = false);
Tensor norm(const Tensor& x, const std::optional<Scalar>& p, IntArrayRef dims, bool keepdim,
            ScalarType dtype);
Tensor frobenius_norm(const Tensor& x, IntArrayRef dims, bool keepdim = false);
Tensor all(const Tensor& x);
Tensor all(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor any(const Tensor& x);
Tensor any(const Tensor& x, int64_t dim, bool keepdim = false);
namespace linalg {
// ord: any p, +-inf, 0 (count of nonzeros); empty dims: every dim (libtorch's dim=None).
Tensor vector_norm(const Tensor& x, const Scalar& ord = 2, IntArrayRef dims = {},
                   bool keepdim = false, std::optional<ScalarType> dtype = std::nullopt);
}  // namespace linalg

// ----- operators
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, const Scalar& b);
Tensor operator+(const Scalar& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Scalar& b);
Tensor operator-(const Scalar& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Scalar& b);
Tensor operator*(const Scalar& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Scalar& b);
Tensor operator/(const Scalar& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Scalar& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Scalar& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Scalar& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Scalar& b);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Scalar& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Scalar& b);
Tensor operator&&(const Tensor& a, const Tensor& b);
Tensor operator||(const Tensor& a, const Tensor& b);
Tensor operator&(const Tensor& a, const Tensor& b);
Tensor operator|(const Tensor& a, const Tensor& b);
Tensor operator^(const Tensor& a, const Tensor& b);
Tensor operator!(const Tensor& a);
Tensor operator~(const Tensor& a);

}  // namespace ember
