#pragma once
#include <atomic>
#include <cstdint>
#include <memory>

#include "ember/device.h"
#include "ember/dtype.h"
#include "ember/shape.h"
#include "ember/storage.h"

namespace ember {

struct AutogradMeta;

// Attached to tensors that stand for values of a graph being traced (they have no storage).
struct TraceInfo {
  virtual ~TraceInfo() = default;
};

// Counts in-place modifications; views share their base's counter, so autograd can tell
// that a saved tensor changed under it.
struct VersionCounter {
  std::atomic<uint32_t> value{0};
};

class TensorImpl {
 public:
  TensorImpl(std::shared_ptr<Storage> storage, Shape sizes, Shape strides, int64_t offset,
             ScalarType dtype, Device device);
  ~TensorImpl();

  std::shared_ptr<Storage> storage;  // null for traced (symbolic) tensors
  Shape sizes;
  Shape strides;       // in elements
  int64_t offset = 0;  // in elements
  ScalarType dtype;
  Device device;
  std::shared_ptr<VersionCounter> version;
  bool wrapped_number = false;  // a Python-style scalar operand (promotes by category only)
  std::unique_ptr<AutogradMeta> autograd;
  std::shared_ptr<TraceInfo> trace;

  int64_t numel() const { return numel_of(sizes); }
  bool is_contiguous() const { return is_contiguous_layout(sizes, strides); }
  bool is_symbolic() const { return storage == nullptr && trace != nullptr; }
  void* data() const;  // address of element 0
  AutogradMeta& autograd_meta();  // created on first use
};

}  // namespace ember
