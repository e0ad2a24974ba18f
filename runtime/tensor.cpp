#include "ember/tensor.h"

#include <atomic>
#include <cstring>

#include "runtime/autograd/autograd_meta.h"
#include "runtime/dispatch.h"
#include "ember/grad_mode.h"

namespace ember {

TensorImpl::TensorImpl(std::shared_ptr<Storage> storage_, Shape sizes_, Shape strides_,
                       int64_t offset_, ScalarType dtype_, Device device_)
    : storage(std::move(storage_)),
      sizes(std::move(sizes_)),
      strides(std::move(strides_)),
      offset(offset_),
      dtype(dtype_),
      device(device_),
      version(std::make_shared<VersionCounter>()) {}

TensorImpl::~TensorImpl() = default;

void* TensorImpl::data() const {
  EMBER_CHECK(storage, "cannot access the data of a traced (symbolic) tensor of shape ",
              shape_str(sizes), "; it has no values until the graph runs");
  return static_cast<char*>(storage->data()) + offset * static_cast<int64_t>(itemsize(dtype));
}

AutogradMeta& TensorImpl::autograd_meta() {
  if (!autograd) autograd = std::make_unique<AutogradMeta>();
  return *autograd;
}

int64_t Tensor::size(int64_t d) const {
  return sizes()[wrap_dim(d, dim(), "size")];
}

int64_t Tensor::stride(int64_t d) const {
  return strides()[wrap_dim(d, dim(), "stride")];
}

void* Tensor::data_ptr() const { return impl().data(); }

Scalar Tensor::item() const {
  EMBER_CHECK(numel() == 1, "item: a Tensor with ", numel(),
              " elements cannot be converted to Scalar");
  alignas(8) unsigned char host[16];
  copy_bytes(host, Device(kCPU), data_ptr(), device(), element_size());
  return EMBER_DISPATCH_ALL_TYPES(dtype(), "item", [&] {
    return Scalar(*reinterpret_cast<const scalar_t*>(host));
  });
}

TensorIndex::TensorIndex(const char* s) : kind_(Kind::Ellipsis) {
  EMBER_CHECK(std::strcmp(s, "...") == 0, "TensorIndex: expected \"...\" but got \"", s, "\"");
}

// ----- autograd accessors

namespace {
std::atomic<ViewRefresher> g_view_refresher{nullptr};  // set by the layer above, read by any thread
}

void set_view_refresher(ViewRefresher f) { g_view_refresher.store(f, std::memory_order_release); }

void refresh_view_if_stale(const Tensor& t) {
  auto* m = t.impl().autograd.get();
  if (!m || !m->view) return;
  ViewRefresher refresh = g_view_refresher.load(std::memory_order_acquire);
  if (refresh && m->view->version != t._version()) refresh(t);
}

bool Tensor::requires_grad() const {
  auto* m = impl().autograd.get();
  if (!m) return false;
  refresh_view_if_stale(*this);
  return m->requires_grad || m->grad_fn;
}

const Tensor& Tensor::requires_grad_(bool r) const {
  auto& m = impl().autograd_meta();
  EMBER_CHECK(!m.grad_fn || r, "you can only change requires_grad flags of leaf variables. If you "
              "want to use a computed variable in a subgraph that doesn't require "
              "differentiation use var_no_grad = var.detach().");
  EMBER_CHECK(!r || is_floating(dtype()), "only Tensors of floating point dtype can require "
              "gradients (got ", dtype_name(dtype()), ")");
  EMBER_CHECK(!r || !m.is_inference || InferenceMode::is_enabled(), "Setting requires_grad=True "
              "on inference tensor outside InferenceMode is not allowed.");
  m.requires_grad = r;
  return *this;
}

const Tensor& Tensor::grad() const {
  static const Tensor undefined;
  auto* m = impl().autograd.get();
  return m ? m->grad : undefined;
}

Tensor& Tensor::mutable_grad() const { return impl().autograd_meta().grad; }

std::shared_ptr<Node> Tensor::grad_fn() const {
  auto* m = impl().autograd.get();
  if (!m) return nullptr;
  refresh_view_if_stale(*this);
  return m->grad_fn;
}

bool Tensor::is_leaf() const { return grad_fn() == nullptr; }

uint32_t Tensor::output_nr() const {
  auto* m = impl().autograd.get();
  if (!m) return 0;
  refresh_view_if_stale(*this);
  return m->output_nr;
}

bool Tensor::is_view() const {
  auto* m = impl().autograd.get();
  return m && m->view.has_value();
}

Tensor Tensor::_base() const {
  auto* m = impl().autograd.get();
  return m && m->view ? Tensor(m->view->base) : Tensor();
}

bool Tensor::is_inference() const {
  auto* m = impl().autograd.get();
  return m && m->is_inference;
}

namespace detail {
unsigned register_grad_hook(const Tensor& t, std::function<Tensor(const Tensor&)> hook) {
  EMBER_CHECK(t.requires_grad(), "cannot register a hook on a tensor that doesn't require "
              "gradient");
  GradHook h{next_hook_id(), std::move(hook)};
  unsigned id = h.id;
  if (auto fn = t.grad_fn()) fn->add_pre_hook(t.output_nr(), std::move(h));
  else t.impl().autograd_meta().hooks.push_back(std::move(h));
  return id;
}
}  // namespace detail

void Tensor::remove_hook(unsigned handle) const {
  auto* m = impl().autograd.get();
  if (!m) return;
  auto& hooks = m->hooks;
  for (auto it = hooks.begin(); it != hooks.end(); ++it)
    if (it->id == handle) {
      hooks.erase(it);
      return;
    }
  if (auto fn = grad_fn()) fn->remove_pre_hook(handle);
}

void Tensor::retain_grad() const {
  EMBER_CHECK(requires_grad(), "can't retain_grad on Tensor that has requires_grad=False");
  if (is_leaf()) return;  // leaves keep their gradient anyway
  auto& m = impl().autograd_meta();
  if (m.retains_grad) return;
  m.retains_grad = true;
  m.grad_fn->add_retained_grad(m.output_nr, impl_ptr());
}

bool Tensor::retains_grad() const {
  auto* m = impl().autograd.get();
  return m && m->retains_grad;
}

Tensor Tensor::detach() const {
  const auto& src = impl();
  auto alias = std::make_shared<TensorImpl>(src.storage, src.sizes, src.strides, src.offset,
                                            src.dtype, src.device);
  alias->version = src.version;
  alias->trace = src.trace;
  return Tensor(alias);
}

const Tensor& Tensor::detach_() const {
  if (auto* m = impl().autograd.get()) {
    m->grad_fn.reset();
    m->requires_grad = false;
    m->output_nr = 0;
  }
  return *this;
}

void Tensor::set_data(const Tensor& other) const {
  auto& dst = impl();
  const auto& src = other.impl();
  // A graph that is still alive keeps this leaf's accumulator, which recorded the old device
  // and dtype; gradients for the new data need a fresh one (module.to(cuda) after a CPU step).
  if (dst.autograd && (dst.device != src.device || dst.dtype != src.dtype)) dst.autograd->grad_accumulator.reset();
  dst.storage = src.storage;
  dst.sizes = src.sizes;
  dst.strides = src.strides;
  dst.offset = src.offset;
  dst.dtype = src.dtype;
  dst.device = src.device;
  dst.version = src.version;
  dst.trace = src.trace;
}

void set_history(const Tensor& t, const std::shared_ptr<Node>& fn, uint32_t nr) {
  auto& m = t.impl().autograd_meta();
  m.grad_fn = fn;
  m.output_nr = nr;
}

}  // namespace ember
