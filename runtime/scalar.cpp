#include "ember/scalar.h"

#include <ostream>

#include "ember/half.h"

namespace ember {

Scalar::Scalar(Half v) : kind_(Kind::Float), d_(static_cast<float>(v)) {}
Scalar::Scalar(BFloat16 v) : kind_(Kind::Float), d_(static_cast<float>(v)) {}

Scalar Scalar::operator-() const {
  if (kind_ == Kind::Float) return Scalar(-d_);
  return Scalar(-i_);
}

bool Scalar::operator==(const Scalar& o) const {
  if (kind_ == Kind::Float || o.kind_ == Kind::Float) return to_double() == o.to_double();
  return i_ == o.i_;
}

std::ostream& operator<<(std::ostream& os, const Scalar& s) {
  switch (s.kind()) {
    case Scalar::Kind::Bool: return os << (s.to_bool() ? "True" : "False");
    case Scalar::Kind::Int: return os << s.to_int();
    case Scalar::Kind::Float: return os << s.to_double();
  }
  return os;
}

}  // namespace ember
