// dtypes: libtorch's promotion lattice, result_type with wrapped numbers and 0-dim tensors,
// float16/bfloat16 rounding, and casts between all ten dtypes.
#include "reference.h"

using namespace ember;
using namespace ember::testing;

namespace {

const ScalarType kAll[] = {kBool,    kUInt8,    kInt8,    kInt16,   kInt32,
                           kInt64,   kFloat16,  kBFloat16, kFloat32, kFloat64};

}  // namespace

TEST(DType, NamesAndSizes) {
  const char* names[] = {"bool",    "uint8",    "int8",    "int16",   "int32",
                         "int64",   "float16",  "bfloat16", "float32", "float64"};
  const size_t sizes[] = {1, 1, 1, 2, 4, 8, 2, 2, 4, 8};
  for (int i = 0; i < 10; ++i) {
    EXPECT_STREQ(dtype_name(kAll[i]), names[i]);
    EXPECT_EQ(itemsize(kAll[i]), sizes[i]) << names[i];
    EXPECT_EQ(dtype_from_name(names[i]), kAll[i]);
  }
  EXPECT_EQ(dtype_from_name("float"), kFloat32);
  EXPECT_EQ(dtype_from_name("double"), kFloat64);
  EXPECT_EMBER_ERROR(dtype_from_name("complex64"), "unknown dtype");
  EXPECT_TRUE(is_floating(kBFloat16));
  EXPECT_FALSE(is_floating(kInt64));
  EXPECT_TRUE(is_integral(kBool, true));
  EXPECT_FALSE(is_integral(kBool, false));
  EXPECT_FALSE(is_integral(kFloat16, true));
}

// libtorch's _promoteTypesLookup, rows and columns in the order of kAll:
// b1 u1 i1 i2 i4 i8 f2 bf f4 f8.
TEST(DType, PromoteTypesTable) {
  using S = ScalarType;
  const S b1 = kBool, u1 = kUInt8, i1 = kInt8, i2 = kInt16, i4 = kInt32, i8 = kInt64,
          f2 = kFloat16, bf = kBFloat16, f4 = kFloat32, f8 = kFloat64;
  const S table[10][10] = {
      /* b1 */ {b1, u1, i1, i2, i4, i8, f2, bf, f4, f8},
      /* u1 */ {u1, u1, i2, i2, i4, i8, f2, bf, f4, f8},
      /* i1 */ {i1, i2, i1, i2, i4, i8, f2, bf, f4, f8},
      /* i2 */ {i2, i2, i2, i2, i4, i8, f2, bf, f4, f8},
      /* i4 */ {i4, i4, i4, i4, i4, i8, f2, bf, f4, f8},
      /* i8 */ {i8, i8, i8, i8, i8, i8, f2, bf, f4, f8},
      /* f2 */ {f2, f2, f2, f2, f2, f2, f2, f4, f4, f8},
      /* bf */ {bf, bf, bf, bf, bf, bf, f4, bf, f4, f8},
      /* f4 */ {f4, f4, f4, f4, f4, f4, f4, f4, f4, f8},
      /* f8 */ {f8, f8, f8, f8, f8, f8, f8, f8, f8, f8},
  };
  for (int i = 0; i < 10; ++i)
    for (int j = 0; j < 10; ++j)
      EXPECT_EQ(promote_types(kAll[i], kAll[j]), table[i][j])
          << dtype_name(kAll[i]) << " + " << dtype_name(kAll[j]);
  EXPECT_EMBER_ERROR(promote_types(ScalarType::Undefined, kFloat32), "undefined");
}

// The same lattice, observed through a binary op on two dimensioned tensors.
TEST(DType, BinaryOpsOnTensorsFollowTheLattice) {
  for (ScalarType a : kAll)
    for (ScalarType b : kAll) {
      Tensor x = ones({2}, dtype(a)), y = ones({2}, dtype(b));
      EXPECT_EQ((x * y).dtype(), promote_types(a, b)) << dtype_name(a) << " * " << dtype_name(b);
      EXPECT_EQ(maximum(x, y).dtype(), promote_types(a, b));
    }
}

TEST(DType, ResultTypeWithWrappedNumbersAndZeroDimTensors) {
  auto t = [](ScalarType dt) { return ones({3}, dtype(dt)); };
  auto s = [](double v, ScalarType dt) { return scalar_tensor(v, dtype(dt)); };
  // A float number makes an integer tensor's result the default float dtype.
  EXPECT_EQ((t(kInt32) + 2.5).dtype(), kFloat32);
  EXPECT_EQ((t(kInt64) * 2.5).dtype(), kFloat32);
  EXPECT_EQ((t(kBool) + 2.5).dtype(), kFloat32);
  EXPECT_EQ((2.5 - t(kInt16)).dtype(), kFloat32);
  // A 0-dim tensor of a higher category keeps its own dtype.
  EXPECT_EQ((t(kInt32) + s(2.5, kFloat64)).dtype(), kFloat64);
  EXPECT_EQ((t(kInt32) + s(2.5, kFloat16)).dtype(), kFloat16);
  // Same category: the dimensioned tensor wins.
  EXPECT_EQ((t(kUInt8) + 5).dtype(), kUInt8);
  EXPECT_EQ((t(kInt8) + 300).dtype(), kInt8);
  EXPECT_EQ((t(kFloat16) + s(1.0, kFloat32)).dtype(), kFloat16);
  EXPECT_EQ((t(kFloat16) + 1.5).dtype(), kFloat16);
  EXPECT_EQ((t(kBFloat16) + s(1.0, kFloat64)).dtype(), kBFloat16);
  EXPECT_EQ((t(kInt32) + s(7, kInt64)).dtype(), kInt32);
  EXPECT_EQ((t(kUInt8) + s(7, kInt8)).dtype(), kUInt8);
  EXPECT_EQ((t(kFloat32) + s(7, kInt64)).dtype(), kFloat32);
  // Bool tensors take an integer number's dtype.
  EXPECT_EQ((t(kBool) + 1).dtype(), kInt64);
  EXPECT_EQ((t(kBool) + true).dtype(), kBool);
  EXPECT_EQ((t(kInt32) + true).dtype(), kInt32);
  // Among 0-dim tensors and numbers only: 0-dim tensors outrank numbers.
  EXPECT_EQ((s(1, kInt32) + 5).dtype(), kInt32);
  EXPECT_EQ((s(1, kInt32) + 2.5).dtype(), kFloat32);
  EXPECT_EQ((s(1, kFloat64) + s(1, kFloat32)).dtype(), kFloat64);
  EXPECT_EQ((s(1, kFloat16) + 2.5).dtype(), kFloat16);
  // The result of a 0-dim op is itself 0-dim.
  EXPECT_EQ((s(1, kFloat64) + 1).dim(), 0);
  // Comparisons compute in the promoted type but return bool.
  EXPECT_EQ((t(kInt32) < 2.5).dtype(), kBool);
  // Division always gives a float.
  EXPECT_EQ((t(kInt64) / t(kInt64)).dtype(), kFloat32);
  EXPECT_EQ((t(kInt64) / s(2, kFloat64)).dtype(), kFloat64);
  EXPECT_EQ((t(kFloat16) / 2).dtype(), kFloat16);
}

TEST(DType, ResultTypeFollowsTheDefaultDtype) {
  set_default_dtype(kFloat64);
  Tensor r = ones({2}, dtype(kInt32)) + 0.5;
  Tensor f = tensor({1.5, 2.5});
  set_default_dtype(kFloat32);
  EXPECT_EQ(r.dtype(), kFloat64);
  EXPECT_EQ(f.dtype(), kFloat64);
  EXPECT_EMBER_ERROR(set_default_dtype(kInt32), "only floating");
}

TEST(DType, ScalarValuesAreExactInTheirDtype) {
  // A wrapped int64 number is converted to the tensor's dtype, so uint8 arithmetic wraps.
  Tensor x = ref::make({3}, {250, 3, 0}, kUInt8);
  EXPECT_TRUE(ref::matches(x + 10, {3}, {4, 13, 10}, kUInt8));
  Tensor i = zeros({2}, dtype(kInt64));
  i.data_ptr<int64_t>()[0] = int64_t{1} << 53;  // not exact in double
  Tensor r = i + int64_t{1};
  EXPECT_EQ(r.data_ptr<int64_t>()[0], int64_t{9007199254740993});
}

// ----- float16 and bfloat16

TEST(Half, KnownEncodings) {
  struct Case {
    float f;
    uint16_t bits;
  };
  const Case cases[] = {
      {0.0f, 0x0000},           {-0.0f, 0x8000},          {1.0f, 0x3C00},
      {-2.0f, 0xC000},          {0.5f, 0x3800},           {65504.0f, 0x7BFF},
      {65519.99f, 0x7BFF},      {65520.0f, 0x7C00},       {1e6f, 0x7C00},
      {-1e6f, 0xFC00},          {0x1p-14f, 0x0400},       {0x1p-24f, 0x0001},
      {0x1p-25f, 0x0000},       {0x1.000002p-25f, 0x0001}, {0x3p-25f, 0x0002},
      {0x1p-26f, 0x0000},       {0x3FFp-24f, 0x03FF},     {0x7FFp-25f, 0x0400},
      {1.0f + 0x1p-11f, 0x3C00}, {1.0f + 0x3p-11f, 0x3C02}, {1.0f + 0x1.8p-11f, 0x3C01},
      {0.1f, 0x2E66},           {3.14159265f, 0x4248},    {-65504.0f, 0xFBFF},
      {std::numeric_limits<float>::infinity(), 0x7C00},
      {-std::numeric_limits<float>::infinity(), 0xFC00},
      {std::numeric_limits<float>::denorm_min(), 0x0000},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Half(c.f).x, c.bits) << std::hexfloat << c.f;
    if (c.bits != 0x7C00 && c.bits != 0xFC00) {
      EXPECT_EQ(static_cast<float>(Half::from_bits(c.bits)), static_cast<float>(ref::half_bits_value(c.bits)));
    }
  }
  Half nan(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan.x & 0x7C00, 0x7C00);
  EXPECT_NE(nan.x & 0x03FF, 0);
  EXPECT_TRUE(std::isnan(static_cast<float>(nan)));
  EXPECT_TRUE(std::isnan(static_cast<float>(Half(-std::numeric_limits<float>::quiet_NaN()))));
}

TEST(Half, EveryCodeDecodesAndRoundTrips) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = static_cast<float>(Half::from_bits(static_cast<uint16_t>(h)));
    double want = ref::half_bits_value(static_cast<uint16_t>(h));
    if (std::isnan(want)) {
      ASSERT_TRUE(std::isnan(f)) << std::hex << h;
      ASSERT_TRUE(std::isnan(static_cast<float>(Half(f))));
      continue;
    }
    ASSERT_EQ(static_cast<double>(f), want) << std::hex << h;
    ASSERT_EQ(Half(f).x, h) << std::hex << h;
  }
}

TEST(Half, RoundsToNearestEvenAcrossTheFloatRange) {
  // Float bit patterns spread over the whole range, plus each half's neighbourhood of
  // midpoints (the hard cases for round-to-nearest-even).
  auto check = [](uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    double want = ref::round_half(f);
    float got = static_cast<float>(Half(f));
    if (std::isnan(want)) return std::isnan(got);
    return static_cast<double>(got) == want && std::signbit(got) == std::signbit(want);
  };
  for (uint64_t u = 0; u <= 0xFFFFFFFFull; u += 4099) ASSERT_TRUE(check(static_cast<uint32_t>(u))) << std::hex << u;
  for (uint32_t h = 0; h < 0x7C00; ++h) {
    float mid = static_cast<float>((ref::half_bits_value(h) + ref::half_bits_value(h + 1)) / 2);
    uint32_t u;
    std::memcpy(&u, &mid, 4);
    for (uint32_t d : {0u, 1u, 2u}) {
      ASSERT_TRUE(check(u + d)) << std::hex << h;
      ASSERT_TRUE(check(u - d)) << std::hex << h;
      ASSERT_TRUE(check((u + d) | 0x80000000u)) << std::hex << h;
    }
  }
}

TEST(BFloat16, KnownEncodings) {
  EXPECT_EQ(BFloat16(1.0f).x, 0x3F80);
  EXPECT_EQ(BFloat16(-0.0f).x, 0x8000);
  EXPECT_EQ(BFloat16(1.0f + 0x1p-8f).x, 0x3F80);        // tie to even (down)
  EXPECT_EQ(BFloat16(1.0f + 0x3p-8f).x, 0x3F82);        // tie to even (up)
  EXPECT_EQ(BFloat16(1.0f + 0x1.02p-8f).x, 0x3F81); // just above the tie
  EXPECT_EQ(BFloat16(3.0e38f).x, 0x7F62);
  EXPECT_EQ(BFloat16(std::numeric_limits<float>::max()).x, 0x7F80);  // rounds to inf
  EXPECT_EQ(BFloat16(std::numeric_limits<float>::infinity()).x, 0x7F80);
  EXPECT_EQ(BFloat16(-std::numeric_limits<float>::infinity()).x, 0xFF80);
  EXPECT_EQ(BFloat16(0x1p-133f).x, 0x0001);             // smallest subnormal
  EXPECT_EQ(BFloat16(0.1f).x, 0x3DCD);
  BFloat16 nan(std::numeric_limits<float>::quiet_NaN());
  EXPECT_TRUE(std::isnan(static_cast<float>(nan)));
  // A signalling NaN whose payload sits only in the low bits must stay a NaN.
  uint32_t snan = 0x7F800001u;
  float fs;
  std::memcpy(&fs, &snan, 4);
  EXPECT_TRUE(std::isnan(static_cast<float>(BFloat16(fs))));
}

TEST(BFloat16, RoundsToNearestEvenAndRoundTrips) {
  for (uint64_t u = 0; u <= 0xFFFFFFFFull; u += 4099) {
    uint32_t w = static_cast<uint32_t>(u);
    float f;
    std::memcpy(&f, &w, 4);
    double want = ref::round_bf16(f);
    float got = static_cast<float>(BFloat16(f));
    if (std::isnan(want)) ASSERT_TRUE(std::isnan(got)) << std::hex << w;
    else ASSERT_EQ(static_cast<double>(got), want) << std::hex << w;
  }
  for (uint32_t h = 0; h < 0x10000; ++h) {
    double v = ref::bf16_bits_value(static_cast<uint16_t>(h));
    float f = static_cast<float>(BFloat16::from_bits(static_cast<uint16_t>(h)));
    if (std::isnan(v)) {
      ASSERT_TRUE(std::isnan(f));
      continue;
    }
    ASSERT_EQ(static_cast<double>(f), v);
    ASSERT_EQ(BFloat16(f).x, h) << std::hex << h;
    // Ties between neighbours go to the even code.
    if ((h & 0x7FFF) < 0x7F7F) {
      double next = ref::bf16_bits_value(static_cast<uint16_t>(h + 1));
      float mid = static_cast<float>((v + next) / 2);
      uint16_t even = (h & 1) ? static_cast<uint16_t>(h + 1) : static_cast<uint16_t>(h);
      ASSERT_EQ(BFloat16(mid).x, even) << std::hex << h;
    }
  }
}

TEST(Half, TensorConversionsRoundLikeTheScalarType) {
  std::vector<double> v{1.0 + std::ldexp(1, -11), 1.0 + 3 * std::ldexp(1, -11), 65520.0, 1e-8,
                        std::ldexp(1, -24), -0.1, 3.14159265358979};
  Tensor d = ref::make({7}, v, kFloat64);
  std::vector<double> want_h, want_b;
  for (double x : v) {
    want_h.push_back(ref::round_half(static_cast<float>(x)));
    want_b.push_back(ref::round_bf16(static_cast<float>(x)));
  }
  EXPECT_TRUE(ref::matches(d.to(kFloat16), {7}, want_h, kFloat16, 0, 0));
  EXPECT_TRUE(ref::matches(d.to(kBFloat16), {7}, want_b, kBFloat16, 0, 0));
  EXPECT_TRUE(ref::matches(d.to(kFloat32).to(kFloat16), {7}, want_h, kFloat16, 0, 0));
  // Half -> bfloat16 and back through float is exact where the value fits both.
  Tensor h = ref::make({3}, {0.5, -2.0, 1024.0}, kFloat16);
  EXPECT_TRUE(ref::matches(h.to(kBFloat16).to(kFloat16), {3}, {0.5, -2.0, 1024.0}, kFloat16, 0, 0));
}

// ----- casts between every pair of dtypes

namespace {

// Values each source dtype can hold; a cast to `to` is checked for the ones whose result
// is defined (float -> unsigned of a negative number and float -> int out of range are UB).
std::vector<double> cast_sources(ScalarType from) {
  switch (from) {
    case kBool: return {0, 1};
    case kUInt8: return {0, 1, 7, 127, 128, 200, 255};
    case kInt8: return {0, 1, -1, 100, -128, 127, -7};
    case kInt16: return {0, 1, -1, 300, -300, 32767, -32768, 255, 256};
    case kInt32: return {0, 1, -1, 70000, -70000, 2147483647, 256, 65505};
    case kInt64: return {0, 1, -1, 1099511627777.0, -1099511627777.0, 4294967296.0 + 5, 257};
    case kFloat16: return {0, -0.0, 1, 2.5, -2.5, 0.099975586, -7.75, 100.5, 65504, 0.00006103515625};
    case kBFloat16: return {0, -0.0, 1, 2.5, -2.5, 0.10009765625, -7.75, 100.5, 3.0e38 / 3.0e38 * 126};
    case kFloat32: return {0, -0.0, 1, 2.7f, -2.7f, 0.1f, 1e-30f, 100.5, -127.9f, 65519.0, 1e20f};
    case kFloat64: return {0, -0.0, 1, 2.7, -2.7, 0.1, 1e-300, 100.5, -127.9, 1e20, 3.4028235677973366e38};
    default: return {};
  }
}

bool cast_defined(double v, ScalarType from, ScalarType to) {
  if (!is_floating(from) || !is_integral(to, false)) return true;
  double t = std::trunc(v);
  switch (to) {
    case kUInt8: return t >= 0 && t <= 255;
    case kInt8: return t >= -128 && t <= 127;
    case kInt16: return t >= -32768 && t <= 32767;
    case kInt32: return t >= -2147483648.0 && t <= 2147483647.0;
    default: return std::fabs(t) < 9.2e18;
  }
}

}  // namespace

TEST(DType, CastsBetweenAllDtypes) {
  for (ScalarType from : kAll)
    for (ScalarType to : kAll) {
      std::vector<double> src, want;
      for (double v : cast_sources(from)) {
        double held = ref::cast_value(v, from);
        if (!cast_defined(held, from, to)) continue;
        src.push_back(held);
        want.push_back(ref::cast_value(held, to));
      }
      Shape shape{static_cast<int64_t>(src.size())};
      Tensor x = ref::make(shape, src, from);
      Tensor y = x.to(to);
      EXPECT_TRUE(ref::matches(y, shape, want, to, 0, 0)) << dtype_name(from) << " -> " << dtype_name(to);
      // The same cast from a non-contiguous view (general strided path).
      Tensor wide = ref::make({static_cast<int64_t>(src.size()), 2},
                              [&] {
                                std::vector<double> w;
                                for (double v : src) w.insert(w.end(), {v, v});
                                return w;
                              }(),
                              from);
      EXPECT_TRUE(ref::matches(wide.select(1, 1).to(to), shape, want, to, 0, 0))
          << "strided " << dtype_name(from) << " -> " << dtype_name(to);
    }
}

TEST(DType, FloatToIntTruncatesTowardZero) {
  Tensor x = ref::make({6}, {2.7, -2.7, 0.999, -0.999, 126.5, -128.0}, kFloat32);
  EXPECT_TRUE(ref::matches(x.to(kInt32), {6}, {2, -2, 0, 0, 126, -128}, kInt32, 0, 0));
  EXPECT_TRUE(ref::matches(x.to(kInt8), {6}, {2, -2, 0, 0, 126, -128}, kInt8, 0, 0));
  EXPECT_TRUE(ref::matches(x.to(kInt64), {6}, {2, -2, 0, 0, 126, -128}, kInt64, 0, 0));
}

TEST(DType, AnythingToBoolIsNonZero) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Tensor f = ref::make({6}, {0.0, -0.0, 0.5, -1e-30, nan, std::numeric_limits<double>::infinity()}, kFloat64);
  EXPECT_TRUE(ref::matches(f.to(kBool), {6}, {0, 0, 1, 1, 1, 1}, kBool));
  EXPECT_TRUE(ref::matches(f.to(kFloat16).to(kBool), {6}, {0, 0, 1, 0, 1, 1}, kBool));  // -1e-30 underflows
  Tensor i = ref::make({4}, {0, 256, -1, 1}, kInt64);
  EXPECT_TRUE(ref::matches(i.to(kBool), {4}, {0, 1, 1, 1}, kBool));
  // Whereas the integer cast wraps 256 to 0.
  EXPECT_TRUE(ref::matches(i.to(kUInt8), {4}, {0, 0, 255, 1}, kUInt8));
}

TEST(DType, ToSameDtypeAliasesUnlessCopyIsAsked) {
  Tensor x = ones({3});
  EXPECT_TRUE(x.to(kFloat32).is_same(x));
  Tensor c = x.to(kFloat32, false, true);
  EXPECT_FALSE(c.is_same(x));
  EXPECT_NE(c.data_ptr(), x.data_ptr());
  Tensor d = x.to(kFloat64);
  EXPECT_NE(d.data_ptr(), x.data_ptr());
  EXPECT_EQ(d.dtype(), kFloat64);
}
