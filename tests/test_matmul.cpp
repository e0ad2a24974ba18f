// mm, mv, bmm, matmul, addmm, dot, t and transpose against a naive triple loop in double,
// with transposed, strided and broadcast operands.
#include "reference.h"

using namespace ember;
using namespace ember::testing;
using ref::Ref;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// C = A @ B for [.., m, k] x [.., k, n] with equal leading (batch) shapes; also the sum of
// |a_ik * b_kj| per element, which bounds the rounding error of any summation order.
std::pair<Ref, Ref> mm_ref(const Ref& a, const Ref& b) {
  size_t nd = a.shape.size();
  int64_t m = a.shape[nd - 2], k = a.shape[nd - 1], n = b.shape[nd - 1];
  int64_t batch = ref::count(Shape(a.shape.begin(), a.shape.end() - 2));
  Shape out(a.shape.begin(), a.shape.end() - 2);
  out.insert(out.end(), {m, n});
  Ref c{out, {}}, mag{out, {}};
  for (int64_t bi = 0; bi < batch; ++bi)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0, s_abs = 0;
        for (int64_t p = 0; p < k; ++p) {
          double x = a.v[static_cast<size_t>(bi * m * k + i * k + p)] * b.v[static_cast<size_t>(bi * k * n + p * n + j)];
          s += x;
          s_abs += std::fabs(x);
        }
        c.v.push_back(s);
        mag.v.push_back(s_abs);
      }
  return {c, mag};
}

double eps_of(ScalarType dt) {
  switch (dt) {
    case kFloat64: return 1e-13;
    case kFloat32: return 2e-6;
    case kFloat16: return 2e-3;
    case kBFloat16: return 1.6e-2;
    default: return 0;
  }
}

// |got - want| <= eps * sum|a_ik b_kj| (+ one rounding of the result), exact for integers.
::testing::AssertionResult mm_close(const Tensor& got, const std::pair<Ref, Ref>& want, ScalarType dt) {
  if (got.dtype() != dt) return ::testing::AssertionFailure() << "dtype " << dtype_name(got.dtype());
  if (got.sizes() != want.first.shape)
    return ::testing::AssertionFailure() << "shape " << shape_str(got.sizes()) << " vs " << shape_str(want.first.shape);
  Ref g = ref::read(got);
  double eps = eps_of(dt);
  for (size_t i = 0; i < g.v.size(); ++i) {
    double w = want.first.v[i], tol = eps * (want.second.v[i] + std::fabs(w)) + 1e-300;
    if (eps == 0) tol = 0;
    if (!(std::fabs(g.v[i] - w) <= tol))
      return ::testing::AssertionFailure() << "element " << i << ": got " << g.v[i] << ", expected " << w;
  }
  return ::testing::AssertionSuccess();
}

// A batch of `a` broadcast against `b`'s batch (reference for matmul's broadcasting).
Ref expand_batch(const Ref& r, const Shape& batch) {
  Shape mat(r.shape.end() - 2, r.shape.end());
  Shape target = batch;
  target.insert(target.end(), mat.begin(), mat.end());
  Ref out{target, {}};
  for (int64_t i = 0; i < ref::count(target); ++i) out.v.push_back(ref::at_broadcast(r, target, ref::unravel(i, target)));
  return out;
}

Tensor rnd(const Shape& s, ScalarType dt, uint32_t seed) {
  return is_floating(dt) ? ref::random_tensor(s, dt, -1, 1, seed) : ref::random_tensor(s, dt, -9, 9, seed);
}

const ScalarType kMmDtypes[] = {kFloat32, kFloat64, kInt64, kBFloat16, kFloat16, kInt32};

}  // namespace

TEST(Matmul, MmAllDtypesAndShapes) {
  const std::tuple<int64_t, int64_t, int64_t> shapes[] = {
      {3, 4, 5}, {1, 7, 1}, {1, 1, 1}, {5, 1, 3}, {1, 6, 4}, {4, 6, 1}, {17, 33, 9}, {2, 0, 3}, {0, 3, 2}, {3, 2, 0}};
  for (ScalarType dt : kMmDtypes)
    for (auto [m, k, n] : shapes) {
      SCOPED_TRACE(std::string(dtype_name(dt)) + " " + std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n));
      Tensor a = rnd({m, k}, dt, 1), b = rnd({k, n}, dt, 2);
      auto want = mm_ref(ref::read(a), ref::read(b));
      EXPECT_TRUE(mm_close(a.mm(b), want, dt));
      EXPECT_TRUE(mm_close(mm(a, b), want, dt));
      EXPECT_TRUE(mm_close(a.matmul(b), want, dt));
    }
}

TEST(Matmul, TransposedStridedAndBroadcastOperands) {
  for (ScalarType dt : {kFloat32, kFloat64, kInt64, kBFloat16}) {
    SCOPED_TRACE(dtype_name(dt));
    Tensor at = rnd({6, 4}, dt, 3), bt = rnd({5, 6}, dt, 4);        // stored transposed
    Tensor aw = rnd({4, 12}, dt, 5), bw = rnd({12, 10}, dt, 6);      // column steps
    Tensor row = rnd({6}, dt, 7), col = rnd({6}, dt, 8);
    const Tensor lhs[] = {at.t(), aw.slice(1, 0, 12, 2), row.expand({4, 6}), aw.slice(1, 0, 12, 2).t().t(),
                          rnd({4, 6, 2}, dt, 9).select(2, 1)};
    const Tensor rhs[] = {bt.t(), bw.slice(0, 0, 12, 2).slice(1, 0, 10, 2), col.unsqueeze(1).expand({6, 5}),
                          rnd({6, 5}, dt, 10), rnd({2, 6, 5}, dt, 11).select(0, 1).t().contiguous().t()};
    for (const Tensor& a : lhs)
      for (const Tensor& b : rhs) {
        SCOPED_TRACE(shape_str(a.strides()) + " @ " + shape_str(b.strides()));
        EXPECT_TRUE(mm_close(a.mm(b), mm_ref(ref::read(a), ref::read(b)), dt));
      }
  }
}

TEST(Matmul, LargerFloat32) {
  Tensor a = rnd({64, 300}, kFloat32, 12), b = rnd({300, 50}, kFloat32, 13);
  EXPECT_TRUE(mm_close(a.mm(b), mm_ref(ref::read(a), ref::read(b)), kFloat32));
  EXPECT_TRUE(mm_close(b.t().mm(a.t()), mm_ref(ref::read(b.t()), ref::read(a.t())), kFloat32));
  Tensor x = rnd({8, 64, 32}, kFloat32, 14), y = rnd({8, 32, 48}, kFloat32, 15);
  EXPECT_TRUE(mm_close(x.bmm(y), mm_ref(ref::read(x), ref::read(y)), kFloat32));
}

TEST(Matmul, Bmm) {
  for (ScalarType dt : kMmDtypes) {
    SCOPED_TRACE(dtype_name(dt));
    Tensor a = rnd({3, 4, 5}, dt, 16), b = rnd({3, 5, 2}, dt, 17);
    EXPECT_TRUE(mm_close(a.bmm(b), mm_ref(ref::read(a), ref::read(b)), dt));
    EXPECT_TRUE(mm_close(bmm(a, b), mm_ref(ref::read(a), ref::read(b)), dt));
    // Transposed batches and matrices, a batch of one, a broadcast batch.
    Tensor at = rnd({5, 3, 4}, dt, 18).permute({1, 2, 0});
    Tensor bt = rnd({3, 2, 5}, dt, 19).transpose(1, 2);
    EXPECT_TRUE(mm_close(at.bmm(bt), mm_ref(ref::read(at), ref::read(bt)), dt));
    Tensor one = rnd({1, 4, 5}, dt, 20);
    EXPECT_TRUE(mm_close(one.bmm(b.slice(0, 0, 1)), mm_ref(ref::read(one), ref::read(b.slice(0, 0, 1))), dt));
    Tensor shared = rnd({5, 2}, dt, 21).unsqueeze(0).expand({3, 5, 2});
    EXPECT_TRUE(mm_close(a.bmm(shared), mm_ref(ref::read(a), ref::read(shared)), dt));
    Tensor empty_batch = rnd({0, 4, 5}, dt, 22);
    EXPECT_EQ(empty_batch.bmm(rnd({0, 5, 2}, dt, 23)).sizes(), (Shape{0, 4, 2}));
  }
}

TEST(Matmul, MatmulDimensionCases) {
  auto check = [](const Tensor& a, const Tensor& b, const Shape& want_shape) {
    SCOPED_TRACE(shape_str(a.sizes()) + " @ " + shape_str(b.sizes()));
    // Reference: promote 1-D operands to matrices, broadcast batches, multiply, squeeze.
    Ref ra = ref::read(a), rb = ref::read(b);
    if (a.dim() == 1) ra.shape.insert(ra.shape.begin(), 1);
    if (b.dim() == 1) rb.shape.push_back(1);
    Shape ba(ra.shape.begin(), ra.shape.end() - 2), bb(rb.shape.begin(), rb.shape.end() - 2);
    Shape batch = ref::broadcast(ba, bb);
    auto want = mm_ref(expand_batch(ra, batch), expand_batch(rb, batch));
    want.first.shape = want.second.shape = want_shape;
    EXPECT_TRUE(mm_close(a.matmul(b), want, a.dtype()));
    EXPECT_TRUE(mm_close(matmul(a, b), want, a.dtype()));
  };
  for (ScalarType dt : {kFloat32, kFloat64, kInt64}) {
    SCOPED_TRACE(dtype_name(dt));
    check(rnd({4}, dt, 1), rnd({4}, dt, 2), {});
    check(rnd({3, 4}, dt, 1), rnd({4}, dt, 2), {3});
    check(rnd({4}, dt, 1), rnd({4, 5}, dt, 2), {5});
    check(rnd({3, 4}, dt, 1), rnd({4, 5}, dt, 2), {3, 5});
    check(rnd({2, 3, 4}, dt, 1), rnd({4, 5}, dt, 2), {2, 3, 5});
    check(rnd({2, 3, 4}, dt, 1), rnd({4}, dt, 2), {2, 3});
    check(rnd({3, 4}, dt, 1), rnd({2, 4, 5}, dt, 2), {2, 3, 5});
    check(rnd({4}, dt, 1), rnd({2, 4, 5}, dt, 2), {2, 5});
    check(rnd({2, 3, 4}, dt, 1), rnd({2, 4, 5}, dt, 2), {2, 3, 5});
    check(rnd({2, 1, 3, 4}, dt, 1), rnd({5, 4, 2}, dt, 2), {2, 5, 3, 2});
    check(rnd({1, 3, 4}, dt, 1), rnd({6, 4, 2}, dt, 2), {6, 3, 2});
    check(rnd({2, 2, 3, 4}, dt, 1), rnd({4, 5}, dt, 2), {2, 2, 3, 5});
    check(rnd({2, 3, 4}, dt, 1).transpose(0, 1), rnd({3, 4, 5}, dt, 2).permute({0, 1, 2}), {3, 2, 5});
    check(rnd({4, 3}, dt, 1).t(), rnd({2, 5, 4}, dt, 2).transpose(1, 2), {2, 3, 5});
  }
}

TEST(Matmul, MvAndDot) {
  for (ScalarType dt : {kFloat32, kFloat64, kInt64, kBFloat16}) {
    SCOPED_TRACE(dtype_name(dt));
    Tensor m = rnd({3, 5}, dt, 1), v = rnd({5}, dt, 2), w = rnd({5}, dt, 3);
    Ref vr = ref::read(v);
    vr.shape = {5, 1};
    auto want = mm_ref(ref::read(m), vr);
    want.first.shape = want.second.shape = {3};
    EXPECT_TRUE(mm_close(m.mv(v), want, dt));
    EXPECT_TRUE(mm_close(mv(m, v), want, dt));
    EXPECT_TRUE(mm_close(m.t().contiguous().t().mv(v), want, dt));
    Ref wr = ref::read(w);
    wr.shape = {5, 1};
    Ref vrow = ref::read(v);
    vrow.shape = {1, 5};
    auto d = mm_ref(vrow, wr);
    d.first.shape = d.second.shape = {};
    EXPECT_TRUE(mm_close(v.dot(w), d, dt));
    EXPECT_TRUE(mm_close(dot(v, w), d, dt));
    // Strided vectors.
    Tensor vs = rnd({10}, dt, 4).slice(0, 0, 10, 2);
    Ref vsr = ref::read(vs);
    double s = 0, sa = 0;
    for (int i = 0; i < 5; ++i) {
      s += vsr.v[i] * ref::read(w).v[i];
      sa += std::fabs(vsr.v[i] * ref::read(w).v[i]);
    }
    EXPECT_TRUE(mm_close(vs.dot(w), {Ref{{}, {s}}, Ref{{}, {sa}}}, dt));
  }
  EXPECT_EQ(zeros({0}).dot(zeros({0})).item<double>(), 0.0);
  EXPECT_EQ(zeros({3, 0}).mv(zeros({0})).sizes(), (Shape{3}));
  EXPECT_TRUE(ref::matches(ones({3, 0}).mm(ones({0, 2})), {3, 2}, {0, 0, 0, 0, 0, 0}, kFloat32));
}

TEST(Matmul, Addmm) {
  for (ScalarType dt : {kFloat32, kFloat64, kInt64, kBFloat16}) {
    SCOPED_TRACE(dtype_name(dt));
    Tensor a = rnd({3, 4}, dt, 1), b = rnd({4, 5}, dt, 2);
    auto ab = mm_ref(ref::read(a), ref::read(b));
    const std::pair<double, double> coefs[] = {{1, 1}, {0.5, 2}, {0, 1}, {2, 0}, {-1, -3}};
    for (Tensor input : {rnd({3, 5}, dt, 3), rnd({5}, dt, 4), rnd({3, 1}, dt, 5), rnd({1, 5}, dt, 6).t().t(),
                         rnd({5, 3}, dt, 7).t()}) {
      for (auto [beta, alpha] : coefs) {
        if (!is_floating(dt) && (beta != std::floor(beta) || alpha != std::floor(alpha))) continue;
        SCOPED_TRACE("input " + shape_str(input.sizes()) + " beta " + std::to_string(beta) + " alpha " + std::to_string(alpha));
        Ref in = ref::read(input);
        auto want = ab;
        for (size_t i = 0; i < want.first.v.size(); ++i) {
          double x = ref::at_broadcast(in, {3, 5}, ref::unravel(static_cast<int64_t>(i), {3, 5}));
          want.first.v[i] = beta * x + alpha * ab.first.v[i];
          want.second.v[i] = std::fabs(beta * x) + std::fabs(alpha) * ab.second.v[i];
        }
        Scalar sb = is_floating(dt) ? Scalar(beta) : Scalar(static_cast<int64_t>(beta));
        Scalar sa = is_floating(dt) ? Scalar(alpha) : Scalar(static_cast<int64_t>(alpha));
        EXPECT_TRUE(mm_close(input.addmm(a, b, sb, sa), want, dt));
        EXPECT_TRUE(mm_close(addmm(input, a, b, sb, sa), want, dt));
      }
    }
  }
  // beta = 0 ignores the input entirely, NaN included.
  Tensor nan = full({2, 2}, kNaN);
  Tensor a = ref::make({2, 2}, {1, 2, 3, 4}, kFloat32);
  EXPECT_TRUE(ref::matches(nan.addmm(a, a, 0, 1), {2, 2}, {7, 10, 15, 22}, kFloat32));
  EXPECT_TRUE(ref::matches(nan.to(kFloat64).addmm(a.to(kFloat64), a.to(kFloat64), 0, 2), {2, 2}, {14, 20, 30, 44}, kFloat64));
  // k = 0: the product is zero.
  EXPECT_TRUE(ref::matches(ones({2, 2}).addmm(ones({2, 0}), ones({0, 2}), 3, 1), {2, 2}, {3, 3, 3, 3}, kFloat32));
  EXPECT_TRUE(ref::matches(ones({2, 2}).addmm(ones({2, 0}), ones({0, 2}), 0, 1), {2, 2}, {0, 0, 0, 0}, kFloat32));
  EXPECT_EMBER_ERROR(ones({3}).addmm(ones({2, 2}), ones({2, 2})), "addmm");
  EXPECT_EMBER_ERROR(ones({2, 2}, dtype(kFloat64)).addmm(ones({2, 2}), ones({2, 2})), "same dtype");
}

TEST(Matmul, TransposeAndT) {
  Tensor x = rnd({2, 3, 4}, kFloat32, 1);
  Tensor y = x.transpose(0, 2);
  EXPECT_EQ(y.sizes(), (Shape{4, 3, 2}));
  EXPECT_EQ(y.data_ptr(), x.data_ptr());
  Ref xr = ref::read(x), yr = ref::read(y);
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t k = 0; k < 4; ++k) EXPECT_EQ(yr.v[k * 6 + j * 2 + i], xr.v[i * 12 + j * 4 + k]);
  EXPECT_EQ(transpose(x, -1, 0).sizes(), (Shape{4, 3, 2}));
  EXPECT_EQ(x.transpose(1, 1).strides(), x.strides());
  Tensor m = rnd({2, 5}, kFloat64, 2);
  EXPECT_EQ(m.t().sizes(), (Shape{5, 2}));
  EXPECT_EQ(m.t().strides(), (Shape{1, 5}));
  EXPECT_EQ(t(m).t().strides(), m.strides());
  EXPECT_EQ(ones({3}).t().sizes(), (Shape{3}));
  EXPECT_EQ(scalar_tensor(1.0).t().dim(), 0);
  EXPECT_EMBER_ERROR(x.t(), "<= 2 dimensions");
  EXPECT_EMBER_ERROR(x.transpose(0, 3), "out of range");
}

TEST(Matmul, Errors) {
  EXPECT_EMBER_ERROR(ones({2, 3}).mm(ones({2, 3})), "cannot be multiplied (2x3 and 2x3)");
  EXPECT_EMBER_ERROR(ones({2, 3}).mm(ones({3})), "2-D");
  EXPECT_EMBER_ERROR(ones({2, 3, 4}).mm(ones({4, 2})), "2-D");
  EXPECT_EMBER_ERROR(ones({2, 3}).mm(ones({3, 2}, dtype(kFloat64))), "same dtype");
  EXPECT_EMBER_ERROR(ones({2, 3}, dtype(kInt64)).mm(ones({3, 2})), "int64 != float32");
  EXPECT_EMBER_ERROR(ones({2, 3}, dtype(kBool)).mm(ones({3, 2}, dtype(kBool))), "bool");
  EXPECT_EMBER_ERROR(ones({2, 2, 3}).bmm(ones({3, 3, 2})), "batch");
  EXPECT_EMBER_ERROR(ones({2, 2, 3}).bmm(ones({2, 2, 2})), "cannot be multiplied");
  EXPECT_EMBER_ERROR(ones({2, 3}).bmm(ones({3, 2})), "3-D");
  EXPECT_EMBER_ERROR(ones({3}).dot(ones({4})), "inconsistent tensor size");
  EXPECT_EMBER_ERROR(ones({3, 1}).dot(ones({3})), "1D tensors expected");
  EXPECT_EMBER_ERROR(ones({3}).mv(ones({3})), "mv");
  EXPECT_EMBER_ERROR(ones({2, 3}).mv(ones({4})), "cannot be multiplied");
  EXPECT_EMBER_ERROR(scalar_tensor(1.0).matmul(ones({3})), "at least 1D");
  EXPECT_EMBER_ERROR(ones({2, 3, 4}).matmul(ones({2, 5, 2})), "cannot be multiplied");
  EXPECT_EMBER_ERROR(ones({2, 3, 4}).matmul(ones({3, 4, 2})), "not broadcastable");
  EXPECT_EMBER_ERROR(ones({3}).matmul(ones({4, 2})), "cannot be multiplied");
}
