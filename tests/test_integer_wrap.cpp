// What C++ leaves undefined, defined as libtorch on x86 gives it (found by UBSan and the
// fuzzers): integer +, -, *, negation, abs, pow, sum and prod wrap (two's complement); NaN and
// out-of-range floats cast to integers give x86's "integer indefinite" (kernels/device/cast.h).
// Eager and compiled alike.
#include <climits>

#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {

std::vector<int64_t> ints(const Tensor& t) {
  Tensor c = t.to(kInt64).contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

// Modular arithmetic done by hand in uint64, truncated to `bits`.
int64_t wrapped(uint64_t v, int bits) {
  return bits == 64 ? static_cast<int64_t>(v) : static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(v)));
}

}  // namespace

TEST(IntegerWrap, ArithmeticWrapsInInt32AndInt64EagerAndCompiled) {
  for (ScalarType dt : {kInt32, kInt64}) {
    int bits = dt == kInt64 ? 64 : 32;
    int64_t max = bits == 64 ? INT64_MAX : INT32_MAX, min = bits == 64 ? INT64_MIN : INT32_MIN;
    Tensor a = tensor({max, min, max, int64_t{3}}, TensorOptions().dtype(dt));
    Tensor b = tensor({int64_t{1}, int64_t{-1}, max, int64_t{40}}, TensorOptions().dtype(dt));
    auto program = [](const Tensor& x, const Tensor& y) {
      return std::vector<Tensor>{x + y, x - y, x * y, -x, x.abs(), x.pow(y.clamp(0, 40)), x.sum(), x.prod()};
    };
    auto compiled = compile([&](const Tensor& x, const Tensor& y) { return program(x, y); });
    for (const auto& outs : {program(a, b), compiled(a, b)}) {
      uint64_t ua[4], ub[4];
      for (int i = 0; i < 4; ++i) {
        ua[i] = static_cast<uint64_t>(ints(a)[i]);
        ub[i] = static_cast<uint64_t>(ints(b)[i]);
      }
      std::vector<int64_t> add, sub, mul, neg, pw;
      for (int i = 0; i < 4; ++i) {
        add.push_back(wrapped(ua[i] + ub[i], bits));
        sub.push_back(wrapped(ua[i] - ub[i], bits));
        mul.push_back(wrapped(ua[i] * ub[i], bits));
        neg.push_back(wrapped(0 - ua[i], bits));
        uint64_t p = 1;
        for (int64_t k = 0; k < std::min<int64_t>(ints(b)[i], 40); ++k) p *= ua[i];
        pw.push_back(wrapped(ints(b)[i] < 0 ? 1 : p, bits));
      }
      EXPECT_EQ(ints(outs[0]), add) << dt;
      EXPECT_EQ(ints(outs[1]), sub) << dt;
      EXPECT_EQ(ints(outs[2]), mul) << dt;
      EXPECT_EQ(ints(outs[3]), neg) << dt;
      EXPECT_EQ(ints(outs[4]), (std::vector<int64_t>{max, min, max, 3})) << dt;  // abs(min) is min
      EXPECT_EQ(ints(outs[5]), pw) << dt;
      uint64_t sum = ua[0] + ua[1] + ua[2] + ua[3], prod = ua[0] * ua[1] * ua[2] * ua[3];
      EXPECT_EQ(ints(outs[6])[0], bits == 64 ? wrapped(sum, 64) : static_cast<int64_t>(sum)) << dt;  // int32 sums in int64
      EXPECT_EQ(ints(outs[7])[0], bits == 64 ? wrapped(prod, 64) : static_cast<int64_t>(prod)) << dt;
    }
  }
}

TEST(IntegerWrap, NanAndOutOfRangeFloatsCastAsOnX86) {
  const double nan = std::nan("");
  Tensor f = tensor({nan, 3e9, -3e9, 1e19, 300.7, -1.5, 2.9}, TensorOptions().dtype(kFloat64));
  auto cast_all = [](const Tensor& x) {
    return std::vector<Tensor>{x.to(kInt64), x.to(kInt32), x.to(kInt16), x.to(kInt8), x.to(kUInt8)};
  };
  auto compiled = compile([&](const Tensor& x) { return cast_all(x); });
  for (const Tensor& src : {f, f.to(kFloat32)}) {
    for (const auto& outs : {cast_all(src), compiled(src)}) {
      EXPECT_EQ(ints(outs[0]), (std::vector<int64_t>{INT64_MIN, 3000000000, -3000000000, INT64_MIN, 300, -1, 2}));
      EXPECT_EQ(ints(outs[1]), (std::vector<int64_t>{INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, 300, -1, 2}));
      EXPECT_EQ(ints(outs[2]), (std::vector<int64_t>{0, 0, 0, 0, 300, -1, 2}));
      EXPECT_EQ(ints(outs[3]), (std::vector<int64_t>{0, 0, 0, 0, 44, -1, 2}));
      EXPECT_EQ(ints(outs[4]), (std::vector<int64_t>{0, 0, 0, 0, 44, 255, 2}));
    }
  }
}
