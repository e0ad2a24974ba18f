#pragma once
#include <cstddef>

#include "ember/allocator.h"
#include "ember/device.h"

namespace ember {

// A flat buffer on one device; tensors view it through sizes, strides and an offset.
class Storage {
 public:
  Storage(DataPtr data, size_t nbytes, Device device)
      : data_(std::move(data)), nbytes_(nbytes), device_(device) {}
  void* data() const { return data_.get(); }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

 private:
  DataPtr data_;
  size_t nbytes_;
  Device device_;
};

}  // namespace ember
