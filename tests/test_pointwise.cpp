// Pointwise ops against a reference loop in double: every op for every dtype where it is
// defined, scalars on either side, broadcasting, non-contiguous inputs, in-place forms,
// version counters and in-place aliasing.
#include <map>

#include "frontend/dispatch.h"
#include "op_table.h"
#include "reference.h"

using namespace ember;
using namespace ember::testing;
using ref::Ref;

namespace {

const ScalarType kDtypes[] = {kFloat32, kFloat64, kFloat16, kBFloat16, kInt32,
                              kInt64,   kInt8,    kUInt8,   kBool};

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

// Input range of a test tensor of operand k for `dt`: the op's domain (the op table) for
// floating dtypes; integer dtypes use their whole small range, or what the domain needs.
std::pair<double, double> range_for(const TableOp& op, int k, ScalarType dt) {
  auto [ilo, ihi] = integer_domain_range(op.domain, k);
  if (is_integral(dt, false) && ilo <= ihi) return {dt == kUInt8 ? std::max(0.0, ilo) : ilo, ihi};
  auto [lo, hi] = domain_range(op.domain, k, op.arity, -4, 4);
  if (dt == kUInt8) return {0, 255};
  if (dt == kInt8) return {-128, 127};
  if (is_integral(dt, false)) return {std::floor(lo * 10), std::ceil(hi * 10)};
  return {lo, hi};
}

Tensor run(const TableOp& op, const std::vector<Tensor>& in) { return call1(op.id, in); }

Ref reference(const TableOp& op, const std::vector<Ref>& in, ScalarType odt,
              const std::function<double(double)>& conv = [](double v) { return v; }) {
  auto f = functor_reference(op.id);
  return ref::map(in, odt, [&](const std::vector<double>& v) {
    std::vector<double> c(v.size());
    for (size_t i = 0; i < v.size(); ++i) c[i] = conv(v[i]);
    // Integer fmod/remainder by 0 is 0 in ember (kernels/device/pointwise.h), NaN in double.
    bool integer_by_zero = (op.id == OpId::Fmod || op.id == OpId::Remainder) && c[1] == 0 && !is_floating(odt);
    return integer_by_zero ? 0.0 : f(c);
  });
}

// Every unary op of the table; Cast takes its dtype from an attribute (tested with to()).
std::vector<TableOp> unary_ops() {
  std::vector<TableOp> out;
  for (const auto& op : table_ops_of_arity(1))
    if (op.rule != DtypeRule::Cast) out.push_back(op);
  return out;
}

// Compares op(x) with its functor in double for every dtype; bool is refused by NoBool ops.
void check_unary(const TableOp& op, const Shape& shape, uint32_t seed) {
  for (ScalarType dt : kDtypes) {
    SCOPED_TRACE(std::string(op.name) + " " + dtype_name(dt));
    auto [lo, hi] = range_for(op, 0, dt);
    Tensor x = ref::random_tensor(shape, dt, lo, hi, seed);
    if (op.rule == DtypeRule::NoBool && dt == kBool) {
      EXPECT_EMBER_ERROR(run(op, {x}), "bool");
      continue;
    }
    ScalarType odt = rule_out_dtype(op.rule, dt);
    EXPECT_TRUE(ref::matches(run(op, {x}), reference(op, {ref::read(x)}, odt), odt));
  }
}

}  // namespace

TEST(Pointwise, UnaryOpsAllDtypes) {
  for (const auto& op : unary_ops()) check_unary(op, {5, 7}, 11);
}

TEST(Pointwise, UnaryOpsLargeAndNonContiguous) {
  // Past the parallel grain (32768), and through the strided general loop.
  for (const auto& op : unary_ops()) {
    SCOPED_TRACE(op.name);
    auto [lo, hi] = range_for(op, 0, kFloat32);
    Tensor x = ref::random_tensor({300, 250}, kFloat32, lo, hi, 5);
    ScalarType odt = rule_out_dtype(op.rule, kFloat32);
    for (Tensor in : {x, x.t(), x.slice(1, 0, 250, 3), x.select(1, 4)}) {
      EXPECT_TRUE(ref::matches(run(op, {in}), reference(op, {ref::read(in)}, odt), odt))
          << shape_str(in.sizes()) << shape_str(in.strides());
    }
  }
}

TEST(Pointwise, TranscendentalsGiveOneResultPerElementOnEveryPath) {
  // exp/log/tanh/sin/cos/erf/sigmoid/gelu run as vectors where the CPU allows: a dense run,
  // a strided operand (converted in chunks), a run starting mid-vector and a fused kernel
  // must all give each element the same bits. Every unary float op is checked.
  for (const auto& op : unary_ops()) {
    if (op.rule != DtypeRule::Float) continue;
    SCOPED_TRACE(op.name);
    auto fn = [&](const Tensor& t) { return run(op, {t}); };
    auto [lo, hi] = range_for(op, 0, kFloat32);
    for (ScalarType dt : {kFloat32, kFloat64}) {
      Tensor x = ref::random_tensor({61, 37}, dt, lo, hi, 3);
      Tensor dense = fn(x);
      EXPECT_TRUE(bitwise_equal(fn(x.t().contiguous().t()), dense));
      EXPECT_TRUE(bitwise_equal(fn(x.flatten().narrow(0, 5, 1001)), dense.flatten().narrow(0, 5, 1001)));
      auto fused = compile([&](const Tensor& t) { return fn(t * 1.0) + 0.0; });
      EXPECT_TRUE(bitwise_equal(fused(x), fn(x * 1.0) + 0.0));
    }
    Tensor h = ref::random_tensor({61, 37}, kFloat16, lo, hi, 3);
    EXPECT_TRUE(bitwise_equal(fn(h), fn(h.to(kFloat32)).to(kFloat16)));
  }
}

namespace {

double gelu_ref(double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }
double maximum_ref(double a, double b) { return std::isnan(a) || std::isnan(b) ? kNaN : std::max(a, b); }
double minimum_ref(double a, double b) { return std::isnan(a) || std::isnan(b) ? kNaN : std::min(a, b); }

using Formula = std::function<double(const std::vector<double>&)>;
Formula f1(double (*f)(double)) { return [f](const std::vector<double>& v) { return f(v[0]); }; }
Formula f2(double (*f)(double, double)) { return [f](const std::vector<double>& v) { return f(v[0], v[1]); }; }

// Independent definitions (libm in double) of the functors. The table-driven tests compare
// every dtype, layout and code path with the op's functor; this checks the functors
// themselves. An op without a formula here is still tested against its functor everywhere.
const std::map<OpId, Formula>& formulas() {
  static const std::map<OpId, Formula> m = {
      {OpId::Abs, f1([](double x) { return std::fabs(x); })},
      {OpId::Neg, f1([](double x) { return -x; })},
      {OpId::Sign, f1([](double x) { return static_cast<double>((x > 0) - (x < 0)); })},
      {OpId::Relu, f1([](double x) { return x < 0 ? 0.0 : x; })},
      {OpId::Exp, f1([](double x) { return std::exp(x); })},
      {OpId::Log, f1([](double x) { return std::log(x); })},
      {OpId::Sqrt, f1([](double x) { return std::sqrt(x); })},
      {OpId::Rsqrt, f1([](double x) { return 1 / std::sqrt(x); })},
      {OpId::Reciprocal, f1([](double x) { return 1 / x; })},
      {OpId::Sigmoid, f1([](double x) { return 1 / (1 + std::exp(-x)); })},
      {OpId::Tanh, f1([](double x) { return std::tanh(x); })},
      {OpId::Sin, f1([](double x) { return std::sin(x); })},
      {OpId::Cos, f1([](double x) { return std::cos(x); })},
      {OpId::Erf, f1([](double x) { return std::erf(x); })},
      {OpId::Gelu, f1(gelu_ref)},
      {OpId::LogicalNot, f1([](double x) { return x == 0 ? 1.0 : 0.0; })},
      {OpId::Add, f2([](double a, double b) { return a + b; })},
      {OpId::Sub, f2([](double a, double b) { return a - b; })},
      {OpId::Mul, f2([](double a, double b) { return a * b; })},
      {OpId::Div, f2([](double a, double b) { return a / b; })},
      {OpId::Pow, f2([](double a, double b) { return std::pow(a, b); })},
      {OpId::Maximum, f2(maximum_ref)},
      {OpId::Minimum, f2(minimum_ref)},
      {OpId::ClampMin, f2([](double a, double b) { return a < b ? b : a; })},
      {OpId::ClampMax, f2([](double a, double b) { return a > b ? b : a; })},
      {OpId::Lt, f2([](double a, double b) { return double(a < b); })},
      {OpId::Le, f2([](double a, double b) { return double(a <= b); })},
      {OpId::Gt, f2([](double a, double b) { return double(a > b); })},
      {OpId::Ge, f2([](double a, double b) { return double(a >= b); })},
      {OpId::Eq, f2([](double a, double b) { return double(a == b); })},
      {OpId::Ne, f2([](double a, double b) { return double(a != b); })},
      {OpId::LogicalAnd, f2([](double a, double b) { return double(a != 0 && b != 0); })},
      {OpId::LogicalOr, f2([](double a, double b) { return double(a != 0 || b != 0); })},
      {OpId::LogicalXor, f2([](double a, double b) { return double((a != 0) != (b != 0)); })},
      {OpId::GeluBackward, f2([](double g, double x) {
         return g * (0.5 * (1 + std::erf(x / std::sqrt(2.0))) + x * std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI));
       })},
      {OpId::Clamp, [](const std::vector<double>& v) { return std::isnan(v[0]) ? kNaN : std::min(std::max(v[0], v[1]), v[2]); }},
      {OpId::Softplus, [](const std::vector<double>& v) {
         return v[0] * v[1] > v[2] ? v[0] : std::log(1 + std::exp(v[1] * v[0])) / v[1];
       }},
  };
  return m;
}

// Inputs whose values collide often (so comparisons see ties), rounded to each dtype.
Tensor binary_input(ScalarType dt, const Shape& shape, std::pair<double, double> range, uint32_t seed, bool coarse) {
  auto [l, h] = range;
  if (coarse && is_floating(dt)) {
    auto v = ref::random_values(ref::count(shape), kInt64, l * 4, h * 4, seed);
    for (auto& x : v) x /= 4;
    return ref::make(shape, v, dt);
  }
  return ref::random_tensor(shape, dt, l, h, seed);
}

}  // namespace

TEST(Pointwise, FunctorsMatchIndependentFormulas) {
  for (const auto& op : pointwise_table()) {
    auto it = formulas().find(op.id);
    if (it == formulas().end()) continue;
    SCOPED_TRACE(op.name);
    std::vector<Tensor> in;
    for (int k = 0; k < op.arity; ++k)
      in.push_back(binary_input(kFloat64, {40}, range_for(op, k, kFloat64), 31 + k,
                                op.rule == DtypeRule::Compare));
    ScalarType odt = rule_out_dtype(op.rule, kFloat64);
    std::vector<Ref> r;
    for (const auto& t : in) r.push_back(ref::read(t));
    EXPECT_TRUE(ref::matches(run(op, in), ref::map(r, odt, it->second), odt));
  }
}

// The generated wrappers (ember/pointwise_ops.h's API column) call their op: the method,
// the free function and the in-place form give the op's result.
TEST(Pointwise, GeneratedWrappersCallTheirOp) {
  Tensor x = ref::random_tensor({3, 4}, kFloat32, 0.2, 3, 7), y = ref::random_tensor({4}, kFloat32, -3, 3, 8);
#define EMBER_CHECK_Unary(N, name)                                       \
  {                                                                      \
    SCOPED_TRACE(#name);                                                 \
    Tensor want = call1(OpId::N, {x});                                   \
    EXPECT_TRUE(bitwise_equal(x.name(), want));                          \
    EXPECT_TRUE(bitwise_equal(ember::name(x), want));                    \
    Tensor z = x.clone();                                                \
    EXPECT_TRUE(z.name##_().is_same(z));                                 \
    EXPECT_TRUE(bitwise_equal(z, want.to(kFloat32)));                    \
  }
#define EMBER_CHECK_Binary(N, name)                                      \
  {                                                                      \
    SCOPED_TRACE(#name);                                                 \
    Tensor want = call1(OpId::N, {x, y});                                \
    EXPECT_TRUE(bitwise_equal(x.name(y), want));                         \
    EXPECT_TRUE(bitwise_equal(ember::name(x, y), want));                 \
  }
#define EMBER_CHECK_Free(N, name) EXPECT_TRUE(bitwise_equal(ember::name(x), call1(OpId::N, {x}))) << #name;
#define EMBER_CHECK_Query(N, name)                                       \
  {                                                                      \
    SCOPED_TRACE(#name);                                                 \
    Tensor want = call1(OpId::N, {x});                                   \
    EXPECT_TRUE(bitwise_equal(x.name(), want));                          \
    EXPECT_TRUE(bitwise_equal(ember::name(x), want));                    \
  }
#define EMBER_CHECK_None(N, name)
#define EMBER_CHECK_API(N, ARITY, RULE, NUM, DOMAIN, API, name) EMBER_CHECK_##API(N, name)
  EMBER_POINTWISE_OPS(EMBER_CHECK_API)
#undef EMBER_CHECK_API
}

TEST(Pointwise, UnarySpecialValues) {
  Tensor x = ref::make({7}, {0.0, -0.0, kInf, -kInf, kNaN, -1.0, 1e-30}, kFloat32);
  EXPECT_TRUE(ref::matches(x.exp(), {7}, {1, 1, kInf, 0, kNaN, std::exp(-1.0), 1}, kFloat32));
  EXPECT_TRUE(ref::matches(x.log(), {7}, {-kInf, -kInf, kInf, kNaN, kNaN, kNaN, std::log(1e-30)}, kFloat32));
  EXPECT_TRUE(ref::matches(x.sqrt(), {7}, {0, 0, kInf, kNaN, kNaN, kNaN, 1e-15}, kFloat32));
  EXPECT_TRUE(ref::matches(x.reciprocal(), {7}, {kInf, -kInf, 0, 0, kNaN, -1, 1e30}, kFloat32));
  EXPECT_TRUE(ref::matches(x.sigmoid(), {7}, {0.5, 0.5, 1, 0, kNaN, 1 / (1 + std::exp(1.0)), 0.5}, kFloat32));
  EXPECT_TRUE(ref::matches(x.tanh(), {7}, {0, 0, 1, -1, kNaN, std::tanh(-1.0), 1e-30}, kFloat32));
  EXPECT_TRUE(ref::matches(x.abs(), {7}, {0, 0, kInf, kInf, kNaN, 1, 1e-30}, kFloat32));
  EXPECT_TRUE(ref::matches(x.relu(), {7}, {0, 0, kInf, 0, kNaN, 0, 1e-30}, kFloat32));
  EXPECT_TRUE(ref::matches(x.sign().slice(0, 0, 4), {4}, {0, 0, 1, -1}, kFloat32));
  EXPECT_TRUE(ref::matches(x.erf(), {7}, {0, 0, 1, -1, kNaN, std::erf(-1.0), std::erf(1e-30)}, kFloat32));
  EXPECT_TRUE(ref::matches(gelu(x).slice(0, 0, 3), {3}, {0, 0, kInf}, kFloat32));
  // Integer division by zero in a float op.
  Tensor i = ref::make({3}, {1, -1, 0}, kInt32);
  EXPECT_TRUE(ref::matches(i.reciprocal(), {3}, {1, -1, kInf}, kFloat32));
  EXPECT_TRUE(ref::matches(i.rsqrt(), {3}, {1, kNaN, kInf}, kFloat32));
}

TEST(Pointwise, SoftplusDefaultsAndOptions) {
  Tensor x = ref::make({5}, {-30, -1, 0, 2, 25}, kFloat64);
  auto sp = [](double v, double beta, double t) { return v * beta > t ? v : std::log1p(std::exp(beta * v)) / beta; };
  std::vector<double> d, o;
  for (double v : {-30.0, -1.0, 0.0, 2.0, 25.0}) d.push_back(sp(v, 1, 20)), o.push_back(sp(v, 0.5, 3));
  EXPECT_TRUE(ref::matches(softplus(x), {5}, d, kFloat64));
  EXPECT_TRUE(ref::matches(nn::functional::softplus(x), {5}, d, kFloat64));
  EXPECT_TRUE(ref::matches(softplus(x, 0.5, 3), {5}, o, kFloat64));
  auto opts = nn::functional::SoftplusFuncOptions().beta(0.5).threshold(3);
  EXPECT_TRUE(ref::matches(nn::functional::softplus(x, opts), {5}, o, kFloat64));
  nn::Softplus m(nn::SoftplusOptions().beta(0.5).threshold(3));
  EXPECT_TRUE(ref::matches(m->forward(x), {5}, o, kFloat64));
  EXPECT_EQ(softplus(ref::make({2}, {1, 2}, kInt32)).dtype(), kFloat32);
}

TEST(Pointwise, IntegerAbsAndNegWrapLikeTwosComplement) {
  Tensor x = ref::make({4}, {-128, 127, -1, 0}, kInt8);
  EXPECT_TRUE(ref::matches(x.abs(), {4}, {-128, 127, 1, 0}, kInt8));
  EXPECT_TRUE(ref::matches(x.neg(), {4}, {-128, -127, 1, 0}, kInt8));
  Tensor u = ref::make({3}, {0, 1, 200}, kUInt8);
  EXPECT_TRUE(ref::matches(u.neg(), {3}, {0, 255, 56}, kUInt8));
}

// ----- binary ops

namespace {

// Every binary op of the table.
std::vector<TableOp> binary_ops() { return table_ops_of_arity(2); }

void check_binary(const TableOp& op, ScalarType da, ScalarType db, const Shape& sa, const Shape& sb) {
  SCOPED_TRACE(std::string(op.name) + " " + dtype_name(da) + " " + shape_str(sa) + ", " +
               dtype_name(db) + " " + shape_str(sb));
  bool coarse = op.rule == DtypeRule::Compare;
  Tensor a = binary_input(da, sa, range_for(op, 0, da), 21, coarse);
  Tensor b = binary_input(db, sb, range_for(op, 1, db), 22, coarse);
  ScalarType common = promote_types(da, db);
  if (op.rule == DtypeRule::NoBool && common == kBool) {
    EXPECT_EMBER_ERROR(run(op, {a, b}), "bool");
    return;
  }
  ScalarType odt = rule_out_dtype(op.rule, common);
  // Operands are converted to the common dtype first (float16 + float32 computes in float32).
  bool converts = op.rule != DtypeRule::Float && op.rule != DtypeRule::Logical;
  auto conv = [&](double v) { return converts ? ref::cast_value(v, common) : v; };
  EXPECT_TRUE(ref::matches(run(op, {a, b}), reference(op, {ref::read(a), ref::read(b)}, odt, conv), odt));
}

}  // namespace

TEST(Pointwise, BinaryOpsSameDtype) {
  for (const auto& op : binary_ops())
    for (ScalarType dt : kDtypes) check_binary(op, dt, dt, {4, 6}, {4, 6});
}

TEST(Pointwise, BinaryOpsMixedDtypes) {
  const std::pair<ScalarType, ScalarType> pairs[] = {
      {kInt32, kFloat16}, {kUInt8, kInt8},  {kBool, kFloat32},   {kInt64, kFloat64},
      {kBFloat16, kFloat16}, {kFloat32, kFloat64}, {kInt8, kInt64}, {kBool, kInt32},
      {kFloat16, kFloat32}, {kUInt8, kBFloat16}};
  for (const auto& op : binary_ops())
    for (auto [a, b] : pairs) {
      check_binary(op, a, b, {3, 5}, {3, 5});
      check_binary(op, b, a, {3, 5}, {3, 5});
    }
}

TEST(Pointwise, BinaryOpsBroadcast) {
  const std::pair<Shape, Shape> shapes[] = {
      {{3, 1, 4}, {2, 1}}, {{}, {2, 3}}, {{2, 3}, {}}, {{1}, {2, 3}}, {{5, 1}, {1, 6}},
      {{2, 1, 3, 1}, {4, 1, 5}}, {{0, 3}, {3}}, {{2, 3}, {2, 1}}};
  for (const auto& op : binary_ops())
    for (const auto& [sa, sb] : shapes) {
      check_binary(op, kFloat32, kFloat32, sa, sb);
      check_binary(op, kInt64, kFloat32, sa, sb);
    }
}

TEST(Pointwise, BinaryOpsLargeAndNonContiguous) {
  // 300 x 200 = 60000 elements: past the parallel grain of 32768.
  Tensor base = ref::random_tensor({200, 300}, kFloat32, -3, 3, 1);
  Tensor other = ref::random_tensor({300, 200}, kFloat32, -3, 3, 2);
  Tensor row = ref::random_tensor({300}, kFloat64, -3, 3, 3);
  Tensor wide = ref::random_tensor({300, 400}, kFloat32, -3, 3, 4);
  const Tensor lhs[] = {base.t(), other, wide.slice(1, 0, 400, 2), row.expand({200, 300}).t()};
  const Tensor rhs[] = {other, base.t(), row.unsqueeze(1), wide.slice(1, 1, 400, 2)};
  for (const auto& op : binary_ops()) {
    bool boolean = op.rule == DtypeRule::Compare || op.rule == DtypeRule::Logical;
    for (size_t k = 0; k < 4; ++k) {
      const Tensor& a = lhs[k];
      // A NonZero op's last operand is drawn positive, as its domain says (celu's alpha: a
      // negative one overflows float inside expm1 where the double reference does not).
      const Tensor& b0 = rhs[(k + (boolean ? 1 : 0)) % 4];
      const Tensor b = op.domain == Domain::NonZero ? b0.abs() + 0.1 : b0;
      SCOPED_TRACE(std::string(op.name) + " " + shape_str(a.strides()) + " " + shape_str(b0.strides()));
      ScalarType common = promote_types(a.dtype(), b.dtype());
      ScalarType odt = rule_out_dtype(op.rule, common);
      EXPECT_TRUE(ref::matches(run(op, {a, b}), reference(op, {ref::read(a), ref::read(b)}, odt), odt));
    }
  }
}

// The spellings that are not ops of their own: operators, alpha, square.
TEST(Pointwise, OperatorsAndAliasesAllDtypes) {
  using F2 = std::function<Tensor(const Tensor&, const Tensor&)>;
  const std::pair<const char*, std::pair<F2, OpId>> same[] = {
      {"a + b", {[](const Tensor& a, const Tensor& b) { return a + b; }, OpId::Add}},
      {"a - b", {[](const Tensor& a, const Tensor& b) { return a - b; }, OpId::Sub}},
      {"a * b", {[](const Tensor& a, const Tensor& b) { return a * b; }, OpId::Mul}},
      {"a / b", {[](const Tensor& a, const Tensor& b) { return a / b; }, OpId::Div}},
      {"a < b", {[](const Tensor& a, const Tensor& b) { return a < b; }, OpId::Lt}},
      {"a <= b", {[](const Tensor& a, const Tensor& b) { return a <= b; }, OpId::Le}},
      {"a > b", {[](const Tensor& a, const Tensor& b) { return a > b; }, OpId::Gt}},
      {"a >= b", {[](const Tensor& a, const Tensor& b) { return a >= b; }, OpId::Ge}},
      {"a == b", {[](const Tensor& a, const Tensor& b) { return a == b; }, OpId::Eq}},
      {"a != b", {[](const Tensor& a, const Tensor& b) { return a != b; }, OpId::Ne}},
      {"a && b", {[](const Tensor& a, const Tensor& b) { return a && b; }, OpId::LogicalAnd}},
      {"a || b", {[](const Tensor& a, const Tensor& b) { return a || b; }, OpId::LogicalOr}},
      {"clamp_min", {[](const Tensor& a, const Tensor& b) { return a.clamp_min(b); }, OpId::ClampMin}},
      {"clamp_max", {[](const Tensor& a, const Tensor& b) { return a.clamp_max(b); }, OpId::ClampMax}},
      {"pow", {[](const Tensor& a, const Tensor& b) { return pow(a, b); }, OpId::Pow}},
  };
  for (ScalarType dt : kDtypes) {
    Tensor a = binary_input(dt, {4, 6}, {-2, 2}, 21, true), b = binary_input(dt, {4, 6}, {-2, 2}, 22, true);
    Tensor e = binary_input(dt, {4, 6}, {0, 3}, 23, true);
    for (const auto& [name, form] : same) {
      SCOPED_TRACE(std::string(name) + " " + dtype_name(dt));
      const Tensor& rhs = form.second == OpId::Pow ? e : b;
      Tensor want;
      try {
        want = call1(form.second, {a, rhs});
      } catch (const Error&) {
        EXPECT_THROW(form.first(a, rhs), Error);
        continue;
      }
      EXPECT_TRUE(bitwise_equal(form.first(a, rhs), want));
    }
    SCOPED_TRACE(dtype_name(dt));
    EXPECT_TRUE(bitwise_equal(!a, call1(OpId::LogicalNot, {a})));
    if (dt == kBool) {
      EXPECT_EMBER_ERROR(-a, "bool");
      continue;  // pow of bool: see PowOfBool
    }
    EXPECT_TRUE(bitwise_equal(-a, call1(OpId::Neg, {a})));
    EXPECT_TRUE(ref::matches(a.square(), ref::map({ref::read(a)}, dt, [](const std::vector<double>& v) { return v[0] * v[0]; }), dt));
    // alpha: a + 3 * b and a - 2 * b in the common dtype.
    EXPECT_TRUE(ref::matches(add(a, b, 3), ref::map({ref::read(a), ref::read(b)}, dt, [](const std::vector<double>& v) { return v[0] + 3 * v[1]; }), dt));
    EXPECT_TRUE(ref::matches(sub(a, b, 2), ref::map({ref::read(a), ref::read(b)}, dt, [](const std::vector<double>& v) { return v[0] - 2 * v[1]; }), dt));
  }
}

// ----- ternary ops

namespace {

// Operand k of a ternary op: its dtype and shape follow the dtype rule (Where: a bool
// condition first; First, masked_fill: a bool mask and a 0-dim value).
Tensor ternary_input(const TableOp& op, int k, ScalarType dt, const Shape& shape, uint32_t seed) {
  if ((op.rule == DtypeRule::Where && k == 0) || (op.rule == DtypeRule::First && k == 1))
    return ref::random_tensor(shape, kBool, 0, 1, seed);
  Shape s = op.rule == DtypeRule::First && k == 2 ? Shape{} : shape;
  auto [lo, hi] = domain_range(op.domain, k, 3, -4, 4);
  auto [ilo, ihi] = integer_domain_range(op.domain, k);
  if (dt == kUInt8) lo = std::max(lo, 0.0);
  if (is_integral(dt, false)) {
    if (ilo <= ihi) lo = ilo, hi = ihi;
    else lo = std::floor(lo * 10), hi = std::ceil(hi * 10);
  }
  return ref::random_tensor(s, dt, lo, hi, seed);
}

}  // namespace

TEST(Pointwise, TernaryOpsAllDtypesAndBroadcast) {
  const Shape shapes[][3] = {{{2, 3}, {2, 3}, {2, 3}}, {{2, 3}, {3}, {2, 1}}, {{4, 1}, {1, 5}, {}}};
  for (const auto& op : table_ops_of_arity(3))
    for (ScalarType dt : kDtypes)
      for (const auto& sh : shapes) {
        SCOPED_TRACE(std::string(op.name) + " " + dtype_name(dt) + " " + shape_str(sh[0]) + shape_str(sh[1]));
        std::vector<Tensor> in;
        // masked_fill's output has its input's shape: the mask may not broadcast it.
        for (int k = 0; k < 3; ++k)
          in.push_back(ternary_input(op, k, dt, op.rule == DtypeRule::First && k == 1 ? sh[0] : sh[k], 40 + k));
        ScalarType common = op.rule == DtypeRule::First ? dt : promote_types(in[1].dtype(), dt);
        if (op.rule == DtypeRule::NoBool && common == kBool) {
          EXPECT_EMBER_ERROR(run(op, in), "bool");
          continue;
        }
        ScalarType odt = rule_out_dtype(op.rule, common);
        bool converts = op.rule != DtypeRule::Float && op.rule != DtypeRule::Logical;
        auto conv = [&](double v) { return converts ? ref::cast_value(v, common) : v; };
        std::vector<Ref> r;
        for (const auto& t : in) r.push_back(ref::read(t));
        EXPECT_TRUE(ref::matches(run(op, in), reference(op, r, odt, conv), odt));
      }
}

TEST(Pointwise, NotBroadcastable) {
  EXPECT_EMBER_ERROR(ones({2, 3}) + ones({3, 2}), "not broadcastable");
  EXPECT_EMBER_ERROR(ones({4}) * ones({3}), "[4] and [3]");
  EXPECT_EMBER_ERROR(where(ones({2}, dtype(kBool)), ones({3}), ones({2})), "not broadcastable");
  EXPECT_EMBER_ERROR(ones({2, 0}) < ones({2, 2}), "not broadcastable");
}

TEST(Pointwise, DivisionOfIntegersIsTrueDivision) {
  Tensor a = ref::make({5}, {7, -7, 1, -1, 0}, kInt64), b = ref::make({5}, {2, 2, 0, 0, 0}, kInt64);
  EXPECT_TRUE(ref::matches(a / b, {5}, {3.5, -3.5, kInf, -kInf, kNaN}, kFloat32));
  EXPECT_TRUE(ref::matches(a / 4, {5}, {1.75, -1.75, 0.25, -0.25, 0}, kFloat32));
  EXPECT_TRUE(ref::matches(7 / b.slice(0, 0, 2), {2}, {3.5, 3.5}, kFloat32));
  Tensor u = ref::make({2}, {255, 3}, kUInt8);
  EXPECT_TRUE(ref::matches(u / u, {2}, {1, 1}, kFloat32));
}

TEST(Pointwise, AddAndSubWithAlpha) {
  Tensor a = ref::make({3}, {1, 2, 3}, kFloat32), b = ref::make({3}, {10, 20, 30}, kFloat32);
  EXPECT_TRUE(ref::matches(a.add(b, 0.5), {3}, {6, 12, 18}, kFloat32));
  EXPECT_TRUE(ref::matches(a.sub(b, -2), {3}, {21, 42, 63}, kFloat32));
  EXPECT_TRUE(ref::matches(a.add(2, 3), {3}, {7, 8, 9}, kFloat32));
  EXPECT_TRUE(ref::matches(a.sub(1.5, 2), {3}, {-2, -1, 0}, kFloat32));
  Tensor i = ref::make({3}, {3, 4, 5}, kInt32);
  EXPECT_TRUE(ref::matches(i.add(ref::make({3}, {2, 2, 2}, kInt32), 3), {3}, {9, 10, 11}, kInt32));
  EXPECT_TRUE(ref::matches(i.add(1, -1), {3}, {2, 3, 4}, kInt32));
  // A float number with an integer alpha makes an integer tensor's result float32, as the
  // float number alone does.
  EXPECT_TRUE(ref::matches(i.add(2.5, 2), {3}, {8, 9, 10}, kFloat32));
  EXPECT_TRUE(ref::matches(i.sub(0.5, 2), {3}, {2, 3, 4}, kFloat32));
  Tensor u = ref::make({2}, {1, 2}, kUInt8);
  EXPECT_TRUE(ref::matches(u.add(2.5, 2), {2}, {6, 7}, kFloat32));
  EXPECT_EMBER_ERROR(i.add(i, 0.5), "alpha must not be a floating point");
  EXPECT_EMBER_ERROR(i.sub_(i, 1.5), "alpha");
  // alpha does not change the result dtype: bool + 3 * bool is bool, int32 - 2 * bool is int32.
  Tensor t = ref::make({2}, {1, 0}, kBool);
  EXPECT_TRUE(ref::matches(t.add(t, 3), {2}, {1, 0}, kBool));
  EXPECT_TRUE(ref::matches(i.slice(0, 0, 2).sub(t, 2), {2}, {1, 4}, kInt32, 0, 0));
  EXPECT_TRUE(ref::matches(i.add(scalar_tensor(2.5, dtype(kFloat64)), 2), {3}, {8, 9, 10}, kFloat64));
  EXPECT_EMBER_ERROR(t.sub(t, 2), "bool");
}

TEST(Pointwise, PowTensorAndScalarExponents) {
  Tensor x = ref::make({5}, {0.5, 1, 2, 3, 4}, kFloat32);
  EXPECT_TRUE(ref::matches(x.pow(2), {5}, {0.25, 1, 4, 9, 16}, kFloat32));
  EXPECT_TRUE(ref::matches(x.pow(0.5), {5}, {std::sqrt(0.5), 1, std::sqrt(2.0), std::sqrt(3.0), 2}, kFloat32));
  EXPECT_TRUE(ref::matches(x.pow(-1), {5}, {2, 1, 0.5, 1.0 / 3, 0.25}, kFloat32));
  EXPECT_TRUE(ref::matches(x.pow(0), {5}, {1, 1, 1, 1, 1}, kFloat32));
  EXPECT_TRUE(ref::matches(pow(2, x), {5}, {std::sqrt(2.0), 2, 4, 8, 16}, kFloat32));
  EXPECT_TRUE(ref::matches(pow(x, x), {5}, {std::sqrt(0.5), 1, 4, 27, 256}, kFloat32));
  Tensor neg = ref::make({3}, {-8, -2, 0}, kFloat64);
  EXPECT_TRUE(ref::matches(neg.pow(1.0 / 3), {3}, {kNaN, kNaN, 0}, kFloat64));
  EXPECT_TRUE(ref::matches(neg.pow(3), {3}, {-512, -8, 0}, kFloat64));
  EXPECT_TRUE(ref::matches(neg.pow(-1), {3}, {-0.125, -0.5, kInf}, kFloat64));
  // Integer powers stay integers, computed exactly (and wrapping in the storage type).
  Tensor i = ref::make({5}, {-3, -1, 0, 2, 7}, kInt64);
  EXPECT_TRUE(ref::matches(i.pow(3), {5}, {-27, -1, 0, 8, 343}, kInt64, 0, 0));
  EXPECT_TRUE(ref::matches(i.pow(0), {5}, {1, 1, 1, 1, 1}, kInt64, 0, 0));
  Tensor big = ref::make({1}, {3}, kInt64);
  EXPECT_EQ(big.pow(39).item<int64_t>(), int64_t{4052555153018976267});
  Tensor i8 = ref::make({2}, {5, -2}, kInt8);
  EXPECT_TRUE(ref::matches(i8.pow(5), {2}, {53, -32}, kInt8, 0, 0));  // 3125 wraps to 53
  // Integer tensor exponents, including negative ones: 1 -> 1, -1 -> +-1, else 0.
  Tensor base = ref::make({6}, {2, 1, -1, -1, 0, 3}, kInt64), e = ref::make({6}, {-1, -3, -3, -2, 0, 4}, kInt64);
  EXPECT_TRUE(ref::matches(base.pow(e), {6}, {0, 1, -1, 1, 1, 81}, kInt64, 0, 0));
  EXPECT_EMBER_ERROR(i.pow(-2), "negative integer powers");
  // A float exponent makes an integer tensor's result float.
  Tensor i32 = ref::make({2}, {2, 4}, kInt32);
  EXPECT_TRUE(ref::matches(i32.pow(2.5), {2}, {std::pow(2, 2.5), 32}, kFloat32));
  EXPECT_TRUE(ref::matches(pow(2, i32), {2}, {4, 16}, kInt32, 0, 0));
  // float16 and bfloat16 compute in float.
  Tensor h = ref::make({3}, {1.5, 2, 3}, kFloat16);
  EXPECT_TRUE(ref::matches(h.pow(3), {3}, {3.375, 8, 27}, kFloat16, 0, 0));
  EXPECT_TRUE(ref::matches(h.to(kBFloat16).pow(2), {3}, {2.25, 4, 9}, kBFloat16, 0, 0));
}

TEST(Pointwise, PowOfBoolIsRefused) {
  Tensor b = ref::make({2}, {1, 0}, kBool);
  EXPECT_EMBER_ERROR(b.pow(b), "bool");
}

TEST(Pointwise, Clamp) {
  Tensor x = ref::make({6}, {-3, -0.5, 0, 0.5, 3, kNaN}, kFloat32);
  EXPECT_TRUE(ref::matches(x.clamp(-1, 1), {6}, {-1, -0.5, 0, 0.5, 1, kNaN}, kFloat32));
  EXPECT_TRUE(ref::matches(clamp(x, -1), {6}, {-1, -0.5, 0, 0.5, 3, kNaN}, kFloat32));
  EXPECT_TRUE(ref::matches(x.clamp(std::nullopt, 0.25), {6}, {-3, -0.5, 0, 0.25, 0.25, kNaN}, kFloat32));
  EXPECT_TRUE(ref::matches(clamp_min(x, 0), {6}, {0, 0, 0, 0.5, 3, kNaN}, kFloat32));
  EXPECT_TRUE(ref::matches(clamp_max(x, 0), {6}, {-3, -0.5, 0, 0, 0, kNaN}, kFloat32));
  // min > max: every element becomes max (NaN stays NaN).
  EXPECT_TRUE(ref::matches(x.clamp(2, 1), {6}, {1, 1, 1, 1, 1, kNaN}, kFloat32));
  EXPECT_EMBER_ERROR(x.clamp(std::optional<Scalar>(), std::optional<Scalar>()), "at least one of");
  // Tensor bounds broadcast.
  Tensor lo = ref::make({2, 1}, {-1, 0}, kFloat32), hi = ref::make({6}, {1, 1, 1, 0.25, 2, 2}, kFloat32);
  Ref want = ref::map({ref::read(x), ref::read(lo), ref::read(hi)}, kFloat32, [](const std::vector<double>& v) {
    if (std::isnan(v[0])) return kNaN;
    return std::min(std::max(v[0], v[1]), v[2]);
  });
  EXPECT_TRUE(ref::matches(x.clamp(std::optional<Tensor>(lo), std::optional<Tensor>(hi)), want, kFloat32));
  EXPECT_TRUE(ref::matches(x.clamp(std::optional<Tensor>(lo), std::nullopt),
                           ref::map({ref::read(x), ref::read(lo)}, kFloat32,
                                    [](const std::vector<double>& v) { return v[0] < v[1] ? v[1] : v[0]; }),
                           kFloat32));
  // Integer tensors: integer bounds keep the dtype, float bounds promote.
  Tensor i = ref::make({4}, {-5, 0, 5, 10}, kInt32);
  EXPECT_TRUE(ref::matches(i.clamp(0, 6), {4}, {0, 0, 5, 6}, kInt32, 0, 0));
  EXPECT_TRUE(ref::matches(i.clamp(0.5, 6.5), {4}, {0.5, 0.5, 5, 6.5}, kFloat32));
  Tensor u = ref::make({3}, {0, 100, 255}, kUInt8);
  EXPECT_TRUE(ref::matches(u.clamp(10, 200), {3}, {10, 100, 200}, kUInt8, 0, 0));
  for (ScalarType dt : {kFloat16, kBFloat16, kFloat64, kInt8, kInt64}) {
    Tensor y = ref::random_tensor({3, 4}, dt, -3, 3, 9);
    Ref w = ref::map({ref::read(y)}, dt, [](const std::vector<double>& v) { return std::min(std::max(v[0], -1.0), 2.0); });
    EXPECT_TRUE(ref::matches(y.clamp(-1, 2), w, dt)) << dtype_name(dt);
  }
  // A bool tensor with integer bounds computes in int64, as in libtorch.
  EXPECT_TRUE(ref::matches(ref::make({2}, {1, 0}, kBool).clamp(0, 1), {2}, {1, 0}, kInt64, 0, 0));
}

TEST(Pointwise, MaximumMinimumPropagateNaN) {
  Tensor a = ref::make({4}, {1, kNaN, kNaN, -kInf}, kFloat32), b = ref::make({4}, {kNaN, 2, kNaN, 3}, kFloat32);
  EXPECT_TRUE(ref::matches(maximum(a, b), {4}, {kNaN, kNaN, kNaN, 3}, kFloat32));
  EXPECT_TRUE(ref::matches(minimum(a, b), {4}, {kNaN, kNaN, kNaN, -kInf}, kFloat32));
  EXPECT_TRUE(ref::matches(a.to(kFloat16).maximum(b.to(kFloat16)), {4}, {kNaN, kNaN, kNaN, 3}, kFloat16));
  Tensor t = ref::make({2}, {1, 0}, kBool), f = ref::make({2}, {0, 0}, kBool);
  EXPECT_TRUE(ref::matches(maximum(t, f), {2}, {1, 0}, kBool));
  EXPECT_TRUE(ref::matches(minimum(t, f), {2}, {0, 0}, kBool));
}

TEST(Pointwise, ComparisonsWithNaNAndScalars) {
  Tensor x = ref::make({4}, {1, kNaN, -kInf, 2}, kFloat32);
  EXPECT_TRUE(ref::matches(x == x, {4}, {1, 0, 1, 1}, kBool));
  EXPECT_TRUE(ref::matches(x != x, {4}, {0, 1, 0, 0}, kBool));
  EXPECT_TRUE(ref::matches(x < 1.5, {4}, {1, 0, 1, 0}, kBool));
  EXPECT_TRUE(ref::matches(x <= 1, {4}, {1, 0, 1, 0}, kBool));
  EXPECT_TRUE(ref::matches(x > 1, {4}, {0, 0, 0, 1}, kBool));
  EXPECT_TRUE(ref::matches(x >= 2, {4}, {0, 0, 0, 1}, kBool));
  EXPECT_TRUE(ref::matches(x == 2, {4}, {0, 0, 0, 1}, kBool));
  EXPECT_TRUE(ref::matches(x != 2, {4}, {1, 1, 1, 0}, kBool));
  EXPECT_TRUE(ref::matches(x.lt(2), {4}, {1, 0, 1, 0}, kBool));
  EXPECT_TRUE(ref::matches(x.ge(x), {4}, {1, 0, 1, 1}, kBool));
  // An integer tensor against a fractional number compares in float.
  Tensor i = ref::make({3}, {1, 2, 3}, kInt32);
  EXPECT_TRUE(ref::matches(i < 2.5, {3}, {1, 1, 0}, kBool));
  EXPECT_TRUE(ref::matches(i.eq(2.0), {3}, {0, 1, 0}, kBool));
  EXPECT_TRUE(ref::matches(i.gt(i.to(kFloat64) - 0.5), {3}, {1, 1, 1}, kBool));
  // int64 values that float32 cannot tell apart still compare exactly.
  Tensor big = zeros({2}, dtype(kInt64));
  big.data_ptr<int64_t>()[0] = (int64_t{1} << 40) + 1;
  big.data_ptr<int64_t>()[1] = int64_t{1} << 40;
  EXPECT_TRUE(ref::matches(big == (int64_t{1} << 40), {2}, {0, 1}, kBool));
}

TEST(Pointwise, OperatorsWithScalarsOnEitherSide) {
  Tensor x = ref::make({3}, {1, 2, 4}, kFloat32);
  EXPECT_TRUE(ref::matches(x + 1, {3}, {2, 3, 5}, kFloat32));
  EXPECT_TRUE(ref::matches(1 + x, {3}, {2, 3, 5}, kFloat32));
  EXPECT_TRUE(ref::matches(x - 1, {3}, {0, 1, 3}, kFloat32));
  EXPECT_TRUE(ref::matches(1 - x, {3}, {0, -1, -3}, kFloat32));
  EXPECT_TRUE(ref::matches(x * 2.5, {3}, {2.5, 5, 10}, kFloat32));
  EXPECT_TRUE(ref::matches(2.5 * x, {3}, {2.5, 5, 10}, kFloat32));
  EXPECT_TRUE(ref::matches(x / 2, {3}, {0.5, 1, 2}, kFloat32));
  EXPECT_TRUE(ref::matches(2 / x, {3}, {2, 1, 0.5}, kFloat32));
  EXPECT_TRUE(ref::matches(-x, {3}, {-1, -2, -4}, kFloat32));
  EXPECT_TRUE(ref::matches(x.mul(x), {3}, {1, 4, 16}, kFloat32));
  EXPECT_TRUE(ref::matches(x.div(x), {3}, {1, 1, 1}, kFloat32));
  EXPECT_TRUE(ref::matches(mul(x, x), {3}, {1, 4, 16}, kFloat32));
  EXPECT_TRUE(ref::matches(div(x, x), {3}, {1, 1, 1}, kFloat32));
  EXPECT_TRUE(ref::matches(add(x, x), {3}, {2, 4, 8}, kFloat32));
  EXPECT_TRUE(ref::matches(sub(x, x), {3}, {0, 0, 0}, kFloat32));
  Tensor i = ref::make({3}, {1, 2, 4}, kInt64);
  EXPECT_TRUE(ref::matches(10 - i, {3}, {9, 8, 6}, kInt64, 0, 0));
  EXPECT_TRUE(ref::matches(i * 3, {3}, {3, 6, 12}, kInt64, 0, 0));
  EXPECT_TRUE(ref::matches(0.5 * i, {3}, {0.5, 1, 2}, kFloat32));
  EXPECT_TRUE(ref::matches(2 / i, {3}, {2, 1, 0.5}, kFloat32));
  // Bitwise operators are defined on bool tensors.
  Tensor p = ref::make({4}, {1, 1, 0, 0}, kBool), q = ref::make({4}, {1, 0, 1, 0}, kBool);
  EXPECT_TRUE(ref::matches(p & q, {4}, {1, 0, 0, 0}, kBool));
  EXPECT_TRUE(ref::matches(p | q, {4}, {1, 1, 1, 0}, kBool));
  EXPECT_TRUE(ref::matches(p ^ q, {4}, {0, 1, 1, 0}, kBool));
  EXPECT_TRUE(ref::matches(~p, {4}, {0, 0, 1, 1}, kBool));
  EXPECT_TRUE(ref::matches(p && q, {4}, {1, 0, 0, 0}, kBool));
  EXPECT_TRUE(ref::matches(p || q, {4}, {1, 1, 1, 0}, kBool));
  EXPECT_TRUE(ref::matches(!p, {4}, {0, 0, 1, 1}, kBool));
  EXPECT_TRUE(ref::matches(p.logical_xor(q), {4}, {0, 1, 1, 0}, kBool));
  EXPECT_TRUE(ref::matches(p.logical_and(q), {4}, {1, 0, 0, 0}, kBool));
  EXPECT_TRUE(ref::matches(p.logical_or(q), {4}, {1, 1, 1, 0}, kBool));
  EXPECT_TRUE(ref::matches(p.logical_not(), {4}, {0, 0, 1, 1}, kBool));
  EXPECT_TRUE(ref::matches(p + p, {4}, {1, 1, 0, 0}, kBool));
  EXPECT_TRUE(ref::matches(p * q, {4}, {1, 0, 0, 0}, kBool));
  EXPECT_EMBER_ERROR(i & i, "bool");
  EXPECT_EMBER_ERROR(~i, "bool");
  EXPECT_EMBER_ERROR(p ^ i, "bool");
  // Logical ops on numbers: nonzero is true, NaN included.
  Tensor f = ref::make({3}, {0, kNaN, -2}, kFloat32);
  EXPECT_TRUE(ref::matches(f && f, {3}, {0, 1, 1}, kBool));
  EXPECT_TRUE(ref::matches(!f, {3}, {1, 0, 0}, kBool));
}

TEST(Pointwise, Where) {
  Tensor c = ref::make({2, 3}, {1, 0, 1, 0, 0, 1}, kBool);
  Tensor a = ref::make({3}, {1, 2, 3}, kFloat32), b = ref::make({2, 1}, {-1, -2}, kInt64);
  EXPECT_TRUE(ref::matches(where(c, a, b), {2, 3}, {1, -1, 3, -2, -2, 3}, kFloat32));
  EXPECT_TRUE(ref::matches(a.where(c, b), {2, 3}, {1, -1, 3, -2, -2, 3}, kFloat32));
  EXPECT_TRUE(ref::matches(where(c, 1.5, b), {2, 3}, {1.5, -1, 1.5, -2, -2, 1.5}, kFloat32));
  EXPECT_TRUE(ref::matches(where(c, b, 7), {2, 3}, {-1, 7, -1, 7, 7, -2}, kInt64, 0, 0));
  EXPECT_TRUE(ref::matches(where(c, 1, 0), {2, 3}, {1, 0, 1, 0, 0, 1}, kInt64, 0, 0));
  EXPECT_TRUE(ref::matches(where(c, 1.0, 0.0), {2, 3}, {1, 0, 1, 0, 0, 1}, kFloat32));
  Tensor h = ref::make({3}, {0.5, 1, 2}, kFloat16);
  EXPECT_TRUE(ref::matches(where(c, h, a), {2, 3}, {0.5, 2, 2, 1, 2, 2}, kFloat32));
  // NaN in the branch not taken does not leak.
  Tensor n = ref::make({3}, {kNaN, kNaN, kNaN}, kFloat32);
  EXPECT_TRUE(ref::matches(where(c, a, n), {2, 3}, {1, kNaN, 3, kNaN, kNaN, 3}, kFloat32));
  EXPECT_EMBER_ERROR(where(ones({3}), a, a), "bool");
}

TEST(Pointwise, MaskedFill) {
  Tensor x = ref::make({2, 3}, {1, 2, 3, 4, 5, 6}, kFloat32);
  Tensor m = ref::make({3}, {1, 0, 1}, kBool);
  EXPECT_TRUE(ref::matches(x.masked_fill(m, -1), {2, 3}, {-1, 2, -1, -1, 5, -1}, kFloat32));
  EXPECT_TRUE(ref::matches(masked_fill(x, m, kNaN), {2, 3}, {kNaN, 2, kNaN, kNaN, 5, kNaN}, kFloat32));
  EXPECT_TRUE(ref::matches(x.masked_fill(m, scalar_tensor(9.0)), {2, 3}, {9, 2, 9, 9, 5, 9}, kFloat32));
  // The value is cast to the input's dtype.
  Tensor i = ref::make({3}, {1, 2, 3}, kInt64);
  EXPECT_TRUE(ref::matches(i.masked_fill(m, 2.5), {3}, {2, 2, 2}, kInt64, 0, 0));
  Tensor h = ref::make({3}, {1, 2, 3}, kBFloat16);
  EXPECT_TRUE(ref::matches(h.masked_fill(m, 0.1), {3}, {ref::round_bf16(0.1f), 2, ref::round_bf16(0.1f)}, kBFloat16, 0, 0));
  EXPECT_EMBER_ERROR(x.masked_fill(ones({3}), 0), "bool mask");
  EXPECT_EMBER_ERROR(x.masked_fill(m, ones({3})), "0-dimensional");
  EXPECT_EMBER_ERROR(ones({3}).masked_fill(ones({2, 3}, dtype(kBool)), 0), "broadcast");
}

// ----- in place

TEST(Pointwise, InPlaceFormsMatchOutOfPlace) {
  Tensor a0 = ref::random_tensor({4, 5}, kFloat32, -3, 3, 1);
  Tensor b = ref::random_tensor({5}, kFloat32, 0.5, 3, 2);
  struct Case {
    const char* name;
    std::function<void(const Tensor&)> in_place;
    std::function<double(double, double)> ref;
  };
  const Case cases[] = {
      {"add_", [&](const Tensor& t) { t.add_(b); }, [](double a, double y) { return a + y; }},
      {"add_alpha", [&](const Tensor& t) { t.add_(b, 2); }, [](double a, double y) { return a + 2 * y; }},
      {"sub_", [&](const Tensor& t) { t.sub_(b); }, [](double a, double y) { return a - y; }},
      {"sub_scalar", [&](const Tensor& t) { t.sub_(1.5); }, [](double a, double) { return a - 1.5; }},
      {"mul_", [&](const Tensor& t) { t.mul_(b); }, [](double a, double y) { return a * y; }},
      {"div_", [&](const Tensor& t) { t.div_(b); }, [](double a, double y) { return a / y; }},
      {"div_scalar", [&](const Tensor& t) { t.div_(4); }, [](double a, double) { return a / 4; }},
      {"pow_", [&](const Tensor& t) { t.abs_().pow_(b); }, [](double a, double y) { return std::pow(std::fabs(a), y); }},
      {"pow_scalar", [&](const Tensor& t) { t.pow_(2); }, [](double a, double) { return a * a; }},
      {"clamp_", [&](const Tensor& t) { t.clamp_(-1, 1); }, [](double a, double) { return std::min(std::max(a, -1.0), 1.0); }},
      {"clamp_min_", [&](const Tensor& t) { t.clamp_min_(0.5); }, [](double a, double) { return std::max(a, 0.5); }},
      {"clamp_max_", [&](const Tensor& t) { t.clamp_max_(0.5); }, [](double a, double) { return std::min(a, 0.5); }},
      {"relu_", [&](const Tensor& t) { t.relu_(); }, [](double a, double) { return std::max(a, 0.0); }},
      {"neg_", [&](const Tensor& t) { t.neg_(); }, [](double a, double) { return -a; }},
      {"abs_", [&](const Tensor& t) { t.abs_(); }, [](double a, double) { return std::fabs(a); }},
      {"sqrt_", [&](const Tensor& t) { t.abs_().sqrt_(); }, [](double a, double) { return std::sqrt(std::fabs(a)); }},
      {"exp_", [&](const Tensor& t) { t.exp_(); }, [](double a, double) { return std::exp(a); }},
      {"+=", [&](const Tensor& t) { t += b; }, [](double a, double y) { return a + y; }},
      {"+=scalar", [&](const Tensor& t) { t += 2; }, [](double a, double) { return a + 2; }},
      {"-=", [&](const Tensor& t) { t -= b; }, [](double a, double y) { return a - y; }},
      {"-=scalar", [&](const Tensor& t) { t -= 0.25; }, [](double a, double) { return a - 0.25; }},
      {"*=", [&](const Tensor& t) { t *= b; }, [](double a, double y) { return a * y; }},
      {"*=scalar", [&](const Tensor& t) { t *= 3; }, [](double a, double) { return a * 3; }},
      {"/=", [&](const Tensor& t) { t /= b; }, [](double a, double y) { return a / y; }},
      {"/=scalar", [&](const Tensor& t) { t /= 8; }, [](double a, double) { return a / 8; }},
  };
  Ref br = ref::read(b);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Ref want = ref::map({ref::read(a0), br}, kFloat32, [&](const std::vector<double>& v) { return c.ref(v[0], v[1]); });
    // Contiguous, and a transposed view written through to its base.
    Tensor a = a0.clone();
    uint32_t v0 = a._version();
    void* p = a.data_ptr();
    c.in_place(a);
    EXPECT_TRUE(ref::matches(a, want, kFloat32));
    EXPECT_EQ(a.data_ptr(), p);
    EXPECT_GT(a._version(), v0);
    Tensor base = a0.t().contiguous();
    Tensor view = base.t();
    c.in_place(view);
    EXPECT_TRUE(ref::matches(view, want, kFloat32));
    EXPECT_TRUE(ref::matches(base.t(), want, kFloat32));
  }
}

TEST(Pointwise, InPlaceReturnsSelfAndBumpsTheVersionOnce) {
  Tensor a = zeros({3});
  EXPECT_EQ(a._version(), 0u);
  const Tensor& r = a.add_(1);
  EXPECT_TRUE(r.is_same(a));
  EXPECT_EQ(a._version(), 1u);
  a.mul_(2);
  a.sub_(ones({3}));
  a.div_(2);
  a += 1;
  a -= 1;
  a *= 1;
  a /= 1;
  EXPECT_EQ(a._version(), 8u);
  a.zero_();
  a.fill_(3);
  a.copy_(ones({3}));
  a.masked_fill_(ones({3}, dtype(kBool)), 2);
  a.clamp_(0, 1);
  a.pow_(2);
  EXPECT_EQ(a._version(), 14u);
  // Views share the version counter with their base.
  Tensor v = a.slice(0, 1);
  v.add_(1);
  EXPECT_EQ(a._version(), 15u);
  EXPECT_EQ(v._version(), 15u);
  // Out-of-place ops do not count.
  Tensor b = a + 1;
  (void)b;
  EXPECT_EQ(a._version(), 15u);
}

TEST(Pointwise, ZeroFillCopy) {
  Tensor x = ref::random_tensor({3, 4}, kFloat32, -1, 1, 3);
  x.zero_();
  EXPECT_TRUE(ref::matches(x, {3, 4}, std::vector<double>(12, 0.0), kFloat32));
  x.fill_(2.5);
  EXPECT_TRUE(ref::matches(x, {3, 4}, std::vector<double>(12, 2.5), kFloat32));
  x.fill_(scalar_tensor(-1.0, dtype(kFloat64)));
  EXPECT_TRUE(ref::matches(x, {3, 4}, std::vector<double>(12, -1.0), kFloat32));
  EXPECT_EMBER_ERROR(x.fill_(ones({2})), "0-dimension");
  // fill_ through a strided view touches only the view.
  x.slice(1, 0, 4, 2).fill_(7);
  EXPECT_TRUE(ref::matches(x, {3, 4}, {7, -1, 7, -1, 7, -1, 7, -1, 7, -1, 7, -1}, kFloat32));
  // Integer fill truncates like a cast.
  Tensor i = zeros({2}, dtype(kInt32));
  i.fill_(2.9);
  EXPECT_TRUE(ref::matches(i, {2}, {2, 2}, kInt32, 0, 0));
  // copy_ casts and broadcasts.
  Tensor src = ref::make({4}, {1.7, -2.7, 3, 4}, kFloat64);
  Tensor dst = zeros({3, 4}, dtype(kInt16));
  dst.copy_(src);
  EXPECT_TRUE(ref::matches(dst, {3, 4}, {1, -2, 3, 4, 1, -2, 3, 4, 1, -2, 3, 4}, kInt16, 0, 0));
  Tensor h = zeros({2, 2}, dtype(kFloat16));
  h.t().copy_(ref::make({2, 2}, {1, 2, 3, 4}, kFloat32));
  EXPECT_TRUE(ref::matches(h, {2, 2}, {1, 3, 2, 4}, kFloat16, 0, 0));
  EXPECT_EMBER_ERROR(dst.copy_(ones({3})), "expand");
  Tensor b = zeros({3}, dtype(kBool));
  b.copy_(ref::make({3}, {0.0, 0.1, -5}, kFloat32));
  EXPECT_TRUE(ref::matches(b, {3}, {0, 1, 1}, kBool));
}

TEST(Pointwise, MaskedFillInPlace) {
  Tensor x = ref::make({2, 2}, {1, -2, -3, 4}, kFloat32);
  uint32_t v = x._version();
  x.masked_fill_(x < 0, 0);
  EXPECT_TRUE(ref::matches(x, {2, 2}, {1, 0, 0, 4}, kFloat32));
  EXPECT_EQ(x._version(), v + 1);
  x.masked_fill_(ref::make({2}, {0, 1}, kBool), scalar_tensor(5.0));
  EXPECT_TRUE(ref::matches(x, {2, 2}, {1, 5, 0, 5}, kFloat32));
  Tensor t = x.t();
  t.masked_fill_(ref::make({2, 2}, {1, 0, 0, 0}, kBool), -9);
  EXPECT_TRUE(ref::matches(x, {2, 2}, {-9, 5, 0, 5}, kFloat32));
}

TEST(Pointwise, InPlaceAliasing) {
  // x.add_(x): the same memory on both sides.
  Tensor x = ref::make({4}, {1, 2, 3, 4}, kFloat32);
  x.add_(x);
  EXPECT_TRUE(ref::matches(x, {4}, {2, 4, 6, 8}, kFloat32));
  x.mul_(x);
  EXPECT_TRUE(ref::matches(x, {4}, {4, 16, 36, 64}, kFloat32));

  // Overlapping shifted views: the result must equal the out-of-place result on a copy.
  auto check_shift = [](const Tensor& base, const std::function<void(const Tensor&)>& op,
                        const std::function<Tensor(const Tensor&)>& expected_of) {
    Tensor copy = base.clone();
    Tensor want = expected_of(copy);
    op(base);
    EXPECT_TRUE(ref::matches(base, ref::read(want), base.dtype()));
  };
  Tensor y = ref::make({6}, {1, 2, 3, 4, 5, 6}, kFloat32);
  check_shift(y, [](const Tensor& t) { t.slice(0, 1).add_(t.slice(0, 0, -1)); },
              [](const Tensor& c) {
                Tensor r = c.clone();
                r.slice(0, 1).copy_(c.slice(0, 1) + c.slice(0, 0, -1));
                return r;
              });
  EXPECT_TRUE(ref::matches(y, {6}, {1, 3, 5, 7, 9, 11}, kFloat32));
  Tensor z = ref::make({6}, {1, 2, 3, 4, 5, 6}, kFloat32);
  z.slice(0, 0, -1).add_(z.slice(0, 1));
  EXPECT_TRUE(ref::matches(z, {6}, {3, 5, 7, 9, 11, 6}, kFloat32));
  Tensor w = ref::make({6}, {1, 2, 3, 4, 5, 6}, kInt64);
  w.slice(0, 2).copy_(w.slice(0, 0, 4));
  EXPECT_TRUE(ref::matches(w, {6}, {1, 2, 1, 2, 3, 4}, kInt64, 0, 0));
  Tensor v = ref::make({6}, {1, 2, 3, 4, 5, 6}, kInt64);
  v.slice(0, 0, 4).copy_(v.slice(0, 2));
  EXPECT_TRUE(ref::matches(v, {6}, {3, 4, 5, 6, 5, 6}, kInt64, 0, 0));
  // A square matrix plus its own transpose, in place.
  Tensor m = ref::random_tensor({5, 5}, kFloat64, -1, 1, 8);
  Ref mr = ref::read(m), mt = ref::read(m.t());
  m.add_(m.t());
  std::vector<double> want(25);
  for (int i = 0; i < 25; ++i) want[i] = mr.v[i] + mt.v[i];
  EXPECT_TRUE(ref::matches(m, {5, 5}, want, kFloat64));
  // Large overlapping views exercise the parallel loop.
  Tensor big = ref::random_tensor({100001}, kFloat32, -1, 1, 9);
  Ref br = ref::read(big);
  big.slice(0, 1).sub_(big.slice(0, 0, -1));
  std::vector<double> bw(br.v);
  for (size_t i = 1; i < bw.size(); ++i) bw[i] = static_cast<float>(br.v[i] - br.v[i - 1]);
  EXPECT_TRUE(ref::matches(big, {100001}, bw, kFloat32));
  // A 0-dim view of the output, and a reduction of it, as the other operand.
  Tensor s = ref::make({3}, {1, 2, 3}, kFloat32);
  s.add_(s[0]);
  EXPECT_TRUE(ref::matches(s, {3}, {2, 3, 4}, kFloat32));
  s.mul_(s.sum());
  EXPECT_TRUE(ref::matches(s, {3}, {18, 27, 36}, kFloat32));
  s.slice(0, 1).sub_(s[1]);
  EXPECT_TRUE(ref::matches(s, {3}, {18, 0, 9}, kFloat32));
  // A broadcast operand that aliases the output row.
  Tensor g = ref::make({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}, kFloat32);
  g.mul_(g.select(0, 0));
  EXPECT_TRUE(ref::matches(g, {3, 3}, {1, 4, 9, 4, 10, 18, 7, 16, 27}, kFloat32));
}

TEST(Pointwise, InPlaceDtypeRules) {
  Tensor i = ones({3}, dtype(kInt32));
  EXPECT_EMBER_ERROR(i.add_(ones({3})), "can't be cast");
  EXPECT_EMBER_ERROR(i.add_(1.5), "can't be cast");
  EXPECT_EMBER_ERROR(i.div_(2), "can't be cast");
  EXPECT_EMBER_ERROR(i.mul_(0.5), "float32 can't be cast to the desired output type int32");
  EXPECT_EMBER_ERROR(ones({2}, dtype(kBool)).add_(1), "can't be cast");
  EXPECT_EMBER_ERROR(ones({2}, dtype(kInt64)).sqrt_(), "can't be cast");
  EXPECT_EQ(i._version(), 0u);  // a refused op does not count as a modification
  // Allowed: int64 into int32 (same category), ints into floats, any into float16.
  i.add_(ref::make({3}, {1, 2, 3}, kInt64));
  EXPECT_TRUE(ref::matches(i, {3}, {2, 3, 4}, kInt32, 0, 0));
  Tensor f = ones({3});
  f.add_(ref::make({3}, {1, 2, 3}, kInt64));
  EXPECT_TRUE(ref::matches(f, {3}, {2, 3, 4}, kFloat32));
  Tensor h = ones({2}, dtype(kFloat16));
  h.mul_(ref::make({2}, {0.5, 0.25}, kFloat64));
  EXPECT_TRUE(ref::matches(h, {2}, {0.5, 0.25}, kFloat16, 0, 0));
  Tensor u = ref::make({2}, {250, 3}, kUInt8);
  u += 10;
  EXPECT_TRUE(ref::matches(u, {2}, {4, 13}, kUInt8, 0, 0));
  // The output's shape can't grow by broadcasting.
  EXPECT_EMBER_ERROR(ones({3}).add_(ones({2, 3})), "doesn't match the broadcast shape");
}

TEST(Pointwise, WritingIntoAnExpandedTensorIsAnError) {
  Tensor e = zeros({1, 3}).expand({4, 3});
  EXPECT_EMBER_ERROR(e.add_(1), "more than one element of the written-to tensor");
  EXPECT_EMBER_ERROR(e.fill_(2), "clone()");
  EXPECT_EMBER_ERROR(e.copy_(ones({4, 3})), "single memory location");
  EXPECT_EMBER_ERROR(e.zero_(), "single memory location");
  // Size-1 dims with stride 0 are fine.
  Tensor s = zeros({3}).expand({1, 3});
  s.add_(1);
  EXPECT_TRUE(ref::matches(s, {1, 3}, {1, 1, 1}, kFloat32));
}

TEST(Pointwise, ZeroDimAndEmptyTensors) {
  Tensor s = scalar_tensor(3.0);
  EXPECT_EQ((s * 2).dim(), 0);
  EXPECT_DOUBLE_EQ((s * 2).item<double>(), 6.0);
  EXPECT_DOUBLE_EQ(s.exp().item<double>(), static_cast<double>(std::exp(3.0f)));
  Tensor e = ones({0, 4});
  EXPECT_EQ((e + 1).sizes(), (Shape{0, 4}));
  EXPECT_EQ(e.exp().sizes(), (Shape{0, 4}));
  EXPECT_EQ((e + ones({4})).sizes(), (Shape{0, 4}));
  EXPECT_EQ((e < 1).dtype(), kBool);
  e.add_(1);
}

TEST(Pointwise, EqualAndAllclose) {
  Tensor a = ref::make({3}, {1, 2, 3}, kFloat32);
  EXPECT_TRUE(a.equal(ref::make({3}, {1, 2, 3}, kFloat32)));
  EXPECT_FALSE(a.equal(ref::make({3}, {1, 2, 4}, kFloat32)));
  EXPECT_FALSE(a.equal(ref::make({1, 3}, {1, 2, 3}, kFloat32)));
  EXPECT_TRUE(equal(a, a));
  EXPECT_TRUE(a.allclose(a + 1e-7));
  EXPECT_FALSE(a.allclose(a + 1e-3));
  EXPECT_TRUE(allclose(a, a + 1e-3, 1e-2));
  Tensor inf = ref::make({2}, {kInf, -kInf}, kFloat32);
  EXPECT_TRUE(inf.allclose(inf));
  EXPECT_FALSE(inf.allclose(-inf));
  Tensor nan = ref::make({1}, {kNaN}, kFloat32);
  EXPECT_FALSE(nan.allclose(nan));
}
