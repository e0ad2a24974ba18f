#pragma once
#include <cstdint>
#include <iosfwd>
#include <type_traits>

#include "ember/dtype.h"

namespace ember {

// A Python-style number: participates in type promotion by category only.
class Scalar {
 public:
  enum class Kind : uint8_t { Bool, Int, Float };

  Scalar() : kind_(Kind::Int), i_(0) {}
  Scalar(bool b) : kind_(Kind::Bool), i_(b ? 1 : 0) {}
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Scalar(T v) : kind_(Kind::Int), i_(static_cast<int64_t>(v)) {}
  template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  Scalar(T v) : kind_(Kind::Float), d_(static_cast<double>(v)) {}
  Scalar(Half v);
  Scalar(BFloat16 v);

  Kind kind() const { return kind_; }
  bool is_floating() const { return kind_ == Kind::Float; }
  bool is_integral() const { return kind_ == Kind::Int; }
  bool is_bool() const { return kind_ == Kind::Bool; }
  // The dtype a 0-dim tensor holding this value would have (libtorch's wrapped numbers).
  ScalarType dtype() const {
    return kind_ == Kind::Float ? kFloat64 : (kind_ == Kind::Int ? kInt64 : kBool);
  }

  double to_double() const { return kind_ == Kind::Float ? d_ : static_cast<double>(i_); }
  int64_t to_int() const { return kind_ == Kind::Float ? static_cast<int64_t>(d_) : i_; }
  bool to_bool() const { return kind_ == Kind::Float ? d_ != 0.0 : i_ != 0; }
  template <class T> T to() const;

  Scalar operator-() const;
  bool operator==(const Scalar& o) const;

 private:
  Kind kind_;
  union {
    int64_t i_;
    double d_;
  };
};

std::ostream& operator<<(std::ostream& os, const Scalar& s);

template <class T>
T Scalar::to() const {
  if constexpr (std::is_same_v<T, bool>) return to_bool();
  else if constexpr (std::is_integral_v<T>) return static_cast<T>(to_int());
  else if constexpr (std::is_floating_point_v<T>) return static_cast<T>(to_double());
  else return T(static_cast<float>(to_double()));
}

}  // namespace ember
