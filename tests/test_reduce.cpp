// Reductions against a reference loop in double: whole-tensor and over dims (negative,
// several, keepdim), dtype rules, NaN, ties, empty tensors, strided inputs and inputs large
// enough for the multi-threaded paths.
#include "kernels/backend.h"
#include "kernels/device/reduce.h"
#include "reference.h"

using namespace ember;
using namespace ember::testing;
using ref::Ref;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

enum class Fold { Sum, Mean, Prod, Max, Min, ArgMax, ArgMin };

// Reference reduction of `in` over `dims` (already wrapped; empty = all dims). Arg folds
// give the first index of the extremum within the reduced sub-space; NaN counts as the
// extremum of both kinds.
Ref reduce_ref(const Ref& in, std::vector<int64_t> dims, bool keepdim, Fold f) {
  int64_t nd = static_cast<int64_t>(in.shape.size());
  if (dims.empty())
    for (int64_t d = 0; d < nd; ++d) dims.push_back(d);
  auto reduced = [&](int64_t d) { return std::find(dims.begin(), dims.end(), d) != dims.end(); };
  Shape out_shape, kept_shape, red_shape;
  for (int64_t d = 0; d < nd; ++d) {
    if (!reduced(d)) {
      out_shape.push_back(in.shape[d]);
      kept_shape.push_back(in.shape[d]);
    } else {
      red_shape.push_back(in.shape[d]);
      if (keepdim) out_shape.push_back(1);
    }
  }
  int64_t n_out = ref::count(kept_shape);
  std::vector<double> acc(static_cast<size_t>(n_out), f == Fold::Prod ? 1.0 : 0.0);
  std::vector<int64_t> seen(static_cast<size_t>(n_out), 0), arg(static_cast<size_t>(n_out), -1);
  auto kst = ref::strides_of(kept_shape), rst = ref::strides_of(red_shape);
  for (int64_t i = 0; i < in.numel(); ++i) {
    auto idx = ref::unravel(i, in.shape);
    int64_t o = 0, r = 0, k = 0, j = 0;
    for (int64_t d = 0; d < nd; ++d) {
      if (reduced(d)) r += idx[d] * rst[j++];
      else o += idx[d] * kst[k++];
    }
    double v = in.v[static_cast<size_t>(i)];
    double& a = acc[static_cast<size_t>(o)];
    int64_t& n = seen[static_cast<size_t>(o)];
    switch (f) {
      case Fold::Sum:
      case Fold::Mean: a += v; break;
      case Fold::Prod: a *= v; break;
      default: {
        bool want_max = f == Fold::Max || f == Fold::ArgMax;
        bool better = n == 0 || (!std::isnan(a) && (std::isnan(v) || (want_max ? v > a : v < a)));
        if (better) {
          a = v;
          arg[static_cast<size_t>(o)] = r;
        }
      }
    }
    ++n;
  }
  Ref out{out_shape, {}};
  for (int64_t o = 0; o < n_out; ++o) {
    double a = acc[static_cast<size_t>(o)];
    if (f == Fold::Mean) a /= static_cast<double>(seen[static_cast<size_t>(o)]);
    if (f == Fold::ArgMax || f == Fold::ArgMin) a = static_cast<double>(arg[static_cast<size_t>(o)]);
    out.v.push_back(a);
  }
  return out;
}

std::vector<int64_t> wrap(const std::vector<int64_t>& dims, int64_t nd) {
  std::vector<int64_t> w;
  for (auto d : dims) w.push_back(d < 0 ? d + nd : d);
  return w;
}

Ref cast_all(Ref r, ScalarType dt) {
  for (auto& v : r.v) v = ref::cast_value(v, dt);
  return r;
}

const std::vector<std::vector<int64_t>> kDimSets = {{0}, {1}, {2}, {-1}, {-2}, {0, 2}, {-1, -3}, {2, 0, 1}, {1, 2}};

}  // namespace

TEST(Reduce, SumMeanProdOverDims) {
  for (ScalarType dt : {kFloat32, kFloat64, kFloat16, kBFloat16}) {
    Tensor x = ref::random_tensor({3, 4, 5}, dt, -2, 2, 1);
    Tensor p = ref::random_tensor({3, 4, 5}, dt, 0.5, 1.5, 2);
    Ref xr = ref::read(x), pr = ref::read(p);
    for (const auto& dims : kDimSets)
      for (bool keep : {false, true}) {
        SCOPED_TRACE(std::string(dtype_name(dt)) + " dims " + shape_str(dims) + (keep ? " keepdim" : ""));
        auto w = wrap(dims, 3);
        EXPECT_TRUE(ref::matches(x.sum(dims, keep), cast_all(reduce_ref(xr, w, keep, Fold::Sum), dt), dt));
        EXPECT_TRUE(ref::matches(sum(x, dims, keep), cast_all(reduce_ref(xr, w, keep, Fold::Sum), dt), dt));
        EXPECT_TRUE(ref::matches(x.mean(dims, keep), cast_all(reduce_ref(xr, w, keep, Fold::Mean), dt), dt));
        EXPECT_TRUE(ref::matches(mean(x, dims, keep), cast_all(reduce_ref(xr, w, keep, Fold::Mean), dt), dt));
        EXPECT_TRUE(ref::matches(x.amax(dims, keep), reduce_ref(xr, w, keep, Fold::Max), dt, 0, 0));
        EXPECT_TRUE(ref::matches(amin(x, dims, keep), reduce_ref(xr, w, keep, Fold::Min), dt, 0, 0));
        if (dims.size() == 1)
          EXPECT_TRUE(ref::matches(p.prod(dims[0], keep), cast_all(reduce_ref(pr, w, keep, Fold::Prod), dt), dt));
      }
    EXPECT_TRUE(ref::matches(x.sum(), cast_all(reduce_ref(xr, {}, false, Fold::Sum), dt), dt));
    EXPECT_TRUE(ref::matches(sum(x), cast_all(reduce_ref(xr, {}, false, Fold::Sum), dt), dt));
    EXPECT_TRUE(ref::matches(x.mean(), cast_all(reduce_ref(xr, {}, false, Fold::Mean), dt), dt));
    EXPECT_TRUE(ref::matches(p.prod(), cast_all(reduce_ref(pr, {}, false, Fold::Prod), dt), dt));
    EXPECT_TRUE(ref::matches(prod(p), cast_all(reduce_ref(pr, {}, false, Fold::Prod), dt), dt));
    EXPECT_TRUE(ref::matches(x.max(), reduce_ref(xr, {}, false, Fold::Max), dt, 0, 0));
    EXPECT_TRUE(ref::matches(min(x), reduce_ref(xr, {}, false, Fold::Min), dt, 0, 0));
    EXPECT_TRUE(ref::matches(x.amax(), reduce_ref(xr, {}, false, Fold::Max), dt, 0, 0));
    EXPECT_TRUE(ref::matches(x.sum({}, true), cast_all(reduce_ref(xr, {}, true, Fold::Sum), dt), dt));
  }
}

TEST(Reduce, IntegerAndBoolDtypeRules) {
  for (ScalarType dt : {kInt32, kInt64, kInt8, kUInt8, kInt16, kBool}) {
    SCOPED_TRACE(dtype_name(dt));
    Tensor x = ref::random_tensor({4, 6}, dt, -100, 100, 3);
    Ref xr = ref::read(x);
    // Sums and products of integers and bools accumulate in int64.
    EXPECT_TRUE(ref::matches(x.sum(), reduce_ref(xr, {}, false, Fold::Sum), kInt64, 0, 0));
    EXPECT_TRUE(ref::matches(x.sum({1}), reduce_ref(xr, {1}, false, Fold::Sum), kInt64, 0, 0));
    Tensor small = ref::random_tensor({3, 4}, dt, -3, 3, 4);
    EXPECT_TRUE(ref::matches(small.prod(0), reduce_ref(ref::read(small), {0}, false, Fold::Prod), kInt64, 0, 0));
    // max/min keep the dtype; arg reductions give int64.
    EXPECT_TRUE(ref::matches(x.amax({0}), reduce_ref(xr, {0}, false, Fold::Max), dt, 0, 0));
    EXPECT_TRUE(ref::matches(x.min(), reduce_ref(xr, {}, false, Fold::Min), dt, 0, 0));
    EXPECT_TRUE(ref::matches(x.argmax(1), reduce_ref(xr, {1}, false, Fold::ArgMax), kInt64, 0, 0));
    EXPECT_TRUE(ref::matches(x.argmin(), reduce_ref(xr, {}, false, Fold::ArgMin), kInt64, 0, 0));
    EXPECT_EMBER_ERROR(x.mean(), "could not infer output dtype");
  }
  // int64 sums are exact beyond 2^53.
  Tensor big = zeros({3}, dtype(kInt64));
  big.data_ptr<int64_t>()[0] = int64_t{1} << 60;
  big.data_ptr<int64_t>()[1] = 1;
  big.data_ptr<int64_t>()[2] = 2;
  EXPECT_EQ(big.sum().item<int64_t>(), (int64_t{1} << 60) + 3);
  // An explicit dtype.
  Tensor i = ref::make({2, 2}, {1, 2, 3, 4}, kInt32);
  EXPECT_TRUE(ref::matches(i.sum(kFloat64), {}, {10}, kFloat64));
  EXPECT_TRUE(ref::matches(i.sum({0}, false, kInt32), {2}, {4, 6}, kInt32, 0, 0));
  EXPECT_TRUE(ref::matches(i.mean(kFloat64), {}, {2.5}, kFloat64));
  EXPECT_TRUE(ref::matches(i.mean({1}, true, kFloat32), {2, 1}, {1.5, 3.5}, kFloat32));
  EXPECT_TRUE(ref::matches(i.prod(kFloat32), {}, {24}, kFloat32));
  Tensor f = ref::make({3}, {1.5, 2.5, 3.5}, kFloat32);
  EXPECT_TRUE(ref::matches(f.sum(kFloat64), {}, {7.5}, kFloat64));
  EXPECT_TRUE(ref::matches(f.sum(kInt64), {}, {7}, kInt64, 0, 0));
  EXPECT_EMBER_ERROR(f.mean(kInt64), "could not infer output dtype");
  // Bool sums count.
  EXPECT_EQ(ref::make({4}, {1, 0, 1, 1}, kBool).sum().item<int64_t>(), 3);
}

TEST(Reduce, MaxMinWithIndices) {
  Tensor x = ref::random_tensor({3, 4, 5}, kFloat32, -2, 2, 5);
  Ref xr = ref::read(x);
  for (int64_t d : {0, 1, 2, -1, -3})
    for (bool keep : {false, true}) {
      SCOPED_TRACE("dim " + std::to_string(d) + (keep ? " keepdim" : ""));
      auto w = wrap({d}, 3);
      auto [mx, imx] = x.max(d, keep);
      auto [mn, imn] = x.min(d, keep);
      EXPECT_TRUE(ref::matches(mx, reduce_ref(xr, w, keep, Fold::Max), kFloat32, 0, 0));
      EXPECT_TRUE(ref::matches(imx, reduce_ref(xr, w, keep, Fold::ArgMax), kInt64, 0, 0));
      EXPECT_TRUE(ref::matches(mn, reduce_ref(xr, w, keep, Fold::Min), kFloat32, 0, 0));
      EXPECT_TRUE(ref::matches(imn, reduce_ref(xr, w, keep, Fold::ArgMin), kInt64, 0, 0));
      EXPECT_TRUE(ref::matches(x.argmax(d, keep), reduce_ref(xr, w, keep, Fold::ArgMax), kInt64, 0, 0));
      EXPECT_TRUE(ref::matches(argmin(x, d, keep), reduce_ref(xr, w, keep, Fold::ArgMin), kInt64, 0, 0));
    }
  // Without a dim, argmax indexes the flattened tensor.
  EXPECT_TRUE(ref::matches(argmax(x), reduce_ref(xr, {}, false, Fold::ArgMax), kInt64, 0, 0));
  EXPECT_TRUE(ref::matches(x.argmin(), reduce_ref(xr, {}, false, Fold::ArgMin), kInt64, 0, 0));
  EXPECT_EQ(x.argmax(std::nullopt, true).sizes(), (Shape{1, 1, 1}));
}

TEST(Reduce, TiesGiveTheFirstIndex) {
  Tensor x = ref::make({2, 5}, {1, 3, 3, 0, 3, 2, 2, 2, 2, 2}, kFloat32);
  EXPECT_TRUE(ref::matches(x.argmax(1), {2}, {1, 0}, kInt64, 0, 0));
  EXPECT_TRUE(ref::matches(x.argmin(1), {2}, {3, 0}, kInt64, 0, 0));
  EXPECT_TRUE(ref::matches(std::get<1>(x.max(1)), {2}, {1, 0}, kInt64, 0, 0));
  EXPECT_TRUE(ref::matches(std::get<1>(x.min(0)), {5}, {0, 1, 1, 0, 1}, kInt64, 0, 0));
  EXPECT_EQ(x.argmax().item<int64_t>(), 1);
  EXPECT_EQ(x.argmin().item<int64_t>(), 3);
  Tensor b = ref::make({4}, {0, 1, 1, 0}, kBool);
  EXPECT_EQ(b.argmax().item<int64_t>(), 1);
  EXPECT_EQ(b.argmin().item<int64_t>(), 0);
}

TEST(Reduce, NaNPropagates) {
  Tensor x = ref::make({2, 4}, {1, kNaN, 3, kNaN, -1, -2, -3, -4}, kFloat32);
  EXPECT_TRUE(std::isnan(x.sum().item<double>()));
  EXPECT_TRUE(std::isnan(x.mean().item<double>()));
  EXPECT_TRUE(std::isnan(x.prod().item<double>()));
  EXPECT_TRUE(std::isnan(x.max().item<double>()));
  EXPECT_TRUE(std::isnan(x.min().item<double>()));
  EXPECT_EQ(x.argmax().item<int64_t>(), 1);
  EXPECT_EQ(x.argmin().item<int64_t>(), 1);
  EXPECT_TRUE(ref::matches(x.amax({1}), {2}, {kNaN, -1}, kFloat32));
  EXPECT_TRUE(ref::matches(x.amin({1}), {2}, {kNaN, -4}, kFloat32));
  EXPECT_TRUE(ref::matches(x.sum({1}), {2}, {kNaN, -10}, kFloat32));
  auto [v, i] = x.max(1);
  EXPECT_TRUE(ref::matches(v, {2}, {kNaN, -1}, kFloat32));
  EXPECT_TRUE(ref::matches(i, {2}, {1, 0}, kInt64, 0, 0));
  auto [mv, mi] = x.min(1);
  EXPECT_TRUE(ref::matches(mv, {2}, {kNaN, -4}, kFloat32));
  EXPECT_TRUE(ref::matches(mi, {2}, {1, 3}, kInt64, 0, 0));
  Tensor h = x.to(kFloat16);
  EXPECT_TRUE(ref::matches(h.amax({1}), {2}, {kNaN, -1}, kFloat16));
  EXPECT_TRUE(ref::matches(h.argmin(1), {2}, {1, 3}, kInt64, 0, 0));
  // A NaN that comes first, and a NaN that comes last.
  EXPECT_TRUE(std::isnan(ref::make({3}, {kNaN, 5, 6}, kFloat64).amax().item<double>()));
  EXPECT_TRUE(std::isnan(ref::make({3}, {5, 6, kNaN}, kFloat64).amin().item<double>()));
  EXPECT_EQ(ref::make({3}, {5, 6, kNaN}, kFloat64).argmax().item<int64_t>(), 2);
}

TEST(Reduce, SumsOfEveryRunLengthAreExact) {
  // Dense runs are summed with eight partial sums and a tail: every length up to a few
  // blocks, whole-tensor and along the last dim, and a strided (transposed) operand.
  for (int64_t n = 1; n <= 37; ++n) {
    Tensor x = arange(n, dtype(kFloat32));
    double want = static_cast<double>(n * (n - 1) / 2);
    EXPECT_EQ(x.sum().item<double>(), want) << n;
    Tensor m = x.unsqueeze(0).expand({3, n}).contiguous() * tensor({1.0f, 2.0f, 3.0f}).unsqueeze(1);
    EXPECT_TRUE(ref::matches(m.sum({1}), {3}, {want, 2 * want, 3 * want}, kFloat32)) << n;
    EXPECT_TRUE(ref::matches(m.t().sum({0}), {3}, {want, 2 * want, 3 * want}, kFloat32)) << n;
    EXPECT_DOUBLE_EQ(m.mean().item<double>(), 2 * want / static_cast<double>(n)) << n;
  }
}

TEST(Reduce, EmptyTensors) {
  Tensor e = zeros({0});
  EXPECT_EQ(e.sum().item<double>(), 0.0);
  EXPECT_EQ(e.prod().item<double>(), 1.0);
  EXPECT_TRUE(std::isnan(e.mean().item<double>()));
  EXPECT_EQ(zeros({0}, dtype(kInt32)).sum().item<int64_t>(), 0);
  EXPECT_EMBER_ERROR(e.max(), "zero-size");
  EXPECT_EMBER_ERROR(e.amin(), "zero-size");
  EXPECT_EMBER_ERROR(e.argmax(), "zero-size");
  Tensor m = zeros({0, 3});
  EXPECT_TRUE(ref::matches(m.sum({0}), {3}, {0, 0, 0}, kFloat32));
  EXPECT_TRUE(ref::matches(m.prod(0), {3}, {1, 1, 1}, kFloat32));
  EXPECT_TRUE(ref::matches(m.sum({0}, true), {1, 3}, {0, 0, 0}, kFloat32));
  EXPECT_EQ(m.sum({1}).sizes(), (Shape{0}));
  EXPECT_EQ(m.amax({1}).sizes(), (Shape{0}));
  EXPECT_EQ(std::get<0>(m.max(1)).sizes(), (Shape{0}));
  EXPECT_EMBER_ERROR(m.amax({0}), "zero-size");
  EXPECT_EMBER_ERROR(m.max(0), "zero-size");
  EXPECT_EMBER_ERROR(m.argmin(0), "zero-size");
}

TEST(Reduce, ZeroDimInputs) {
  Tensor s = scalar_tensor(5.0);
  EXPECT_EQ(s.sum().dim(), 0);
  EXPECT_EQ(s.sum({0}).item<double>(), 5.0);
  EXPECT_EQ(s.sum({-1}, true).dim(), 0);
  EXPECT_EQ(s.amax({0}).item<double>(), 5.0);
  auto [v, i] = s.max(0);
  EXPECT_EQ(v.item<double>(), 5.0);
  EXPECT_EQ(i.item<int64_t>(), 0);
  EXPECT_EQ(s.argmax().item<int64_t>(), 0);
  EXPECT_EMBER_ERROR(s.sum({1}), "out of range");
}

TEST(Reduce, BadDims) {
  Tensor x = ones({2, 3});
  EXPECT_EMBER_ERROR(x.sum({2}), "dimension out of range");
  EXPECT_EMBER_ERROR(x.sum({-3}), "[-2, 1]");
  EXPECT_EMBER_ERROR(x.sum({0, -2}), "appears multiple times");
  EXPECT_EMBER_ERROR(x.max(5), "out of range");
  EXPECT_EMBER_ERROR(x.argmax(2), "out of range");
  EXPECT_EMBER_ERROR(x.prod(-3), "out of range");
}

// One definition (kernels/device/reduce.h) and one named difference between paths: the
// width floating sums accumulate in.
TEST(Reduce, AccumulationTypesOfTheSharedDefinition) {
  namespace r = dev::red;
  static_assert(std::is_same_v<r::AccOf<r::Sum, float, r::AccWidth::Wide>, double>);
  static_assert(std::is_same_v<r::AccOf<r::Sum, Half, r::AccWidth::Narrow>, float>);
  static_assert(std::is_same_v<r::AccOf<r::Mean, double, r::AccWidth::Narrow>, double>);
  static_assert(std::is_same_v<r::AccOf<r::Prod, int, r::AccWidth::Narrow>, long long>);
  static_assert(std::is_same_v<r::AccOf<r::Amax, bool, r::AccWidth::Wide>, long long>);
  static_assert(std::is_same_v<r::AccOf<r::ArgMax, BFloat16, r::AccWidth::Wide>, r::Best<float>>);
  static_assert(std::is_same_v<r::AccOf<r::MinDim, bool, r::AccWidth::Wide>, r::Best<int>>);
  EXPECT_EQ(r::Amax::combine(r::Amax::identity<double>(), -0.0), -0.0);
  EXPECT_TRUE(std::signbit(r::Amax::combine(-0.0, 0.0)));  // a tie keeps the earlier value
  EXPECT_TRUE(std::isnan(r::Amin::combine(kNaN, -1.0)));
  EXPECT_EQ(r::Mean::finalize(7LL, 2), 3.5);
}

TEST(Reduce, UnknownOpsFailLoudly) {
  Tensor x = ones({4}), out = empty({}, kFloat32);
  ReduceArgs a;
  a.op = OpId::Add;
  a.in = static_cast<const char*>(x.data_ptr());
  a.in_dtype = kFloat32;
  a.out = static_cast<char*>(out.data_ptr());
  a.out_dtype = kFloat32;
  a.red_sizes = {4};
  a.red_in_strides = {1};
  a.out_numel = 1;
  a.red_numel = 4;
  EXPECT_EMBER_ERROR(backend_for(Device(kCPU)).reduce(a), "internal: Add is not a folding reduction");
}

TEST(Reduce, NonContiguousInputs) {
  Tensor base = ref::random_tensor({6, 8, 4}, kFloat64, -2, 2, 7);
  const Tensor views[] = {base.permute({2, 0, 1}), base.slice(1, 1, 8, 3), base.select(2, 1).t(),
                          base.select(0, 2).unsqueeze(0).expand({5, 8, 4}),
                          base.slice(0, 0, 6, 2).transpose(0, 2)};
  for (const Tensor& x : views) {
    SCOPED_TRACE(shape_str(x.sizes()) + " strides " + shape_str(x.strides()));
    Ref xr = ref::read(x);
    int64_t nd = x.dim();
    for (int64_t d = 0; d < nd; ++d) {
      EXPECT_TRUE(ref::matches(x.sum({d}), reduce_ref(xr, {d}, false, Fold::Sum), kFloat64));
      EXPECT_TRUE(ref::matches(x.amax({d}, true), reduce_ref(xr, {d}, true, Fold::Max), kFloat64));
      EXPECT_TRUE(ref::matches(x.argmin(d), reduce_ref(xr, {d}, false, Fold::ArgMin), kInt64, 0, 0));
      EXPECT_TRUE(ref::matches(std::get<1>(x.max(d)), reduce_ref(xr, {d}, false, Fold::ArgMax), kInt64, 0, 0));
    }
    EXPECT_TRUE(ref::matches(x.mean(), reduce_ref(xr, {}, false, Fold::Mean), kFloat64));
    EXPECT_TRUE(ref::matches(x.argmax(), reduce_ref(xr, {}, false, Fold::ArgMax), kInt64, 0, 0));
    EXPECT_TRUE(ref::matches(x.sum({0, nd - 1}), reduce_ref(xr, {0, nd - 1}, false, Fold::Sum), kFloat64));
  }
}

TEST(Reduce, LargeInputsUseTheThreadedPaths) {
  // One output from 300k inputs: per-thread partial results combined at the end.
  Tensor x = ref::random_tensor({300001}, kFloat32, -1, 1, 11);
  Ref xr = ref::read(x);
  EXPECT_TRUE(ref::matches(x.sum(), reduce_ref(xr, {}, false, Fold::Sum), kFloat32, 1e-6, 1e-5));
  EXPECT_TRUE(ref::matches(x.mean(), reduce_ref(xr, {}, false, Fold::Mean), kFloat32, 1e-6, 1e-9));
  EXPECT_TRUE(ref::matches(x.amax(), reduce_ref(xr, {}, false, Fold::Max), kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x.amin(), reduce_ref(xr, {}, false, Fold::Min), kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x.argmax(), reduce_ref(xr, {}, false, Fold::ArgMax), kInt64, 0, 0));
  Tensor p = ref::random_tensor({250000}, kFloat64, 0.99999, 1.00001, 12);
  EXPECT_TRUE(ref::matches(p.prod(), reduce_ref(ref::read(p), {}, false, Fold::Prod), kFloat64, 1e-10));
  // The whole range as a strided view.
  Tensor t = ref::random_tensor({700, 400}, kFloat32, -1, 1, 13).t();
  Ref tr = ref::read(t);
  EXPECT_TRUE(ref::matches(t.sum(), reduce_ref(tr, {}, false, Fold::Sum), kFloat32, 1e-6, 1e-5));
  EXPECT_TRUE(ref::matches(t.sum({1}), reduce_ref(tr, {1}, false, Fold::Sum), kFloat32, 1e-6, 1e-5));
  EXPECT_TRUE(ref::matches(t.amax({0}), reduce_ref(tr, {0}, false, Fold::Max), kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(std::get<1>(t.min(1)), reduce_ref(tr, {1}, false, Fold::ArgMin), kInt64, 0, 0));
  // A NaN deep inside a large tensor reaches the result from any thread's part.
  for (int64_t at : {int64_t{5}, int64_t{150000}, int64_t{299999}}) {
    Tensor y = x.clone();
    y.data_ptr<float>()[at] = NAN;
    EXPECT_TRUE(std::isnan(y.amax().item<double>())) << at;
    EXPECT_TRUE(std::isnan(y.amin().item<double>())) << at;
    EXPECT_TRUE(std::isnan(y.sum().item<double>())) << at;
    EXPECT_EQ(y.argmax().item<int64_t>(), at);
  }
  // Integers: exact.
  Tensor i = ref::random_tensor({400000}, kInt32, -1000, 1000, 14);
  Ref ir = ref::read(i);
  EXPECT_TRUE(ref::matches(i.sum(), reduce_ref(ir, {}, false, Fold::Sum), kInt64, 0, 0));
  EXPECT_TRUE(ref::matches(i.amax(), reduce_ref(ir, {}, false, Fold::Max), kInt32, 0, 0));
  EXPECT_TRUE(ref::matches(i.amin(), reduce_ref(ir, {}, false, Fold::Min), kInt32, 0, 0));
  Tensor h = ref::random_tensor({262144}, kFloat16, 0, 1, 15);
  EXPECT_TRUE(ref::matches(h.sum(), cast_all(reduce_ref(ref::read(h), {}, false, Fold::Sum), kFloat16), kFloat16));
}

TEST(Reduce, SoftmaxLogSoftmaxLogsumexp) {
  Tensor x = ref::random_tensor({3, 5}, kFloat64, -10, 10, 16);
  Ref xr = ref::read(x);
  for (int64_t d : {0, 1, -1}) {
    int64_t dd = d < 0 ? d + 2 : d;
    Ref mx = reduce_ref(xr, {dd}, true, Fold::Max);
    std::vector<double> sm(15), lsm(15);
    std::vector<double> lse(dd == 0 ? 5 : 3, 0.0);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 5; ++j) lse[dd == 0 ? j : i] += std::exp(xr.v[i * 5 + j]);
    for (auto& v : lse) v = std::log(v);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 5; ++j) {
        double l = lse[dd == 0 ? j : i];
        lsm[i * 5 + j] = xr.v[i * 5 + j] - l;
        sm[i * 5 + j] = std::exp(lsm[i * 5 + j]);
      }
    EXPECT_TRUE(ref::matches(softmax(x, d), {3, 5}, sm, kFloat64, 1e-12, 1e-14));
    EXPECT_TRUE(ref::matches(log_softmax(x, d), {3, 5}, lsm, kFloat64, 1e-12, 1e-12));
    EXPECT_TRUE(ref::matches(logsumexp(x, {d}), {dd == 0 ? 5 : 3}, lse, kFloat64, 1e-12));
  }
  // Large values do not overflow.
  Tensor big = ref::make({3}, {1000, 1000, 1000}, kFloat32);
  EXPECT_TRUE(ref::matches(softmax(big, 0), {3}, {1.0 / 3, 1.0 / 3, 1.0 / 3}, kFloat32));
  EXPECT_TRUE(ref::matches(logsumexp(big, {0}), {}, {1000 + std::log(3.0)}, kFloat32));
  EXPECT_EQ(logsumexp(x, {0, 1}, true).sizes(), (Shape{1, 1}));
}

TEST(Reduce, SumToSize) {
  Tensor x = ref::random_tensor({2, 3, 4}, kFloat64, -1, 1, 17);
  Ref xr = ref::read(x);
  EXPECT_TRUE(ref::matches(x.sum_to_size({3, 1}), [&] {
    Ref r = reduce_ref(xr, {0, 2}, false, Fold::Sum);
    r.shape = {3, 1};
    return r;
  }(), kFloat64));
  EXPECT_TRUE(ref::matches(x.sum_to_size({1, 3, 4}), reduce_ref(xr, {0}, true, Fold::Sum), kFloat64));
  EXPECT_TRUE(x.sum_to_size({2, 3, 4}).is_same(x));
  EXPECT_EMBER_ERROR(x.sum_to_size({2, 4}), "not expandable");
  EXPECT_EMBER_ERROR(x.sum_to_size({5, 2, 3, 4}), "not expandable");
}
