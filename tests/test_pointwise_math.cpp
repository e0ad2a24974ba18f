// The math rows of the op table added with issue 11 (log1p ... cosh, rounding, isnan/isinf/
// isfinite, atan2, lerp) and the composites addcmul/addcdiv/nan_to_num: values against libm
// in double (edge values included), integer dtype rules, gradients, libtorch's errors. The
// table-driven tests (test_pointwise, test_gradcheck, test_codegen, test_compile_fuzz) cover
// every row on every dtype and path besides.
#include <cmath>
#include <limits>

#include "frontend/dispatch.h"
#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {

const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::vector<double> kEdges = {0.0, -0.0, 0.25, -0.25, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.7, -3.7,
                                    1e-10, -1e-10, 1e30, -1e30, kInf, -kInf, kNaN};

Tensor f64(const std::vector<double>& v) { return tensor(v, TensorOptions().dtype(kFloat64)); }

// Each element of x through f, in double.
Tensor ref_map(const Tensor& x, double (*f)(double)) {
  std::vector<double> v = values(x);
  for (double& d : v) d = f(d);
  return f64(v).reshape(x.sizes());
}

struct Case {
  const char* name;
  Tensor (*op)(const Tensor&);
  double (*ref)(double);
};

// Bits must equal where both are exact; libm ops within a few ulps of glibc in double.
const Case kCases[] = {
    {"log1p", [](const Tensor& x) { return x.log1p(); }, [](double v) { return std::log1p(v); }},
    {"expm1", [](const Tensor& x) { return x.expm1(); }, [](double v) { return std::expm1(v); }},
    {"log2", [](const Tensor& x) { return x.log2(); }, [](double v) { return std::log2(v); }},
    {"log10", [](const Tensor& x) { return x.log10(); }, [](double v) { return std::log10(v); }},
    {"exp2", [](const Tensor& x) { return x.exp2(); }, [](double v) { return std::exp2(v); }},
    {"tan", [](const Tensor& x) { return x.tan(); }, [](double v) { return std::tan(v); }},
    {"asin", [](const Tensor& x) { return x.asin(); }, [](double v) { return std::asin(v); }},
    {"acos", [](const Tensor& x) { return x.acos(); }, [](double v) { return std::acos(v); }},
    {"atan", [](const Tensor& x) { return x.atan(); }, [](double v) { return std::atan(v); }},
    {"sinh", [](const Tensor& x) { return x.sinh(); }, [](double v) { return std::sinh(v); }},
    {"cosh", [](const Tensor& x) { return x.cosh(); }, [](double v) { return std::cosh(v); }},
    {"floor", [](const Tensor& x) { return x.floor(); }, [](double v) { return std::floor(v); }},
    {"ceil", [](const Tensor& x) { return x.ceil(); }, [](double v) { return std::ceil(v); }},
    {"round", [](const Tensor& x) { return x.round(); }, [](double v) { return std::nearbyint(v); }},
    {"trunc", [](const Tensor& x) { return x.trunc(); }, [](double v) { return std::trunc(v); }},
    {"frac", [](const Tensor& x) { return x.frac(); }, [](double v) { return v - std::trunc(v); }},
    {"isnan", [](const Tensor& x) { return x.isnan(); }, [](double v) { return double(std::isnan(v)); }},
    {"isinf", [](const Tensor& x) { return x.isinf(); }, [](double v) { return double(std::isinf(v)); }},
    {"isfinite", [](const Tensor& x) { return x.isfinite(); }, [](double v) { return double(std::isfinite(v)); }},
};

}  // namespace

TEST(PointwiseMath, EdgeValuesMatchLibmInDouble) {
  Tensor x = f64(kEdges);
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_TRUE(close(c.op(x), ref_map(x, c.ref), 1e-14, 0));
  }
}

TEST(PointwiseMath, Float32VectorPathMatchesLibm) {
  // 1000 elements: the SLEEF vectors (AVX2) and their padded tail; 1 ulp of float.
  Tensor x = (rand({1000}) * 1.8 - 0.9).to(kFloat32);
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_TRUE(close(c.op(x), ref_map(x.to(kFloat64), c.ref), 3e-7, 1e-7));
  }
}

// GELU's backward (erf and exp per element) runs in SLEEF vectors on every CPU path: dense,
// strided (the general path's chunks) and compiled give the same bits, near the formula in
// double.
TEST(PointwiseMath, GeluBackwardVectorPathIsTheSameOnEveryPath) {
  Tensor x = (rand({1003}) * 8 - 4).to(kFloat32).requires_grad_(true);
  Tensor g = randn({1003});
  Tensor dense = autograd::grad({nn::functional::gelu(x)}, {x}, {g})[0];
  Tensor xt = (rand({1003, 2}) * 8 - 4).to(kFloat32);
  {
    NoGradGuard no_grad;
    xt.select(1, 0).copy_(x);
  }
  Tensor strided_x = xt.select(1, 0).detach().requires_grad_(true);  // stride 2: the general path
  Tensor strided = autograd::grad({nn::functional::gelu(strided_x)}, {strided_x}, {g})[0];
  EXPECT_TRUE(strided.equal(dense));
  auto f = compile([](const Tensor& a) { return nn::functional::gelu(a); });
  Tensor xc = x.detach().requires_grad_(true);
  f(xc).backward(g);  // the compiled backward program
  EXPECT_TRUE(xc.grad().equal(dense));
  Tensor xd = x.detach().to(kFloat64), gd = g.to(kFloat64);
  Tensor ref = gd * (0.5 * (1 + (xd * M_SQRT1_2).erf()) + xd * (0.5 * M_2_SQRTPI * M_SQRT1_2) * (-0.5 * xd * xd).exp());
  EXPECT_TRUE(close(dense.to(kFloat64), ref, 1e-6, 1e-6));
}

TEST(PointwiseMath, RoundIsHalfToEven) {
  Tensor r = f64({0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, 0.49999999999999994}).round();
  EXPECT_EQ(values(r), (std::vector<double>{0, 2, 2, -0.0, -2, -2, 4, 0}));
  EXPECT_TRUE(std::signbit(values(r)[3]));  // -0.5 rounds to -0, as libtorch
  EXPECT_EQ(values(tensor({2.5f, -3.5f}).round()), (std::vector<double>{2, -4}));
}

TEST(PointwiseMath, IntegerDtypeRules) {
  Tensor i = tensor({-3, 0, 7}, TensorOptions().dtype(kInt64));
  for (auto f : {&Tensor::floor, &Tensor::ceil, &Tensor::round, &Tensor::trunc}) {
    Tensor r = (i.*f)();
    EXPECT_EQ(r.dtype(), kInt64);  // the identity, as libtorch
    EXPECT_EQ(values(r), values(i));
  }
  EXPECT_EQ(values(i.frac()), (std::vector<double>{0, 0, 0}));
  Tensor l = tensor({0, 1, 3}, TensorOptions().dtype(kInt32)).log1p();
  EXPECT_EQ(l.dtype(), kFloat32);  // promoted to the default float
  EXPECT_TRUE(close(l, f64({0, std::log1p(1.0), std::log1p(3.0)}).to(kFloat32)));
  EXPECT_EQ(tensor({1, 2}, TensorOptions().dtype(kInt8)).exp2().dtype(), kFloat32);
  for (Tensor q : {i.isnan(), i.isinf(), i.isfinite()}) EXPECT_EQ(q.dtype(), kBool);
  EXPECT_EQ(values(i.isfinite()), (std::vector<double>{1, 1, 1}));
  EXPECT_EQ(values(i.isnan()), (std::vector<double>{0, 0, 0}));
  Tensor b = tensor({true, false});
  EXPECT_EQ(values(b.isinf()), (std::vector<double>{0, 0}));
  EXPECT_EMBER_ERROR(b.floor(), "bool");
  EXPECT_EQ(tensor({1.5f}).to(kFloat16).isinf().dtype(), kBool);
}

TEST(PointwiseMath, InPlaceAndFreeForms) {
  Tensor x = f64({0.3, -1.7});
  Tensor y = x.clone();
  y.floor_();
  EXPECT_EQ(values(y), (std::vector<double>{0, -2}));
  EXPECT_TRUE(close(ember::atan2(x, f64({1, -1})), f64({std::atan2(0.3, 1), std::atan2(-1.7, -1)}), 1e-15, 0));
  EXPECT_TRUE(close(ember::log10(x.abs()), x.abs().log10()));
  EXPECT_TRUE(close(ember::isnan(x), x.isnan()));
  EXPECT_TRUE(close(ember::square(x), x * x));
  Tensor z = x.clone();
  z.square_();
  EXPECT_TRUE(close(z, x * x));
}

TEST(PointwiseMath, Atan2Quadrants) {
  Tensor a = f64({0, -0.0, 1, -1, 1, kInf, kNaN}), b = f64({-0.0, -1, 0, 0, kInf, kInf, 1});
  std::vector<double> va = values(a), vb = values(b), expect;
  for (size_t k = 0; k < va.size(); ++k) expect.push_back(std::atan2(va[k], vb[k]));
  EXPECT_TRUE(close(a.atan2(b), f64(expect), 1e-15, 0));
  // Broadcasting and integer promotion.
  Tensor r = tensor({1, 2}, TensorOptions().dtype(kInt64)).atan2(tensor({3}, TensorOptions().dtype(kInt64)));
  EXPECT_EQ(r.dtype(), kFloat32);
  EXPECT_EQ(r.sizes(), Shape({2}));
}

TEST(PointwiseMath, LerpValuesAndForms) {
  Tensor a = f64({1, -2, 3, 0}), b = f64({5, 2, -3, 1e10});
  // Exact at weight 0 and 1 (libtorch's two-sided form).
  EXPECT_EQ(values(a.lerp(b, 0.0)), values(a));
  EXPECT_EQ(values(a.lerp(b, 1.0)), values(b));
  std::vector<double> va = values(a), vb = values(b);
  for (double w : {0.25, 0.75, -0.5, 1.5}) {
    std::vector<double> e;
    for (size_t k = 0; k < va.size(); ++k)
      e.push_back(std::fabs(w) < 0.5 ? va[k] + w * (vb[k] - va[k]) : vb[k] - (vb[k] - va[k]) * (1 - w));
    EXPECT_EQ(values(a.lerp(b, w)), e) << w;
  }
  Tensor w = f64({0, 0.5, 1, 0.25});
  EXPECT_TRUE(close(ember::lerp(a, b, w), a + w * (b - a), 1e-15, 0));
  Tensor c = a.clone();
  c.lerp_(b, 0.5);
  EXPECT_TRUE(close(c, (a + b) / 2));
  // Broadcast weight.
  EXPECT_EQ(a.reshape({4, 1}).lerp(b, f64({0.5, 0.1, 0.9, 0.3})).sizes(), Shape({4, 4}));
  EXPECT_EMBER_ERROR(a.lerp(b.to(kFloat32), 0.5), "expected dtype float64 for `end` but got dtype float32");
  EXPECT_EMBER_ERROR(a.lerp(b, w.to(kFloat32)), "for `weight`");
  Tensor i = tensor({1, 2}, TensorOptions().dtype(kInt64));
  EXPECT_EMBER_ERROR(i.lerp(i, 0.5), "not implemented for 'Long'");
}

TEST(PointwiseMath, AddcmulAddcdiv) {
  Tensor s = f64({1, 2, 3}), t1 = f64({4, 5, 6}), t2 = f64({2, -1, 0.5});
  EXPECT_TRUE(close(s.addcmul(t1, t2, 0.5), f64({1 + 0.5 * 4 * 2, 2 - 0.5 * 5, 3 + 0.5 * 6 * 0.5}), 0, 0));
  EXPECT_TRUE(close(ember::addcdiv(s, t1, t2, 2), f64({1 + 2 * 4 / 2.0, 2 - 2 * 5.0, 3 + 2 * 6 / 0.5}), 0, 0));
  Tensor u = s.clone();
  u.addcmul_(t1, t2);
  EXPECT_TRUE(close(u, s + t1 * t2, 0, 0));
  u = s.clone();
  u.addcdiv_(t1, t2, -1);
  EXPECT_TRUE(close(u, s - t1 / t2, 0, 0));
  // Broadcasting to the largest shape, integer arithmetic when everything is integral.
  Tensor i = tensor({1, 2}, TensorOptions().dtype(kInt64));
  Tensor r = i.addcmul(i.reshape({2, 1}), i, 3);
  EXPECT_EQ(r.dtype(), kInt64);
  EXPECT_EQ(values(r), (std::vector<double>{4, 8, 7, 14}));
  EXPECT_EMBER_ERROR(i.addcmul(i, i, 0.5), "argument value must not be a floating point number");
  EXPECT_EMBER_ERROR(i.addcdiv(i, i), "Integer division with addcdiv is no longer supported");
}

TEST(PointwiseMath, NanToNum) {
  Tensor x = f64({kNaN, kInf, -kInf, 1.5});
  EXPECT_EQ(values(x.nan_to_num()),
            (std::vector<double>{0, std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(), 1.5}));
  EXPECT_EQ(values(ember::nan_to_num(x, 1.0, 2.0, -3.0)), (std::vector<double>{1, 2, -3, 1.5}));
  Tensor f = x.to(kFloat32).nan_to_num();
  EXPECT_EQ(values(f)[1], static_cast<double>(std::numeric_limits<float>::max()));
  EXPECT_EQ(values(x.to(kFloat16).nan_to_num())[2], -65504.0);
  // nan replaced by inf stays inf (the masks are taken before any replacement).
  Tensor y = x.clone();
  y.nan_to_num_(kInf, 7.0);
  EXPECT_EQ(values(y)[0], kInf);
  EXPECT_EQ(values(y)[1], 7.0);
  Tensor i = tensor({1, 2}, TensorOptions().dtype(kInt32));
  EXPECT_EQ(i.nan_to_num().dtype(), kInt32);
}

TEST(PointwiseMath, Gradients) {
  using autograd::gradcheck;
  auto opts = TensorOptions().dtype(kFloat64).requires_grad(true);
  Tensor a = tensor({0.3, -0.7, 0.55}, opts), b = tensor({1.2, 0.4, -0.9}, opts), w = tensor({0.2, 0.8, -0.3}, opts);
  EXPECT_NO_THROW(gradcheck([](const std::vector<Tensor>& t) { return t[0].lerp(t[1], 0.3); }, {a, b}));
  EXPECT_NO_THROW(gradcheck([](const std::vector<Tensor>& t) { return t[0].lerp(t[1], t[2]); }, {a, b, w}));
  EXPECT_NO_THROW(gradcheck([](const std::vector<Tensor>& t) { return t[0].addcmul(t[1], t[2], 0.7); }, {a, b, w}));
  EXPECT_NO_THROW(gradcheck([](const std::vector<Tensor>& t) { return t[0].addcdiv(t[1], t[2], -2); }, {a, b, w}));
  EXPECT_NO_THROW(gradcheck([](const std::vector<Tensor>& t) { return t[0].atan2(t[1]); }, {a, b}));
  EXPECT_NO_THROW(gradcheck([](const std::vector<Tensor>& t) { return t[0].asin() + t[0].acos() * 2; }, {a}));
  // nan_to_num passes the gradient only where nothing was replaced.
  Tensor x = tensor({kNaN, 2.0, kInf, -1.0}, opts);
  x.nan_to_num().mul(3).sum().backward();
  EXPECT_EQ(values(x.grad()), (std::vector<double>{0, 3, 0, 3}));
  // Rounding ops have a zero gradient, even for an infinite incoming one.
  Tensor y = tensor({1.5, -2.5}, opts);
  (y.floor() + y.round() + y.frac()).sum().backward();
  EXPECT_EQ(values(y.grad()), (std::vector<double>{1, 1}));
  EXPECT_FALSE(y.isnan().requires_grad());
}

TEST(PointwiseMath, CompiledChainEqualsEager) {
  auto fn = [](const Tensor& x) {
    return (x.sinh().atan() + x.frac() * x.expm1()).log1p().lerp(x.tan(), 0.25) + x.isfinite().to(kFloat32);
  };
  auto f = compile(fn);
  Tensor x = rand({33, 65}) * 1.6 - 0.8;
  EXPECT_TRUE(bitwise_equal(f(x), fn(x)));
  EXPECT_TRUE(bitwise_equal(f(x), fn(x)));  // the cached variant too
}
