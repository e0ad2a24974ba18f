#pragma once
// ExpandingArray<D>, as libtorch's: D integers given as one (repeated) or as a list of D.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <vector>

#include "ember/array_ref.h"
#include "ember/error.h"

namespace ember {

template <size_t D, class T = int64_t>
class ExpandingArray {
 public:
  ExpandingArray(T single) { values_.fill(single); }
  ExpandingArray(std::initializer_list<T> list) : ExpandingArray(std::vector<T>(list)) {}
  ExpandingArray(const std::vector<T>& v) {
    EMBER_CHECK(v.size() == D, "Expected ", D, " values, but instead got ", v.size());
    for (size_t i = 0; i < D; ++i) values_[i] = v[i];
  }
  ExpandingArray(const std::array<T, D>& a) : values_(a) {}
  const T& operator[](size_t i) const { return values_[i]; }
  T& operator[](size_t i) { return values_[i]; }
  T* operator->() { return values_.data(); }
  const std::array<T, D>& operator*() const { return values_; }
  size_t size() const { return D; }
  const T* begin() const { return values_.data(); }
  const T* end() const { return values_.data() + D; }
  operator IntArrayRef() const { return IntArrayRef(values_.data(), D); }
  std::vector<T> vec() const { return {values_.begin(), values_.end()}; }
  bool operator==(const ExpandingArray& o) const { return values_ == o.values_; }

 private:
  std::array<T, D> values_{};
};

// "[3, 3]", as libtorch prints one.
template <size_t D, class T>
std::ostream& operator<<(std::ostream& os, const ExpandingArray<D, T>& a) {
  os << '[';
  for (size_t i = 0; i < D; ++i) os << (i ? ", " : "") << a[i];
  return os << ']';
}

}  // namespace ember
