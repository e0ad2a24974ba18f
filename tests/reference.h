#pragma once
// Reference helpers for the op suites: they read and write tensor memory directly (sizes,
// strides, raw bytes) and compute in double, so expected values never come from the code
// under test.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <sstream>
#include <vector>

#include "test_util.h"

namespace ember::ref {

// ----- float16 / bfloat16 by arithmetic (independent of kernels/device/half.h)

// Rounds x to a binary format with `mant` fraction bits, normal exponents >= emin and
// largest finite `maxf`: round to nearest, ties to even; overflow gives infinity.
inline double round_to_format(double x, int mant, int emin, double maxf) {
  if (std::isnan(x) || std::isinf(x) || x == 0) return x;
  double a = std::fabs(x);
  int e;
  std::frexp(a, &e);  // a = f * 2^e, f in [0.5, 1)
  int exp = std::max(e - 1, emin);
  double q = std::ldexp(1.0, exp - mant);   // spacing of representable values near a
  double r = std::nearbyint(a / q) * q;     // default rounding mode: ties to even
  if (r > maxf) r = std::numeric_limits<double>::infinity();
  return std::copysign(r, x);
}
inline double round_half(double x) { return round_to_format(x, 10, -14, 65504.0); }
inline double round_bf16(double x) {
  return round_to_format(x, 7, -126, std::ldexp(255.0, 120));  // (2 - 2^-7) * 2^127
}

inline double half_bits_value(uint16_t h) {
  int s = h >> 15, e = (h >> 10) & 0x1F, m = h & 0x3FF;
  double v;
  if (e == 0x1F) v = m ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
  else if (e == 0) v = std::ldexp(m, -24);
  else v = std::ldexp(1024 + m, e - 25);
  return s ? -v : v;
}
inline double bf16_bits_value(uint16_t b) {
  uint32_t u = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// ----- dtype-generic element access

inline double read_elem(const char* p, ScalarType dt) {
  switch (dt) {
    case kBool: return *reinterpret_cast<const bool*>(p) ? 1.0 : 0.0;
    case kUInt8: return *reinterpret_cast<const uint8_t*>(p);
    case kInt8: return *reinterpret_cast<const int8_t*>(p);
    case kInt16: return *reinterpret_cast<const int16_t*>(p);
    case kInt32: return *reinterpret_cast<const int32_t*>(p);
    case kInt64: return static_cast<double>(*reinterpret_cast<const int64_t*>(p));
    case kFloat16: {
      uint16_t h;
      std::memcpy(&h, p, 2);
      return half_bits_value(h);
    }
    case kBFloat16: {
      uint16_t h;
      std::memcpy(&h, p, 2);
      return bf16_bits_value(h);
    }
    case kFloat32: return *reinterpret_cast<const float*>(p);
    case kFloat64: return *reinterpret_cast<const double*>(p);
    default: break;
  }
  ADD_FAILURE() << "read_elem: bad dtype";
  return 0;
}

// libtorch's cast of a value to `to` (float->int truncates, ints wrap, ->bool is != 0,
// float64->float16/bfloat16 goes through float32 like c10::Half).
inline double cast_value(double v, ScalarType to) {
  // Through int64 (exact for every integer source), then wrapped to the width. A float that
  // does not fit int64 (NaN included) takes x86's "integer indefinite", INT64_MIN; tests of
  // narrower targets skip such floats (kernels/device/cast.h defines them through int32).
  auto wrap = [&](auto t) {
    double x = std::trunc(v);
    int64_t i = (x >= -9223372036854775808.0 && x < 9223372036854775808.0) ? static_cast<int64_t>(x) : INT64_MIN;
    return static_cast<double>(static_cast<decltype(t)>(i));
  };
  switch (to) {
    case kBool: return v != 0 ? 1.0 : 0.0;
    case kUInt8: return wrap(uint8_t{});
    case kInt8: return wrap(int8_t{});
    case kInt16: return wrap(int16_t{});
    case kInt32: return wrap(int32_t{});
    case kInt64: return static_cast<double>(static_cast<int64_t>(std::trunc(v)));
    case kFloat16: return round_half(static_cast<float>(v));
    case kBFloat16: return round_bf16(static_cast<float>(v));
    case kFloat32: return static_cast<float>(v);
    case kFloat64: return v;
    default: break;
  }
  return v;
}

// Writes a value already representable in dt.
inline void write_elem(char* p, ScalarType dt, double v) {
  switch (dt) {
    case kBool: *reinterpret_cast<bool*>(p) = v != 0; break;
    case kUInt8: *reinterpret_cast<uint8_t*>(p) = static_cast<uint8_t>(static_cast<int64_t>(v)); break;
    case kInt8: *reinterpret_cast<int8_t*>(p) = static_cast<int8_t>(static_cast<int64_t>(v)); break;
    case kInt16: *reinterpret_cast<int16_t*>(p) = static_cast<int16_t>(static_cast<int64_t>(v)); break;
    case kInt32: *reinterpret_cast<int32_t*>(p) = static_cast<int32_t>(static_cast<int64_t>(v)); break;
    case kInt64: *reinterpret_cast<int64_t*>(p) = static_cast<int64_t>(v); break;
    case kFloat16: {
      // Encode exactly-representable values by search over the 65536 codes' values.
      static const std::vector<std::pair<double, uint16_t>> table = [] {
        std::vector<std::pair<double, uint16_t>> t;
        for (uint32_t h = 0; h < 0x10000; ++h) {
          double x = half_bits_value(static_cast<uint16_t>(h));
          if (!std::isnan(x)) t.emplace_back(x, static_cast<uint16_t>(h));
        }
        std::sort(t.begin(), t.end(), [](auto& a, auto& b) {
          return a.first < b.first || (a.first == b.first && std::signbit(a.first) > std::signbit(b.first));
        });
        return t;
      }();
      uint16_t bits = 0x7E00;
      if (!std::isnan(v)) {
        auto it = std::lower_bound(table.begin(), table.end(), v,
                                   [](auto& e, double x) { return e.first < x; });
        EXPECT_TRUE(it != table.end() && it->first == v) << v << " is not a float16 value";
        if (it != table.end()) bits = it->second;
        if (v == 0) bits = std::signbit(v) ? 0x8000 : 0;
      }
      std::memcpy(p, &bits, 2);
      break;
    }
    case kBFloat16: {
      float f = static_cast<float>(v);
      uint32_t u;
      std::memcpy(&u, &f, 4);
      EXPECT_TRUE(std::isnan(v) || (u & 0xFFFF) == 0) << v << " is not a bfloat16 value";
      uint16_t bits = std::isnan(v) ? 0x7FC0 : static_cast<uint16_t>(u >> 16);
      std::memcpy(p, &bits, 2);
      break;
    }
    case kFloat32: *reinterpret_cast<float*>(p) = static_cast<float>(v); break;
    case kFloat64: *reinterpret_cast<double*>(p) = v; break;
    default: ADD_FAILURE() << "write_elem: bad dtype";
  }
}

// ----- dense reference arrays

struct Ref {
  Shape shape;
  std::vector<double> v;  // row-major
  int64_t numel() const { return static_cast<int64_t>(v.size()); }
};

inline Shape strides_of(const Shape& s) {
  Shape st(s.size());
  int64_t acc = 1;
  for (int64_t i = static_cast<int64_t>(s.size()) - 1; i >= 0; --i) {
    st[i] = acc;
    acc *= s[i];
  }
  return st;
}

inline int64_t count(const Shape& s) {
  int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

// Multi-index of linear position i in shape s.
inline std::vector<int64_t> unravel(int64_t i, const Shape& s) {
  std::vector<int64_t> idx(s.size());
  for (int64_t d = static_cast<int64_t>(s.size()) - 1; d >= 0; --d) {
    idx[d] = s[d] ? i % s[d] : 0;
    if (s[d]) i /= s[d];
  }
  return idx;
}

// Reads any CPU tensor through its own sizes/strides/offset.
inline Ref read(const Tensor& t) {
  Ref r{t.sizes(), {}};
  int64_t n = count(t.sizes());
  r.v.resize(static_cast<size_t>(n));
  if (n == 0) return r;
  const char* base = static_cast<const char*>(t.data_ptr());
  int64_t item = static_cast<int64_t>(itemsize(t.dtype()));
  for (int64_t i = 0; i < n; ++i) {
    auto idx = unravel(i, t.sizes());
    int64_t off = 0;
    for (size_t d = 0; d < idx.size(); ++d) off += idx[d] * t.strides()[d];
    r.v[static_cast<size_t>(i)] = read_elem(base + off * item, t.dtype());
  }
  return r;
}

// A contiguous CPU tensor of `dt` holding `vals` (each representable in dt).
inline Tensor make(const Shape& shape, const std::vector<double>& vals, ScalarType dt) {
  EXPECT_EQ(count(shape), static_cast<int64_t>(vals.size()));
  Tensor t = empty(shape, TensorOptions().dtype(dt));
  char* p = static_cast<char*>(t.data_ptr());
  for (size_t i = 0; i < vals.size(); ++i) write_elem(p + i * itemsize(dt), dt, vals[i]);
  return t;
}

// 0, 1, 2, ... in `shape`, as `dt`.
inline Tensor iota(const Shape& s, ScalarType dt = kFloat32) {
  std::vector<double> v(static_cast<size_t>(count(s)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i);
  return make(s, v, dt);
}

// Random values representable in dt: integers in [lo, hi] for integer dtypes, else
// uniform in [lo, hi] rounded to dt.
inline std::vector<double> random_values(int64_t n, ScalarType dt, double lo, double hi,
                                         uint32_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<double> v(static_cast<size_t>(n));
  for (auto& x : v) {
    if (dt == kBool) x = static_cast<double>(gen() & 1);
    else if (is_integral(dt, false))
      x = std::floor(lo + static_cast<double>(gen() % static_cast<uint64_t>(hi - lo + 1)));
    else x = cast_value(std::uniform_real_distribution<double>(lo, hi)(gen), dt);
  }
  return v;
}

inline Tensor random_tensor(const Shape& shape, ScalarType dt, double lo, double hi, uint32_t seed) {
  return make(shape, random_values(count(shape), dt, lo, hi, seed), dt);
}

inline Shape broadcast(const Shape& a, const Shape& b) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// Element of `r` seen broadcast to `shape` at multi-index idx.
inline double at_broadcast(const Ref& r, const Shape& shape, const std::vector<int64_t>& idx) {
  int64_t off = 0, lead = static_cast<int64_t>(shape.size() - r.shape.size());
  auto st = strides_of(r.shape);
  for (size_t d = 0; d < r.shape.size(); ++d)
    off += (r.shape[d] == 1 ? 0 : idx[d + lead]) * st[d];
  return r.v[static_cast<size_t>(off)];
}

// Element of `r` at multi-index idx.
inline double at(const Ref& r, const std::vector<int64_t>& idx) {
  auto st = strides_of(r.shape);
  int64_t off = 0;
  for (size_t d = 0; d < idx.size(); ++d) off += idx[d] * st[d];
  return r.v[static_cast<size_t>(off)];
}

// Reference of out[idx] = in[f(idx)] for every idx of `shape`.
inline Ref gather(const Ref& in, const Shape& shape,
                  const std::function<std::vector<int64_t>(const std::vector<int64_t>&)>& f) {
  Ref out{shape, {}};
  for (int64_t i = 0; i < count(shape); ++i) out.v.push_back(at(in, f(unravel(i, shape))));
  return out;
}

// Elementwise map over broadcast inputs, each result cast to `out_dt`.
inline Ref map(const std::vector<Ref>& in, ScalarType out_dt,
               const std::function<double(const std::vector<double>&)>& f) {
  Shape shape;
  for (const auto& r : in) shape = broadcast(shape, r.shape);
  Ref out{shape, {}};
  int64_t n = count(shape);
  std::vector<double> args(in.size());
  for (int64_t i = 0; i < n; ++i) {
    auto idx = unravel(i, shape);
    for (size_t k = 0; k < in.size(); ++k) args[k] = at_broadcast(in[k], shape, idx);
    out.v.push_back(cast_value(f(args), out_dt));
  }
  return out;
}

inline double default_rtol(ScalarType dt) {
  switch (dt) {
    case kFloat64: return 1e-12;
    case kFloat32: return 4e-6;
    case kFloat16: return 2e-3;
    case kBFloat16: return 1.6e-2;
    default: return 0;
  }
}

// Compares a tensor with a reference: same shape and dtype, values within
// atol + rtol * |expected| (NaNs and equal infinities match).
inline ::testing::AssertionResult matches(const Tensor& t, const Ref& expected, ScalarType dt,
                                          double rtol = -1, double atol = -1) {
  if (t.dtype() != dt)
    return ::testing::AssertionFailure() << "dtype " << dtype_name(t.dtype()) << ", expected "
                                         << dtype_name(dt);
  if (t.sizes() != expected.shape)
    return ::testing::AssertionFailure() << "shape " << shape_str(t.sizes()) << ", expected "
                                         << shape_str(expected.shape);
  if (rtol < 0) rtol = default_rtol(dt);
  if (atol < 0) atol = rtol;
  Ref got = read(t);
  for (size_t i = 0; i < got.v.size(); ++i) {
    double x = got.v[i], y = expected.v[i];
    if (std::isnan(x) && std::isnan(y)) continue;
    if (x == y) continue;
    if (std::isinf(x) || std::isinf(y) || !(std::fabs(x - y) <= atol + rtol * std::fabs(y)))
      return ::testing::AssertionFailure() << "element " << i << " (of " << got.v.size()
                                           << "): got " << x << ", expected " << y;
  }
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult matches(const Tensor& t, const Shape& shape,
                                          const std::vector<double>& expected, ScalarType dt,
                                          double rtol = -1, double atol = -1) {
  return matches(t, Ref{shape, expected}, dt, rtol, atol);
}

}  // namespace ember::ref
