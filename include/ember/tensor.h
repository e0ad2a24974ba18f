#pragma once
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "ember/error.h"
#include "ember/pointwise_ops.h"
#include "ember/scalar.h"
#include "ember/tensor_accessor.h"
#include "ember/tensor_impl.h"
#include "ember/tensor_index.h"
#include "ember/tensor_options.h"

namespace ember {

class Node;
class TensorIndex;
class Generator;
template <class T, size_t N>
class TensorAccessor;

// What libtorch's legacy Tensor::type() returns, for the queries code still makes with it.
class TypeProperties {
 public:
  TypeProperties(ScalarType s, DeviceType d) : scalar_type_(s), device_type_(d) {}
  ScalarType scalarType() const { return scalar_type_; }
  DeviceType device_type() const { return device_type_; }
  bool is_cuda() const { return device_type_ == kCUDA; }
  std::string toString() const;  // "CPUFloatType"
  bool operator==(const TypeProperties& o) const {
    return scalar_type_ == o.scalar_type_ && device_type_ == o.device_type_;
  }
  bool operator!=(const TypeProperties& o) const { return !(*this == o); }

 private:
  ScalarType scalar_type_;
  DeviceType device_type_;
};

// A handle to a TensorImpl, shared like libtorch's Tensor: copies alias the same data.
// The data accessors are defined in runtime/; the op methods in frontend/.
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // ----- metadata
  bool defined() const { return impl_ != nullptr; }
  int64_t dim() const { return static_cast<int64_t>(impl().sizes.size()); }
  int64_t ndimension() const { return dim(); }
  IntArrayRef sizes() const { return impl().sizes; }
  IntArrayRef strides() const { return impl().strides; }
  int64_t size(int64_t d) const;
  int64_t stride(int64_t d) const;
  int64_t numel() const { return impl().numel(); }
  ScalarType dtype() const { return impl().dtype; }
  ScalarType scalar_type() const { return impl().dtype; }
  Device device() const { return impl().device; }
  TensorOptions options() const { return TensorOptions().dtype(dtype()).device(device()); }
  int64_t storage_offset() const { return impl().offset; }
  bool is_contiguous() const { return impl().is_contiguous(); }
  bool is_cuda() const { return device().is_cuda(); }
  bool is_cpu() const { return device().is_cpu(); }
  bool is_floating_point() const { return is_floating(dtype()); }
  size_t element_size() const { return itemsize(dtype()); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * element_size(); }
  bool is_same(const Tensor& o) const { return impl_ == o.impl_; }
  bool is_symbolic() const { return impl_ && impl_->is_symbolic(); }
  uint32_t _version() const { return impl().version->value.load(); }
  void bump_version() const { impl().version->value.fetch_add(1); }
  TensorImpl& impl() const {
    EMBER_CHECK(impl_, "called a method on an undefined tensor");
    return *impl_;
  }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

  // libtorch compatibility (nn/optim): the identity optimizers key their state by.
  TensorImpl* unsafeGetTensorImpl() const { return impl_.get(); }


  void* data_ptr() const;
  template <class T> T* data_ptr() const;
  template <class T> T item() const;
  Scalar item() const;

  // ----- conversion, as libtorch's overloads (a Device or DeviceType converts to TensorOptions)
  Tensor to(const TensorOptions& options = {}, bool non_blocking = false, bool copy = false) const;
  Tensor to(ScalarType dtype, bool non_blocking = false, bool copy = false) const;
  Tensor to(Device device, ScalarType dtype, bool non_blocking = false, bool copy = false) const;
  Tensor to(const Tensor& other, bool non_blocking = false, bool copy = false) const;
  Tensor cpu() const { return to(Device(kCPU)); }
  Tensor cuda(int index = 0) const { return to(Device(kCUDA, index)); }
  Tensor contiguous() const;
  Tensor clone() const;
  Tensor type_as(const Tensor& other) const;
  TypeProperties type() const;
  // Factories that take dtype and device from this tensor unless `opts` names them.
  Tensor new_empty(IntArrayRef size, const TensorOptions& opts = {}) const;
  Tensor new_zeros(IntArrayRef size, const TensorOptions& opts = {}) const;
  Tensor new_ones(IntArrayRef size, const TensorOptions& opts = {}) const;
  Tensor new_full(IntArrayRef size, const Scalar& value, const TensorOptions& opts = {}) const;
  // Reshapes in place; keeps the elements in flat order and grows the storage when needed.
  const Tensor& resize_(IntArrayRef size) const;
  // The same data without autograd history; tensor_data shares the version counter,
  // variable_data does not (libtorch's pair).
  Tensor tensor_data() const;
  Tensor variable_data() const;
  template <class T, size_t N>
  TensorAccessor<T, N> accessor() const&;
  template <class T, size_t N>
  TensorAccessor<T, N> accessor() && = delete;

  // Assigning into an indexed view writes through it, as libtorch: x[0] = 5; x.index({1}) = y.
  Tensor(const Tensor&) = default;
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(const Tensor&) & = default;
  Tensor& operator=(Tensor&&) & noexcept = default;
  Tensor& operator=(const Tensor& src) &&;
  Tensor& operator=(Tensor&& src) &&;
  Tensor& operator=(const Scalar& value) &&;

  // ----- autograd
  bool requires_grad() const;
  const Tensor& requires_grad_(bool r = true) const;
  const Tensor& set_requires_grad(bool r) const { return requires_grad_(r); }
  const Tensor& grad() const;   // undefined until a backward pass reaches this tensor
  Tensor& mutable_grad() const;
  std::shared_ptr<Node> grad_fn() const;
  bool is_leaf() const;
  uint32_t output_nr() const;
  void backward(const Tensor& gradient = Tensor(), std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false) const;
  void retain_grad() const;
  bool retains_grad() const;
  Tensor detach() const;
  const Tensor& detach_() const;
  // Makes this tensor's data that of `other` (storage, geometry, dtype, device), keeping its
  // identity and autograd metadata: how Module::to() moves parameters that optimizers hold.
  void set_data(const Tensor& other) const;

  // ----- autograd, libtorch's surface (backward with inputs, hooks, views, inference)
  // Accumulates gradients only into `inputs` (leaves or not), as libtorch's inputs=.
  void backward(const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph,
                const std::vector<Tensor>& inputs) const;
  // `hook(grad)` runs when the gradient of this tensor is computed; a hook returning a
  // Tensor replaces the gradient, a void one only observes it. Returns the handle for
  // remove_hook.
  template <class F>
  unsigned register_hook(F&& hook) const;
  void remove_hook(unsigned handle) const;
  bool is_view() const;     // a view that autograd tracks (libtorch's is_view())
  Tensor _base() const;     // the tensor it views; undefined if not a view
  bool is_inference() const;

  // ----- pointwise
  Tensor add(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor add(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor sub(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor sub(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor mul(const Tensor& other) const;
  Tensor mul(const Scalar& other) const;
  Tensor div(const Tensor& other) const;
  Tensor div(const Scalar& other) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor pow(const Scalar& exponent) const;
  Tensor clamp(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  Tensor clamp(const std::optional<Tensor>& min, const std::optional<Tensor>& max) const;
  Tensor clamp_min(const Scalar& min) const;
  Tensor clamp_min(const Tensor& min) const;
  Tensor clamp_max(const Scalar& max) const;
  Tensor clamp_max(const Tensor& max) const;
  // Generated from the op table (ember/pointwise_ops.h): abs(), abs_(), exp(), exp_(), ...,
  // maximum(other), logical_and(other), ...
  EMBER_POINTWISE_OPS(EMBER_POINTWISE_METHOD)
  Tensor square() const { return pow(2); }
  const Tensor& square_() const { return pow_(2); }
  // start + weight (end - start) in libtorch's exact-at-the-ends form (frontend/tensor_math.cpp).
  Tensor lerp(const Tensor& end, const Scalar& weight) const;
  Tensor lerp(const Tensor& end, const Tensor& weight) const;
  const Tensor& lerp_(const Tensor& end, const Scalar& weight) const;
  const Tensor& lerp_(const Tensor& end, const Tensor& weight) const;
  // this + value * t1 * t2 and this + value * t1 / t2.
  Tensor addcmul(const Tensor& t1, const Tensor& t2, const Scalar& value = 1) const;
  Tensor addcdiv(const Tensor& t1, const Tensor& t2, const Scalar& value = 1) const;
  const Tensor& addcmul_(const Tensor& t1, const Tensor& t2, const Scalar& value = 1) const;
  const Tensor& addcdiv_(const Tensor& t1, const Tensor& t2, const Scalar& value = 1) const;
  // NaN, +inf and -inf replaced (by 0 and the dtype's largest and lowest finite values unless given).
  Tensor nan_to_num(std::optional<double> nan = std::nullopt, std::optional<double> posinf = std::nullopt,
                    std::optional<double> neginf = std::nullopt) const;
  const Tensor& nan_to_num_(std::optional<double> nan = std::nullopt, std::optional<double> posinf = std::nullopt,
                            std::optional<double> neginf = std::nullopt) const;
  Tensor where(const Tensor& condition, const Tensor& other) const;
  Tensor masked_fill(const Tensor& mask, const Scalar& value) const;
  Tensor masked_fill(const Tensor& mask, const Tensor& value) const;
  Tensor lt(const Tensor& o) const;
  Tensor lt(const Scalar& o) const;
  Tensor le(const Tensor& o) const;
  Tensor le(const Scalar& o) const;
  Tensor gt(const Tensor& o) const;
  Tensor gt(const Scalar& o) const;
  Tensor ge(const Tensor& o) const;
  Tensor ge(const Scalar& o) const;
  Tensor eq(const Tensor& o) const;
  Tensor eq(const Scalar& o) const;
  Tensor ne(const Tensor& o) const;
  Tensor ne(const Scalar& o) const;
  bool equal(const Tensor& other) const;   // same shape and values
  bool allclose(const Tensor& other, double rtol = 1e-5, double atol = 1e-8) const;

  // ----- in place (bump the version counter)
  const Tensor& add_(const Tensor& other, const Scalar& alpha = 1) const;
  const Tensor& add_(const Scalar& other, const Scalar& alpha = 1) const;
  const Tensor& sub_(const Tensor& other, const Scalar& alpha = 1) const;
  const Tensor& sub_(const Scalar& other, const Scalar& alpha = 1) const;
  const Tensor& mul_(const Tensor& other) const;
  const Tensor& mul_(const Scalar& other) const;
  const Tensor& div_(const Tensor& other) const;
  const Tensor& div_(const Scalar& other) const;
  const Tensor& pow_(const Tensor& exponent) const;
  const Tensor& pow_(const Scalar& exponent) const;
  const Tensor& clamp_(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  const Tensor& clamp_min_(const Scalar& min) const;
  const Tensor& clamp_max_(const Scalar& max) const;
  const Tensor& zero_() const;
  const Tensor& fill_(const Scalar& value) const;
  const Tensor& fill_(const Tensor& value) const;
  const Tensor& copy_(const Tensor& src, bool non_blocking = false) const;
  const Tensor& masked_fill_(const Tensor& mask, const Scalar& value) const;
  const Tensor& masked_fill_(const Tensor& mask, const Tensor& value) const;
  const Tensor& uniform_(double from = 0, double to = 1) const;
  const Tensor& normal_(double mean = 0, double std = 1) const;
  // Integers drawn uniformly from [from, to); random_() spans what the dtype holds exactly.
  const Tensor& random_(int64_t from, std::optional<int64_t> to) const;
  const Tensor& random_(int64_t to) const;
  const Tensor& random_() const;
  const Tensor& bernoulli_(double p = 0.5) const;
  const Tensor& bernoulli_(const Tensor& p) const;
  Tensor bernoulli() const;  // this holds the probabilities
  Tensor bernoulli(double p) const;
  // num_samples category indices per row of these weights (ember/sequence_ops.h).
  Tensor multinomial(int64_t num_samples, bool replacement = false,
                     std::optional<Generator*> generator = std::nullopt) const;
  const Tensor& index_put_(const std::vector<TensorIndex>& indices, const Tensor& values) const;
  const Tensor& index_put_(const std::vector<TensorIndex>& indices, const Scalar& value) const;
  const Tensor& scatter_(int64_t dim, const Tensor& index, const Tensor& src) const;
  const Tensor& scatter_(int64_t dim, const Tensor& index, const Scalar& value) const;
  const Tensor& scatter_add_(int64_t dim, const Tensor& index, const Tensor& src) const;
  const Tensor& index_add_(int64_t dim, const Tensor& index, const Tensor& source) const;

  // ----- compound assignment and unary minus (operators for binary ops are free functions)
  const Tensor& operator+=(const Tensor& o) const { return add_(o); }
  const Tensor& operator+=(const Scalar& o) const { return add_(o); }
  const Tensor& operator-=(const Tensor& o) const { return sub_(o); }
  const Tensor& operator-=(const Scalar& o) const { return sub_(o); }
  const Tensor& operator*=(const Tensor& o) const { return mul_(o); }
  const Tensor& operator*=(const Scalar& o) const { return mul_(o); }
  const Tensor& operator/=(const Tensor& o) const { return div_(o); }
  const Tensor& operator/=(const Scalar& o) const { return div_(o); }
  Tensor operator-() const { return neg(); }
  Tensor operator[](int64_t index) const { return select(0, index); }
  Tensor operator[](const Tensor& index) const;

  // ----- reductions
  Tensor sum(std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor sum(IntArrayRef dims, bool keepdim = false,
             std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor mean(std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor mean(IntArrayRef dims, bool keepdim = false,
              std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor prod(std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor prod(int64_t dim, bool keepdim = false,
              std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor max() const;
  std::tuple<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  Tensor min() const;
  std::tuple<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  Tensor amax(IntArrayRef dims = {}, bool keepdim = false) const;
  Tensor amin(IntArrayRef dims = {}, bool keepdim = false) const;
  Tensor argmax(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor argmin(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor sum_to_size(IntArrayRef size) const;

  // ----- linear algebra
  Tensor mm(const Tensor& other) const;
  Tensor mv(const Tensor& vec) const;
  Tensor bmm(const Tensor& other) const;
  Tensor matmul(const Tensor& other) const;
  Tensor dot(const Tensor& other) const;
  Tensor addmm(const Tensor& mat1, const Tensor& mat2, const Scalar& beta = 1,
               const Scalar& alpha = 1) const;
  // beta * this + alpha * (batch1 @ batch2) (frontend/tensor_sequence.cpp).
  Tensor baddbmm(const Tensor& batch1, const Tensor& batch2, const Scalar& beta = 1,
                 const Scalar& alpha = 1) const;
  Tensor t() const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;

  // ----- shape and indexing
  Tensor view(IntArrayRef shape) const;
  Tensor view_as(const Tensor& other) const { return view(other.sizes()); }
  Tensor reshape(IntArrayRef shape) const;
  Tensor reshape_as(const Tensor& other) const { return reshape(other.sizes()); }
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor permute(IntArrayRef dims) const;
  Tensor expand(IntArrayRef size) const;
  Tensor expand_as(const Tensor& other) const { return expand(other.sizes()); }
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor slice(int64_t dim = 0, std::optional<int64_t> start = std::nullopt,
               std::optional<int64_t> end = std::nullopt, int64_t step = 1) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor gather(int64_t dim, const Tensor& index) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Scalar& value) const;
  Tensor scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor index_add(int64_t dim, const Tensor& index, const Tensor& source) const;
  Tensor masked_select(const Tensor& mask) const;
  Tensor masked_scatter(const Tensor& mask, const Tensor& source) const;
  Tensor nonzero() const;
  Tensor index(const std::vector<TensorIndex>& indices) const;
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;
  std::vector<Tensor> split(IntArrayRef split_sizes, int64_t dim = 0) const;
  std::vector<Tensor> split_with_sizes(IntArrayRef split_sizes, int64_t dim = 0) const {
    return split(split_sizes, dim);
  }
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;
  std::vector<Tensor> unbind(int64_t dim = 0) const;
  Tensor repeat(IntArrayRef repeats) const;

  // ----- libtorch ops beyond nn (frontend/tensor_{pointwise,reorder,scan,sort,stats}.cpp)
  Tensor remainder(const Tensor& other) const;
  Tensor remainder(const Scalar& other) const;
  const Tensor& remainder_(const Tensor& other) const;
  const Tensor& remainder_(const Scalar& other) const;
  Tensor fmod(const Tensor& other) const;
  Tensor fmod(const Scalar& other) const;
  const Tensor& fmod_(const Tensor& other) const;
  const Tensor& fmod_(const Scalar& other) const;
  Tensor flip(IntArrayRef dims) const;
  Tensor roll(IntArrayRef shifts, IntArrayRef dims = {}) const;
  Tensor tril(int64_t diagonal = 0) const;
  Tensor triu(int64_t diagonal = 0) const;
  const Tensor& tril_(int64_t diagonal = 0) const;
  const Tensor& triu_(int64_t diagonal = 0) const;
  Tensor cumsum(int64_t dim, std::optional<ScalarType> dtype = std::nullopt) const;
  Tensor cumprod(int64_t dim, std::optional<ScalarType> dtype = std::nullopt) const;
  std::tuple<Tensor, Tensor> sort(int64_t dim = -1, bool descending = false) const;
  std::tuple<Tensor, Tensor> sort(std::optional<bool> stable, int64_t dim = -1,
                                  bool descending = false) const;
  Tensor argsort(int64_t dim = -1, bool descending = false) const;
  Tensor argsort(bool stable, int64_t dim = -1, bool descending = false) const;
  std::tuple<Tensor, Tensor> topk(int64_t k, int64_t dim = -1, bool largest = true,
                                  bool sorted = true) const;
  Tensor var(bool unbiased = true) const;
  Tensor var(IntArrayRef dims, bool unbiased, bool keepdim = false) const;
  Tensor var(IntArrayRef dims, const std::optional<Scalar>& correction = std::nullopt,
             bool keepdim = false) const;
  Tensor std(bool unbiased = true) const;
  Tensor std(IntArrayRef dims, bool unbiased, bool keepdim = false) const;
  Tensor std(IntArrayRef dims, const std::optional<Scalar>& correction = std::nullopt,
             bool keepdim = false) const;
  Tensor norm(const Scalar& p = 2) const;
  Tensor norm(const std::optional<Scalar>& p, IntArrayRef dims, bool keepdim = false) const;
  Tensor norm(const std::optional<Scalar>& p, IntArrayRef dims, bool keepdim,
              ScalarType dtype) const;
  Tensor logsumexp(IntArrayRef dims, bool keepdim = false) const;
  Tensor all() const;
  Tensor all(int64_t dim, bool keepdim = false) const;
  Tensor any() const;
  Tensor any(int64_t dim, bool keepdim = false) const;

  std::string toString() const;

 private:
  TensorOptions options_with(const TensorOptions& o) const;
  std::shared_ptr<TensorImpl> impl_;
};

// One entry of Tensor::index / index_put_: an integer, a Slice, None, Ellipsis, a bool
// mask or an integer index tensor.
class TensorIndex {
 public:
  enum class Kind { None, Ellipsis, Integer, Boolean, Slice, Tensor };
  TensorIndex(indexing::NoneT) : kind_(Kind::None) {}
  TensorIndex(indexing::EllipsisT) : kind_(Kind::Ellipsis) {}
  TensorIndex(const char* s);  // "..." only, as libtorch
  TensorIndex(int64_t i) : kind_(Kind::Integer), integer_(i) {}
  TensorIndex(int i) : kind_(Kind::Integer), integer_(i) {}
  TensorIndex(bool b) : kind_(Kind::Boolean), integer_(b) {}
  TensorIndex(indexing::Slice s) : kind_(Kind::Slice), slice_(s) {}
  TensorIndex(Tensor t) : kind_(Kind::Tensor), tensor_(std::move(t)) {}

  Kind kind() const { return kind_; }
  int64_t integer() const { return integer_; }
  const indexing::Slice& slice() const { return slice_; }
  const Tensor& tensor() const { return tensor_; }

 private:
  Kind kind_;
  int64_t integer_ = 0;
  indexing::Slice slice_;
  Tensor tensor_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

// Element access checks dtype and device like libtorch's data_ptr<T>().
template <class T>
T* Tensor::data_ptr() const {
  EMBER_CHECK(dtype() == dtype_of<T>(), "data_ptr: expected dtype ", dtype_name(dtype_of<T>()),
              " but the tensor has dtype ", dtype_name(dtype()));
  return static_cast<T*>(data_ptr());
}

template <class T>
T Tensor::item() const {
  return item().to<T>();
}

template <class T, size_t N>
TensorAccessor<T, N> Tensor::accessor() const& {
  static_assert(N > 0, "accessor is used for indexing tensor, for scalars use *data_ptr<T>()");
  EMBER_CHECK(dim() == static_cast<int64_t>(N), "TensorAccessor expected ", N, " dims but tensor has ",
              dim());
  EMBER_CHECK(is_cpu(), "accessor: expected a CPU tensor but got one on ", device().str());
  return TensorAccessor<T, N>(data_ptr<T>(), sizes().data(), strides().data());
}

namespace detail {
unsigned register_grad_hook(const Tensor& t, std::function<Tensor(const Tensor&)> hook);
}

template <class F>
unsigned Tensor::register_hook(F&& hook) const {
  if constexpr (std::is_void_v<std::invoke_result_t<F&, const Tensor&>>) {
    return detail::register_grad_hook(*this, [h = std::forward<F>(hook)](const Tensor& g) {
      h(g);
      return Tensor();
    });
  } else {
    return detail::register_grad_hook(*this, [h = std::forward<F>(hook)](const Tensor& g) {
      return Tensor(h(g));
    });
  }
}

}  // namespace ember
