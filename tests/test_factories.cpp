// Factories: tensor() from nested lists, from_blob, empty/zeros/ones/full/arange/linspace/
// eye, random factories and seeding, *_like, TensorOptions, conversions, item and data_ptr.
#include <set>

#include "reference.h"

using namespace ember;
using namespace ember::testing;
using ref::Ref;

TEST(Factories, TensorFromNestedLists) {
  Tensor i = tensor({1, 2, 3});
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_TRUE(ref::matches(i, {3}, {1, 2, 3}, kInt64, 0, 0));
  Tensor f = tensor({{1.5, 2}, {3, 4}});
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_TRUE(ref::matches(f, {2, 2}, {1.5, 2, 3, 4}, kFloat32, 0, 0));
  Tensor b = tensor({true, false, true});
  EXPECT_TRUE(ref::matches(b, {3}, {1, 0, 1}, kBool, 0, 0));
  Tensor mixed = tensor({true, 2});  // bool and int: int64
  EXPECT_TRUE(ref::matches(mixed, {2}, {1, 2}, kInt64, 0, 0));
  Tensor s = tensor(3.5);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.item<double>(), 3.5);
  Tensor d = tensor({{{1}, {2}}, {{3}, {4}}}, dtype(kFloat64));
  EXPECT_TRUE(ref::matches(d, {2, 2, 1}, {1, 2, 3, 4}, kFloat64, 0, 0));
  EXPECT_TRUE(ref::matches(tensor({1.7, -1.7}, dtype(kInt32)), {2}, {1, -1}, kInt32, 0, 0));
  EXPECT_TRUE(ref::matches(tensor(std::vector<float>{0.25f, 0.5f}), {2}, {0.25, 0.5}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(tensor(std::vector<int64_t>{7, 8}), {2}, {7, 8}, kInt64, 0, 0));
  Tensor e = tensor(std::vector<double>{});
  EXPECT_EQ(e.sizes(), (Shape{0}));
  EXPECT_EQ(e.dtype(), kFloat32);
  // The default dtype applies to float data.
  set_default_dtype(kFloat64);
  Tensor g = tensor({0.1, 0.2});
  set_default_dtype(kFloat32);
  EXPECT_EQ(g.dtype(), kFloat64);
  EXPECT_EQ(g.data_ptr<double>()[0], 0.1);
  // Lists must be rectangular.
  EXPECT_EMBER_ERROR(tensor({{1, 2}, {3}}), "not rectangular");
  EXPECT_EMBER_ERROR(tensor({{1, 2}, 3}), "not rectangular");
  EXPECT_EMBER_ERROR(tensor({1, {2, 3}}), "not rectangular");
  EXPECT_TRUE(tensor({1, 2}, requires_grad(true).dtype(kFloat32)).requires_grad());
}

TEST(Factories, FromBlobSharesMemory) {
  float data[6] = {1, 2, 3, 4, 5, 6};
  Tensor t = from_blob(data, {2, 3});
  EXPECT_EQ(t.data_ptr(), static_cast<void*>(data));
  EXPECT_EQ(t.dtype(), kFloat32);
  EXPECT_TRUE(ref::matches(t, {2, 3}, {1, 2, 3, 4, 5, 6}, kFloat32, 0, 0));
  data[4] = 50;  // the caller's writes are visible
  EXPECT_EQ(t.index({1, 1}).item<float>(), 50.0f);
  t.mul_(2);  // and ours reach the caller
  EXPECT_EQ(data[0], 2.0f);
  EXPECT_EQ(data[5], 12.0f);
  // Strides: a column-major view of the same buffer.
  Tensor cm = from_blob(data, {3, 2}, {1, 3});
  EXPECT_TRUE(ref::matches(cm, {3, 2}, {2, 8, 4, 100, 6, 12}, kFloat32, 0, 0));
  int64_t ints[4] = {10, 20, 30, 40};
  Tensor it = from_blob(ints, {2}, {2}, dtype(kInt64));
  EXPECT_TRUE(ref::matches(it, {2}, {10, 30}, kInt64, 0, 0));
  EXPECT_EMBER_ERROR(from_blob(data, {2, 3}, {1}), "sizes");
  EXPECT_EMBER_ERROR(from_blob(data, {2}, {-1}), "invalid size/stride");
}

TEST(Factories, FromBlobDeleterRunsOnceWhenTheLastUserGoes) {
  int calls = 0;
  void* seen = nullptr;
  std::vector<double> buf{1, 2, 3, 4};
  {
    Tensor t = from_blob(buf.data(), {4}, [&](void* p) { ++calls; seen = p; }, dtype(kFloat64));
    Tensor view = t.slice(0, 1, 3);
    t = Tensor();
    EXPECT_EQ(calls, 0);  // a view still uses the memory
    EXPECT_TRUE(ref::matches(view, {2}, {2, 3}, kFloat64, 0, 0));
  }
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen, static_cast<void*>(buf.data()));
  EXPECT_EQ(buf[1], 2.0);  // no deleter frees caller memory by itself
}

TEST(Factories, EmptyZerosOnesFull) {
  Tensor e = empty({2, 3});
  EXPECT_EQ(e.sizes(), (Shape{2, 3}));
  EXPECT_EQ(e.dtype(), kFloat32);
  EXPECT_TRUE(e.is_contiguous());
  EXPECT_EQ(empty({0}).numel(), 0);
  EXPECT_TRUE(ref::matches(zeros({2, 2}), {2, 2}, {0, 0, 0, 0}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(ones({3}, dtype(kInt8)), {3}, {1, 1, 1}, kInt8, 0, 0));
  EXPECT_TRUE(ref::matches(ones({2}, dtype(kBool)), {2}, {1, 1}, kBool, 0, 0));
  EXPECT_TRUE(ref::matches(zeros({}), {}, {0}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(full({2}, 2.5), {2}, {2.5, 2.5}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(full({2, 1}, -3, dtype(kFloat64)), {2, 1}, {-3, -3}, kFloat64, 0, 0));
  EXPECT_TRUE(ref::matches(full({2}, 0.1, dtype(kFloat16)), {2}, {ref::round_half(0.1f), ref::round_half(0.1f)}, kFloat16, 0, 0));
  // Without a dtype, full's value decides it, as in libtorch.
  EXPECT_EQ(full({2}, 3).dtype(), kInt64);
  EXPECT_EQ(full({2}, true).dtype(), kBool);
  EXPECT_EQ(full({2}, 2.5).dtype(), kFloat32);
  EXPECT_EQ(zeros({2}).dtype(), kFloat32);
  EXPECT_EQ(ones({2}).dtype(), kFloat32);
  set_default_dtype(kFloat64);
  EXPECT_EQ(zeros({1}).dtype(), kFloat64);
  EXPECT_EQ(full({1}, 0.5).dtype(), kFloat64);
  set_default_dtype(kFloat32);
  EXPECT_EMBER_ERROR(zeros({2, -1}), "negative dimension");
  EXPECT_EMBER_ERROR(empty({-3}), "negative dimension");
  EXPECT_EMBER_ERROR(full({-1}, 1.0), "negative dimension");
}

TEST(Factories, Arange) {
  Tensor a = arange(5);
  EXPECT_TRUE(ref::matches(a, {5}, {0, 1, 2, 3, 4}, kInt64, 0, 0));
  EXPECT_TRUE(ref::matches(arange(2, 6), {4}, {2, 3, 4, 5}, kInt64, 0, 0));
  EXPECT_TRUE(ref::matches(arange(10, 0, -3), {4}, {10, 7, 4, 1}, kInt64, 0, 0));
  EXPECT_TRUE(ref::matches(arange(1, 2.5, 0.5), {3}, {1, 1.5, 2}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(arange(5.0), {5}, {0, 1, 2, 3, 4}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(arange(0, -1, -0.25, dtype(kFloat64)), {4}, {0, -0.25, -0.5, -0.75}, kFloat64, 0, 0));
  EXPECT_EQ(arange(0, 1, 0.1).numel(), 10);
  std::vector<double> want;
  for (int i = 0; i < 10; ++i) want.push_back(static_cast<float>(i * 0.1));
  EXPECT_TRUE(ref::matches(arange(0, 1, 0.1), {10}, want, kFloat32));
  EXPECT_TRUE(ref::matches(arange(0, 5, 2, dtype(kFloat32)), {3}, {0, 2, 4}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(arange(3, dtype(kInt8)), {3}, {0, 1, 2}, kInt8, 0, 0));
  EXPECT_EQ(arange(3, 3).numel(), 0);
  EXPECT_EQ(arange(0).dtype(), kInt64);
  // Large: the parallel fill.
  Tensor big = arange(100000, dtype(kFloat64));
  EXPECT_EQ(big.data_ptr<double>()[99999], 99999.0);
  EXPECT_EQ(big.data_ptr<double>()[54321], 54321.0);
  EXPECT_EMBER_ERROR(arange(0, 5, 0), "step must be nonzero");
  EXPECT_EMBER_ERROR(arange(0, -5, 1), "inconsistent with step sign");
  EXPECT_EMBER_ERROR(arange(5, 0), "inconsistent with step sign");
  EXPECT_EMBER_ERROR(arange(0, INFINITY, 1.0), "unsupported range");
}

TEST(Factories, Linspace) {
  EXPECT_TRUE(ref::matches(linspace(0, 1, 5), {5}, {0, 0.25, 0.5, 0.75, 1}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(linspace(-1, 1, 1), {1}, {-1}, kFloat32, 0, 0));
  EXPECT_EQ(linspace(0, 1, 0).numel(), 0);
  EXPECT_TRUE(ref::matches(linspace(2, -2, 3, dtype(kFloat64)), {3}, {2, 0, -2}, kFloat64, 0, 0));
  std::vector<double> want;
  for (int i = 0; i < 7; ++i) want.push_back(i / 6.0);
  Tensor l = linspace(0, 1, 7, dtype(kFloat64));
  EXPECT_TRUE(ref::matches(l, {7}, want, kFloat64, 1e-15, 1e-15));
  EXPECT_EQ(l.data_ptr<double>()[6], 1.0);  // the end is exact
  EXPECT_TRUE(ref::matches(linspace(0, 10, 5, dtype(kInt64)), {5}, {0, 2, 5, 7, 10}, kInt64, 0, 0));
  EXPECT_EMBER_ERROR(linspace(0, 1, -1), "non-negative");
}

TEST(Factories, Eye) {
  EXPECT_TRUE(ref::matches(eye(3), {3, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 1}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(eye(2, 4, dtype(kInt32)), {2, 4}, {1, 0, 0, 0, 0, 1, 0, 0}, kInt32, 0, 0));
  EXPECT_TRUE(ref::matches(eye(3, 1), {3, 1}, {1, 0, 0}, kFloat32, 0, 0));
  EXPECT_EQ(eye(0).sizes(), (Shape{0, 0}));
  EXPECT_TRUE(ref::matches(eye(2, dtype(kBool)), {2, 2}, {1, 0, 0, 1}, kBool, 0, 0));
  EXPECT_EMBER_ERROR(eye(-1), "non-negative");
}

TEST(Factories, RandRange) {
  manual_seed(1);
  for (ScalarType dt : {kFloat32, kFloat64, kFloat16, kBFloat16}) {
    SCOPED_TRACE(dtype_name(dt));
    Tensor r = rand({100000}, dtype(dt));
    EXPECT_EQ(r.dtype(), dt);
    Ref v = ref::read(r);
    double lo = *std::min_element(v.v.begin(), v.v.end()), hi = *std::max_element(v.v.begin(), v.v.end());
    EXPECT_GE(lo, 0.0);
    EXPECT_LT(hi, 1.0);
    EXPECT_LT(lo, 0.01);
    EXPECT_GT(hi, 0.99);
    double mean = 0;
    for (double x : v.v) mean += x;
    mean /= static_cast<double>(v.v.size());
    EXPECT_NEAR(mean, 0.5, 0.01);
  }
  Tensor u = empty({50000}, dtype(kFloat64));
  u.uniform_(-2, 3);
  Ref uv = ref::read(u);
  EXPECT_GE(*std::min_element(uv.v.begin(), uv.v.end()), -2.0);
  EXPECT_LT(*std::max_element(uv.v.begin(), uv.v.end()), 3.0);
  EXPECT_EMBER_ERROR(u.uniform_(1, 0), "from=1 > to=0");
  EXPECT_EMBER_ERROR(rand({2}, dtype(kInt32)), "floating point");
}

TEST(Factories, RandnMoments) {
  manual_seed(2);
  for (ScalarType dt : {kFloat32, kFloat64}) {
    Ref v = ref::read(randn({100000}, dtype(dt)));
    double m = 0, s = 0;
    for (double x : v.v) m += x;
    m /= static_cast<double>(v.v.size());
    for (double x : v.v) s += (x - m) * (x - m);
    s = std::sqrt(s / static_cast<double>(v.v.size() - 1));
    EXPECT_NEAR(m, 0.0, 0.02) << dtype_name(dt);
    EXPECT_NEAR(s, 1.0, 0.02) << dtype_name(dt);
    // Tails: about 0.27% beyond 3 sigma.
    int tails = 0;
    for (double x : v.v) tails += std::fabs(x) > 3;
    EXPECT_GT(tails, 150);
    EXPECT_LT(tails, 400);
  }
  Tensor n = empty({50000}, dtype(kFloat64));
  n.normal_(5, 0.5);
  Ref nv = ref::read(n);
  double m = 0;
  for (double x : nv.v) m += x;
  EXPECT_NEAR(m / 50000, 5.0, 0.02);
  EXPECT_EMBER_ERROR(n.normal_(0, -1), "normal expects std >= 0.0");
  EXPECT_EMBER_ERROR(randn({2}, dtype(kInt64)), "floating point");
}

TEST(Factories, Randint) {
  manual_seed(3);
  Tensor r = randint(3, 9, {20000});
  EXPECT_EQ(r.dtype(), kInt64);
  Ref v = ref::read(r);
  std::set<double> seen(v.v.begin(), v.v.end());
  EXPECT_EQ(seen, (std::set<double>{3, 4, 5, 6, 7, 8}));
  for (double x : std::set<double>{3, 8}) {
    int64_t c = std::count(v.v.begin(), v.v.end(), x);
    EXPECT_NEAR(static_cast<double>(c), 20000.0 / 6, 300);
  }
  Tensor s = randint(2, {1000}, dtype(kInt8));
  EXPECT_EQ(s.dtype(), kInt8);
  Ref sv = ref::read(s);
  EXPECT_EQ(std::set<double>(sv.v.begin(), sv.v.end()), (std::set<double>{0, 1}));
  Tensor f = randint(-5, 5, {1000}, dtype(kFloat32));
  Ref fv = ref::read(f);
  for (double x : fv.v) EXPECT_EQ(x, std::floor(x));
  EXPECT_GE(*std::min_element(fv.v.begin(), fv.v.end()), -5);
  EXPECT_LE(*std::max_element(fv.v.begin(), fv.v.end()), 4);
  EXPECT_EMBER_ERROR(randint(5, 5, {2}), "expected low < high");
  EXPECT_EMBER_ERROR(randint(0, {2}), "expected low < high");
}

TEST(Factories, ManualSeedReproducibility) {
  manual_seed(42);
  Tensor a = rand({1000});
  Tensor b = randn({3, 7}, dtype(kFloat64));
  Tensor c = randint(100, {50});
  manual_seed(42);
  EXPECT_TRUE(bitwise_equal(rand({1000}), a));
  EXPECT_TRUE(bitwise_equal(randn({3, 7}, dtype(kFloat64)), b));
  EXPECT_TRUE(bitwise_equal(randint(100, {50}), c));
  // Without reseeding, the stream moves on.
  EXPECT_FALSE(bitwise_equal(rand({1000}), a));
  manual_seed(43);
  EXPECT_FALSE(bitwise_equal(rand({1000}), a));
  // The *_like factories and in-place fills draw from the same stream.
  manual_seed(7);
  Tensor x = rand_like(a);
  manual_seed(7);
  Tensor y = empty({1000});
  y.uniform_();
  EXPECT_TRUE(bitwise_equal(x, y));
  // A non-contiguous target gets the same values in its logical order.
  manual_seed(9);
  Tensor want = rand({4, 3});
  manual_seed(9);
  Tensor t = empty({3, 4}).t();
  t.uniform_();
  EXPECT_TRUE(bitwise_equal(t.contiguous(), want));
}

TEST(Factories, LikeFactoriesAndNewFactories) {
  Tensor src = ones({2, 3}, dtype(kFloat64));
  EXPECT_EQ(empty_like(src).sizes(), (Shape{2, 3}));
  EXPECT_EQ(empty_like(src).dtype(), kFloat64);
  EXPECT_TRUE(ref::matches(zeros_like(src), {2, 3}, std::vector<double>(6, 0.0), kFloat64, 0, 0));
  EXPECT_TRUE(ref::matches(ones_like(src, dtype(kInt32)), {2, 3}, std::vector<double>(6, 1.0), kInt32, 0, 0));
  EXPECT_TRUE(ref::matches(full_like(src, 7), {2, 3}, std::vector<double>(6, 7.0), kFloat64, 0, 0));
  EXPECT_EQ(rand_like(src).dtype(), kFloat64);
  EXPECT_EQ(randn_like(src, dtype(kFloat16)).dtype(), kFloat16);
  EXPECT_EQ(zeros_like(src.t()).sizes(), (Shape{3, 2}));
  EXPECT_TRUE(zeros_like(src, requires_grad(true)).requires_grad());
  EXPECT_FALSE(zeros_like(ones({2}, requires_grad(true))).requires_grad());
  Tensor i = ones({2}, dtype(kInt16));
  EXPECT_EQ(i.new_empty({4}).dtype(), kInt16);
  EXPECT_TRUE(ref::matches(i.new_zeros({3}), {3}, {0, 0, 0}, kInt16, 0, 0));
  EXPECT_TRUE(ref::matches(i.new_ones({1, 2}), {1, 2}, {1, 1}, kInt16, 0, 0));
  EXPECT_TRUE(ref::matches(i.new_full({2}, 2.5, dtype(kFloat32)), {2}, {2.5, 2.5}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(i.new_full({2}, 2.5), {2}, {2, 2}, kInt16, 0, 0));
}

TEST(Factories, TensorOptions) {
  TensorOptions o;
  EXPECT_FALSE(o.has_dtype());
  EXPECT_FALSE(o.has_device());
  EXPECT_EQ(o.dtype(), kFloat32);
  EXPECT_EQ(o.device(), Device(kCPU));
  EXPECT_FALSE(o.requires_grad());
  TensorOptions p = o.dtype(kInt8).device(kCPU).requires_grad(true);
  EXPECT_TRUE(p.has_dtype());
  EXPECT_EQ(p.dtype(), kInt8);
  EXPECT_TRUE(p.requires_grad());
  EXPECT_FALSE(o.has_dtype());  // the builder copies
  EXPECT_EQ(TensorOptions(kFloat64).dtype(), kFloat64);
  EXPECT_EQ(TensorOptions(Device(kCUDA, 1)).device(), Device(kCUDA, 1));
  EXPECT_EQ(dtype(kBool).dtype(), kBool);
  EXPECT_EQ(device(Device(kCPU)).device().str(), "cpu");
  Tensor t = zeros({2}, dtype(kFloat16));
  EXPECT_EQ(t.options().dtype(), kFloat16);
  EXPECT_EQ(t.options().device(), Device(kCPU));
  Tensor r = ones({2}, TensorOptions().dtype(kFloat64).requires_grad(true));
  EXPECT_TRUE(r.requires_grad());
  EXPECT_TRUE(r.is_leaf());
  EXPECT_EMBER_ERROR(ones({2}, dtype(kInt64).requires_grad(true)), "floating point");
  EXPECT_EQ(Device("cuda:1"), Device(kCUDA, 1));
  EXPECT_EQ(Device("cpu").str(), "cpu");
  EXPECT_EQ(Device(kCUDA, 3).str(), "cuda:3");
  EXPECT_EQ(Device(kCPU, 5).index, 0);
  EXPECT_EMBER_ERROR(Device("tpu"), "invalid device");
  EXPECT_EMBER_ERROR(Device("cuda:x"), "invalid device");
  EXPECT_EMBER_ERROR(Device("cpu:1"), "only index 0");
}

TEST(Factories, ToDtypeAndDeviceOnCpu) {
  Tensor x = ref::make({3}, {1.5, -2.5, 3}, kFloat32);
  EXPECT_TRUE(x.to(Device(kCPU)).is_same(x));
  EXPECT_TRUE(x.cpu().is_same(x));
  EXPECT_FALSE(x.to(Device(kCPU), false, true).is_same(x));
  EXPECT_TRUE(ref::matches(x.to(kInt64), {3}, {1, -2, 3}, kInt64, 0, 0));
  EXPECT_TRUE(ref::matches(x.to(Device(kCPU), kFloat64), {3}, {1.5, -2.5, 3}, kFloat64, 0, 0));
  EXPECT_TRUE(ref::matches(x.to(TensorOptions().dtype(kFloat16)), {3}, {1.5, -2.5, 3}, kFloat16, 0, 0));
  EXPECT_TRUE(x.to(TensorOptions()).is_same(x));
  EXPECT_TRUE(ref::matches(x.type_as(ones({1}, dtype(kInt8))), {3}, {1, -2, 3}, kInt8, 0, 0));
  EXPECT_TRUE(x.is_cpu());
  EXPECT_FALSE(x.is_cuda());
  if (!cuda::is_available()) {
    EXPECT_EMBER_ERROR(x.to(Device(kCUDA)), "not available");
    EXPECT_EMBER_ERROR(x.cuda(), "cuda:0");
  }
}

TEST(Factories, ItemAndDataPtr) {
  EXPECT_EQ(tensor({2.5}).item<float>(), 2.5f);
  EXPECT_EQ(tensor({2.5}).item<double>(), 2.5);
  EXPECT_EQ(tensor({2.5}).item<int64_t>(), 2);
  EXPECT_EQ(scalar_tensor(7, dtype(kInt64)).item<int64_t>(), 7);
  EXPECT_EQ(scalar_tensor(-3, dtype(kInt8)).item<int>(), -3);
  EXPECT_EQ(scalar_tensor(200, dtype(kUInt8)).item<int>(), 200);
  EXPECT_EQ(scalar_tensor(true).item<bool>(), true);
  EXPECT_EQ(scalar_tensor(0.1, dtype(kFloat16)).item<double>(), ref::round_half(0.1f));
  EXPECT_EQ(scalar_tensor(0.1, dtype(kBFloat16)).item<float>(), static_cast<float>(ref::round_bf16(0.1f)));
  EXPECT_TRUE(scalar_tensor(2.5).item().is_floating());
  EXPECT_TRUE(scalar_tensor(2, dtype(kInt32)).item().is_integral());
  EXPECT_EQ(scalar_tensor(2.5).dtype(), kFloat32);
  EXPECT_EQ(scalar_tensor(2).dtype(), kInt64);
  // Large int64 values survive item<int64_t>().
  Tensor big = zeros({1}, dtype(kInt64));
  big.data_ptr<int64_t>()[0] = (int64_t{1} << 62) + 1;
  EXPECT_EQ(big.item<int64_t>(), (int64_t{1} << 62) + 1);
  EXPECT_EQ(ones({1, 1, 1}).item<float>(), 1.0f);
  EXPECT_EMBER_ERROR(ones({2}).item<float>(), "a Tensor with 2 elements cannot be converted to Scalar");
  EXPECT_EMBER_ERROR(ones({0}).item<float>(), "0 elements");
  Tensor f = ones({2});
  EXPECT_EQ(f.data_ptr<float>(), static_cast<float*>(f.data_ptr()));
  EXPECT_EMBER_ERROR(f.data_ptr<double>(), "expected dtype float64 but the tensor has dtype float32");
  EXPECT_EMBER_ERROR(f.data_ptr<int32_t>(), "int32");
  EXPECT_EQ(ones({2}, dtype(kFloat16)).data_ptr<Half>()[1].x, 0x3C00);
  EXPECT_EQ(f.slice(0, 1).data_ptr<float>(), f.data_ptr<float>() + 1);
}
