#pragma once
#include <iosfwd>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ember/device.h"
#include "ember/dtype.h"
#include "ember/error.h"
#include "ember/scalar.h"
#include "ember/shape.h"

namespace ember {

using AttrValue = std::variant<int64_t, double, bool, IntList, ScalarType, Device, Scalar>;

// Named, non-tensor arguments of an op call (dims, keepdim, a dtype...). They travel with
// graph nodes and are serialised with them.
class Attrs {
 public:
  Attrs() = default;
  Attrs& set(std::string key, AttrValue v) {
    for (auto& kv : items_)
      if (kv.first == key) {
        kv.second = std::move(v);
        return *this;
      }
    items_.emplace_back(std::move(key), std::move(v));
    return *this;
  }
  bool has(const std::string& key) const { return find(key) != nullptr; }
  template <class T>
  const T& get(const std::string& key) const {
    const AttrValue* v = find(key);
    EMBER_CHECK(v, "missing attribute '", key, "'");
    const T* t = std::get_if<T>(v);
    EMBER_CHECK(t, "attribute '", key, "' has the wrong type");
    return *t;
  }
  int64_t i(const std::string& k) const { return get<int64_t>(k); }
  double f(const std::string& k) const { return get<double>(k); }
  bool b(const std::string& k) const { return get<bool>(k); }
  const IntList& ints(const std::string& k) const { return get<IntList>(k); }
  ScalarType dtype(const std::string& k) const { return get<ScalarType>(k); }
  Device device(const std::string& k) const { return get<Device>(k); }
  const Scalar& scalar(const std::string& k) const { return get<Scalar>(k); }

  const std::vector<std::pair<std::string, AttrValue>>& items() const { return items_; }
  bool operator==(const Attrs& o) const { return items_ == o.items_; }

 private:
  const AttrValue* find(const std::string& key) const {
    for (auto& kv : items_)
      if (kv.first == key) return &kv.second;
    return nullptr;
  }
  std::vector<std::pair<std::string, AttrValue>> items_;
};

std::ostream& operator<<(std::ostream& os, const AttrValue& v);
std::ostream& operator<<(std::ostream& os, const Attrs& a);

}  // namespace ember
