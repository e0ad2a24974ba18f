// Activations (ember/nn/activation.h, nn/activation_functional.h): values against reference
// formulas in double (edge values: 0, +-inf, NaN), gradients in float64, options and in-place
// forms, modules' pretty_print, libtorch's errors, and compile() == eager for a chain.
#include <cmath>
#include <limits>
#include <sstream>

#include "test_util.h"

using namespace ember;
using namespace ember::testing;
namespace F = ember::nn::functional;

namespace {

const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::vector<double> kEdges = {0.0,  -0.0, 0.3, -0.3, 1.0, -1.0, 2.9, -2.9, 3.0, -3.0, 3.1,
                                    -3.1, 6.0,  7.5, -7.5, 30,  -30,  kInf, -kInf, kNaN};

Tensor f64(const std::vector<double>& v) { return tensor(v, TensorOptions().dtype(kFloat64)); }

Tensor ref_map(const Tensor& x, const std::function<double(double)>& f) {
  std::vector<double> v = values(x);
  for (double& d : v) d = f(d);
  return f64(v).reshape(x.sizes());
}

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }
double relu6(double x) { return std::isnan(x) ? x : std::min(std::max(x, 0.0), 6.0); }

struct Case {
  const char* name;
  std::function<Tensor(const Tensor&)> op;
  std::function<double(double)> ref;
};

const double kSeluAlpha = 1.6732632423543772848170429916717, kSeluScale = 1.0507009873554804934193349852946;

std::vector<Case> cases() {
  return {
      {"silu", [](const Tensor& x) { return F::silu(x); }, [](double x) { return x * sigmoid(x); }},
      {"mish", [](const Tensor& x) { return F::mish(x); },
       [](double x) { return x * std::tanh(std::log1p(std::exp(x))); }},
      {"logsigmoid", [](const Tensor& x) { return F::logsigmoid(x); },
       [](double x) { return x < 0 ? x - std::log1p(std::exp(x)) : -std::log1p(std::exp(-x)); }},
      {"hardsigmoid", [](const Tensor& x) { return F::hardsigmoid(x); }, [](double x) { return relu6(x + 3) / 6; }},
      {"hardswish", [](const Tensor& x) { return F::hardswish(x); }, [](double x) { return x * relu6(x + 3) / 6; }},
      {"softsign", [](const Tensor& x) { return F::softsign(x); }, [](double x) { return x / (1 + std::fabs(x)); }},
      {"tanhshrink", [](const Tensor& x) { return F::tanhshrink(x); }, [](double x) { return x - std::tanh(x); }},
      {"elu", [](const Tensor& x) { return F::elu(x, F::ELUFuncOptions().alpha(0.7)); },
       [](double x) { return x > 0 ? x : 0.7 * std::expm1(x); }},
      {"selu", [](const Tensor& x) { return F::selu(x); },
       [](double x) { return x > 0 ? kSeluScale * x : kSeluScale * kSeluAlpha * std::expm1(x); }},
      {"celu", [](const Tensor& x) { return F::celu(x, F::CELUFuncOptions().alpha(2.0)); },
       [](double x) { return x > 0 ? x : 2.0 * std::expm1(x / 2.0); }},
      {"leaky_relu", [](const Tensor& x) { return F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.2)); },
       [](double x) { return x > 0 ? x : 0.2 * x; }},
      {"rrelu eval", [](const Tensor& x) { return F::rrelu(x, F::RReLUFuncOptions().lower(0.1).upper(0.3)); },
       [](double x) { return x > 0 ? x : 0.2 * x; }},
      {"relu6", [](const Tensor& x) { return F::relu6(x); }, relu6},
      {"hardtanh", [](const Tensor& x) { return F::hardtanh(x, F::HardtanhFuncOptions().min_val(-2).max_val(1.5)); },
       [](double x) { return std::isnan(x) ? x : std::min(std::max(x, -2.0), 1.5); }},
      {"threshold", [](const Tensor& x) { return F::threshold(x, F::ThresholdFuncOptions(1.0, -5.0)); },
       [](double x) { return x <= 1.0 ? -5.0 : x; }},
      {"hardshrink", [](const Tensor& x) { return F::hardshrink(x, F::HardshrinkFuncOptions().lambda(1.0)); },
       [](double x) { return (x >= -1 && x <= 1) ? 0.0 : x; }},
      {"softshrink", [](const Tensor& x) { return F::softshrink(x, F::SoftshrinkFuncOptions(1.0)); },
       [](double x) { return x > 1 ? x - 1 : (x < -1 ? x + 1 : x * 0); }},
      {"softplus", [](const Tensor& x) { return F::softplus(x); },
       [](double x) { return x > 20 ? x : std::log1p(std::exp(x)); }},
  };
}

}  // namespace

TEST(Activations, EdgeValuesMatchReferenceInDouble) {
  Tensor x = f64(kEdges);
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    EXPECT_TRUE(close(c.op(x), ref_map(x, c.ref), 1e-14, 1e-300));
  }
  // libtorch's NaN cases: silu(-inf) = -inf * 0, mish(-inf) = -inf * tanh(0).
  EXPECT_TRUE(std::isnan(values(F::silu(f64({-kInf})))[0]));
  EXPECT_EQ(values(F::logsigmoid(f64({-kInf, kInf, -800})))[0], -kInf);
  EXPECT_EQ(values(F::logsigmoid(f64({-800})))[0], -800);  // stable: no log(0)
  EXPECT_EQ(values(F::logsigmoid(f64({800})))[0], 0);
}

TEST(Activations, Float32AndHalf) {
  Tensor x = rand({2000}) * 16 - 8;
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    Tensor ref = ref_map(x.to(kFloat64), c.ref);
    EXPECT_TRUE(close(c.op(x), ref, 1e-6, 1e-6));
    Tensor xh = x.to(kFloat16);
    Tensor h = c.op(xh);
    EXPECT_EQ(h.dtype(), kFloat16);
    EXPECT_TRUE(close(h, ref_map(xh.to(kFloat64), c.ref), 2e-3, 2e-3));
  }
}

TEST(Activations, Gradients) {
  using autograd::gradcheck;
  // Away from the kinks at 0, +-lambda, the thresholds and the hardtanh / relu6 limits.
  Tensor x = tensor({-4.2, -2.6, -1.3, -0.45, 0.35, 0.8, 1.7, 3.4, 6.6},
                    TensorOptions().dtype(kFloat64).requires_grad(true));
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    EXPECT_NO_THROW(gradcheck([&](const std::vector<Tensor>& t) { return c.op(t[0]); }, {x}));
  }
  Tensor y = x.detach().reshape({3, 3}).requires_grad_(true);
  EXPECT_NO_THROW(gradcheck([](const std::vector<Tensor>& t) { return F::glu(t[0], 0); },
                            {tensor({{0.1, 0.2}, {0.3, -0.4}}, TensorOptions().dtype(kFloat64).requires_grad(true))}));
  EXPECT_NO_THROW(gradcheck([](const std::vector<Tensor>& t) { return F::softmin(t[0], 1); }, {y}));
  // prelu: the gradient reaches the per-channel weight.
  Tensor in = randn({2, 3, 4}, TensorOptions().dtype(kFloat64)).requires_grad_(true);
  Tensor w = tensor({0.1, 0.25, -0.5}, TensorOptions().dtype(kFloat64).requires_grad(true));
  EXPECT_NO_THROW(gradcheck([](const std::vector<Tensor>& t) { return F::prelu(t[0], t[1]); }, {in, w}));
}

TEST(Activations, BroadcastAndPreluChannels) {
  Tensor x = randn({2, 3, 4, 5});
  Tensor w = tensor({0.1f, 0.2f, 0.3f});
  Tensor y = F::prelu(x, w);
  Tensor expect = where(x > 0, x, x * w.reshape({3, 1, 1}));
  EXPECT_TRUE(bitwise_equal(y, expect));
  EXPECT_TRUE(bitwise_equal(F::prelu(x, tensor({0.2f})), F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.2))));
  EXPECT_EMBER_ERROR(F::prelu(x, tensor({0.1f, 0.2f})),
                     "Mismatch of parameter numbers and input channel size. Found parameter numbers = 2 and channel size = 3.");
  Tensor one_d = F::prelu(tensor({-2.0f, 3.0f}), tensor({0.5f}));
  EXPECT_EQ(values(one_d), (std::vector<double>{-1, 3}));
}

TEST(Activations, InplaceOptions) {
  Tensor x = tensor({-2.0f, -0.5f, 0.5f, 8.0f});
  Tensor y = x.clone();
  Tensor r = F::leaky_relu(y, F::LeakyReLUFuncOptions().negative_slope(0.1).inplace(true));
  EXPECT_EQ(r.data_ptr(), y.data_ptr());
  EXPECT_TRUE(close(y, F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.1))));
  struct InPlace {
    const char* name;
    std::function<Tensor(Tensor)> in, out;
  };
  std::vector<InPlace> forms = {
      {"elu", [](Tensor t) { return F::elu(t, F::ELUFuncOptions().inplace(true)); }, [](Tensor t) { return F::elu(t); }},
      {"selu", [](Tensor t) { return F::selu(t, true); }, [](Tensor t) { return F::selu(t); }},
      {"celu", [](Tensor t) { return F::celu(t, F::CELUFuncOptions().alpha(0.5).inplace(true)); },
       [](Tensor t) { return F::celu(t, F::CELUFuncOptions().alpha(0.5)); }},
      {"relu6", [](Tensor t) { return F::relu6(t, true); }, [](Tensor t) { return F::relu6(t); }},
      {"hardtanh", [](Tensor t) { return F::hardtanh(t, F::HardtanhFuncOptions().inplace(true)); },
       [](Tensor t) { return F::hardtanh(t); }},
      {"threshold", [](Tensor t) { return F::threshold(t, F::ThresholdFuncOptions(0.0, 9.0).inplace(true)); },
       [](Tensor t) { return F::threshold(t, F::ThresholdFuncOptions(0.0, 9.0)); }},
      {"silu", [](Tensor t) { return F::silu(t, true); }, [](Tensor t) { return F::silu(t); }},
      {"hardswish", [](Tensor t) { return F::hardswish(t, true); }, [](Tensor t) { return F::hardswish(t); }},
      {"hardsigmoid", [](Tensor t) { return F::hardsigmoid(t, true); }, [](Tensor t) { return F::hardsigmoid(t); }},
  };
  for (auto& f : forms) {
    SCOPED_TRACE(f.name);
    Tensor t = x.clone();
    Tensor got = f.in(t);
    EXPECT_EQ(got.data_ptr(), t.data_ptr());
    EXPECT_TRUE(bitwise_equal(t, f.out(x)));
  }
}

TEST(Activations, RReLUTrainingDrawsSlopesInRange) {
  manual_seed(7);
  Tensor x = -ones({10000}, TensorOptions().dtype(kFloat64));
  Tensor y = F::rrelu(x, F::RReLUFuncOptions().lower(0.1).upper(0.3).training(true));
  std::vector<double> v = values(y);
  double lo = 0, hi = -1, sum = 0;
  for (double d : v) {
    lo = std::min(lo, d);
    hi = std::max(hi, d);
    sum += d;
  }
  EXPECT_GE(lo, -0.3);
  EXPECT_LE(hi, -0.1);
  EXPECT_NEAR(sum / v.size(), -0.2, 0.005);
  EXPECT_GT(hi - lo, 0.15);  // really random, not the mean slope
  // Positive inputs pass; the gradient is the drawn slope.
  Tensor z = tensor({2.0, -1.0, -1.0}, TensorOptions().dtype(kFloat64).requires_grad(true));
  Tensor out = F::rrelu(z, F::RReLUFuncOptions().training(true));
  out.sum().backward();
  std::vector<double> g = values(z.grad()), o = values(out);
  EXPECT_EQ(o[0], 2.0);
  EXPECT_EQ(g[0], 1.0);
  EXPECT_EQ(g[1], -o[1]);
  // The same seed, the same slopes (the counter-based generator).
  manual_seed(3);
  Tensor a = F::rrelu(x, F::RReLUFuncOptions().training(true));
  manual_seed(3);
  EXPECT_TRUE(bitwise_equal(a, F::rrelu(x, F::RReLUFuncOptions().training(true))));
  // The module: random in training mode, the mean slope in eval mode.
  nn::RReLU m(nn::RReLUOptions().lower(0.1).upper(0.3));
  m->eval();
  EXPECT_TRUE(close(m(x), x * 0.2, 0, 0));
  EXPECT_EMBER_ERROR(F::rrelu(x, F::RReLUFuncOptions().lower(0.5).upper(0.1)), "Lower bound should be less than or equal");
}

TEST(Activations, GluSoftminSoftmax2d) {
  Tensor x = randn({4, 6});
  EXPECT_TRUE(close(F::glu(x), x.narrow(1, 0, 3) * x.narrow(1, 3, 3).sigmoid()));
  EXPECT_TRUE(close(F::glu(x, 0), x.narrow(0, 0, 2) * x.narrow(0, 2, 2).sigmoid()));
  EXPECT_EMBER_ERROR(F::glu(randn({3, 5})), "Halving dimension must be even, but dimension 1 is size 5");
  EXPECT_TRUE(close(F::softmin(x, 1), softmax(x.neg(), 1)));
  EXPECT_TRUE(close(F::softmin(x, F::SoftminFuncOptions(0).dtype(kFloat64)), softmax(x.to(kFloat64).neg(), 0)));
  nn::Softmax2d s;
  Tensor img = randn({2, 3, 4, 5});
  EXPECT_TRUE(close(s(img), softmax(img, 1)));
  EXPECT_TRUE(close(s(img[0]), softmax(img[0], 0)));
  EXPECT_EMBER_ERROR(s(randn({3, 4})), "Softmax2d: expected input to be 3D or 4D");
}

TEST(Activations, DtypeErrorsInLibtorchWords) {
  Tensor i = tensor({1, -2}, TensorOptions().dtype(kInt64));
  EXPECT_EMBER_ERROR(F::leaky_relu(i), "\"leaky_relu_cpu\" not implemented for 'Long'");
  EXPECT_EMBER_ERROR(F::elu(i), "\"elu_cpu\" not implemented for 'Long'");
  EXPECT_EMBER_ERROR(F::celu(tensor({1.0f}), F::CELUFuncOptions().alpha(0)), "ZeroDivisionError: alpha cannot be 0 for CELU");
  EXPECT_EMBER_ERROR(F::softshrink(tensor({1.0f}), -1.0), "lambda must be greater or equal to 0, but found to be -1.");
  EXPECT_EMBER_ERROR(nn::Hardtanh(nn::HardtanhOptions().min_val(2).max_val(1)), "max_val must be greater than min_val");
  // Integer inputs where libtorch takes them: hardtanh and threshold keep the dtype.
  Tensor h = F::hardtanh(tensor({-5, 0, 5}, TensorOptions().dtype(kInt32)));
  EXPECT_EQ(h.dtype(), kInt32);
  EXPECT_EQ(values(h), (std::vector<double>{-1, 0, 1}));
  EXPECT_EQ(values(F::threshold(i, F::ThresholdFuncOptions(0, 7))), (std::vector<double>{1, 7}));
  EXPECT_EQ(F::silu(i).dtype(), kFloat32);
}

TEST(Activations, ModulesForwardAndPrettyPrint) {
  auto str = [](const nn::Module& m) {
    std::ostringstream os;
    m.pretty_print(os);
    return os.str();
  };
  EXPECT_EQ(str(*nn::LeakyReLU()), "torch::nn::LeakyReLU(negative_slope=0.01)");
  EXPECT_EQ(str(*nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2).inplace(true))),
            "torch::nn::LeakyReLU(negative_slope=0.2, inplace=true)");
  EXPECT_EQ(str(*nn::ELU()), "torch::nn::ELU(alpha=1)");
  EXPECT_EQ(str(*nn::SELU()), "torch::nn::SELU()");
  EXPECT_EQ(str(*nn::SELU(true)), "torch::nn::SELU(inplace=true)");
  EXPECT_EQ(str(*nn::CELU(nn::CELUOptions().alpha(0.5))), "torch::nn::CELU(alpha=0.5)");
  EXPECT_EQ(str(*nn::ReLU6()), "torch::nn::ReLU6()");
  EXPECT_EQ(str(*nn::Hardtanh()), "torch::nn::Hardtanh(min_val=-1, max_val=1)");
  EXPECT_EQ(str(*nn::Threshold(0.1, 20)), "torch::nn::Threshold(threshold=0.1, value=20)");
  EXPECT_EQ(str(*nn::Hardshrink()), "torch::nn::Hardshrink(0.5)");
  EXPECT_EQ(str(*nn::Softshrink(nn::SoftshrinkOptions(0.25))), "torch::nn::Softshrink(0.25)");
  EXPECT_EQ(str(*nn::PReLU(nn::PReLUOptions().num_parameters(3))), "torch::nn::PReLU(num_parameters=3)");
  EXPECT_EQ(str(*nn::RReLU()), "torch::nn::RReLU(lower=0.125, upper=0.333333)");
  EXPECT_EQ(str(*nn::GLU()), "torch::nn::GLU(dim=-1)");
  EXPECT_EQ(str(*nn::Softmin(1)), "torch::nn::Softmin(dim=1)");
  EXPECT_EQ(str(*nn::Softmax2d()), "torch::nn::Softmax2d()");
  EXPECT_EQ(str(*nn::SiLU()), "torch::nn::SiLU()");
  EXPECT_EQ(str(*nn::Mish()), "torch::nn::Mish()");
  EXPECT_EQ(str(*nn::LogSigmoid()), "torch::nn::LogSigmoid()");
  EXPECT_EQ(str(*nn::Tanhshrink()), "torch::nn::Tanhshrink()");
  EXPECT_EQ(str(*nn::Softsign()), "torch::nn::Softsign()");
  EXPECT_EQ(str(*nn::Hardswish()), "torch::nn::Hardswish()");
  EXPECT_EQ(str(*nn::Hardsigmoid()), "torch::nn::Hardsigmoid()");

  // PReLU: a learnable weight initialised to init, trained through backward.
  nn::PReLU p(nn::PReLUOptions().num_parameters(2).init(0.1));
  EXPECT_EQ(p->parameters().size(), 1u);
  EXPECT_TRUE(close(p->weight, full({2}, 0.1)));
  Tensor x = tensor({{-1.0f, 2.0f}, {-3.0f, -4.0f}});
  Tensor y = p(x);
  EXPECT_TRUE(close(y, tensor({{-0.1f, 2.0f}, {-0.3f, -0.4f}})));
  y.sum().backward();
  EXPECT_EQ(values(p->weight.grad()), (std::vector<double>{-4, -4}));
  // Modules run their functional forms; clone copies the options.
  Tensor z = randn({3, 4});
  EXPECT_TRUE(bitwise_equal(nn::SiLU()(z), F::silu(z)));
  EXPECT_TRUE(bitwise_equal(nn::ELU(nn::ELUOptions().alpha(2))(z), F::elu(z, F::ELUFuncOptions().alpha(2))));
  auto c = std::dynamic_pointer_cast<nn::LeakyReLUImpl>(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.3))->clone());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->options.negative_slope(), 0.3);
  nn::Sequential seq(nn::Linear(4, 3), nn::LeakyReLU(), nn::Mish(), nn::Hardswish());
  EXPECT_EQ(seq->forward(z).sizes(), Shape({3, 3}));
}

TEST(Activations, CompiledChainEqualsEagerBitwise) {
  auto fn = [](const Tensor& x) {
    Tensor a = F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.1));
    Tensor b = F::silu(F::elu(a, F::ELUFuncOptions().alpha(0.5))) + F::mish(x) * F::hardswish(x);
    return F::softshrink(F::hardtanh(b, F::HardtanhFuncOptions().min_val(-2).max_val(2)), 0.1) + F::logsigmoid(x) +
           F::celu(x) - F::hardsigmoid(x) * F::selu(x) + F::tanhshrink(x) - F::softsign(x) +
           F::threshold(x, F::ThresholdFuncOptions(0.5, -1));
  };
  auto f = compile(fn);
  for (ScalarType dt : {kFloat32, kFloat64}) {
    Tensor x = (randn({61, 37}) * 3).to(dt);
    EXPECT_TRUE(bitwise_equal(f(x), fn(x)));
  }
  // One fused kernel, not one per op.
  Tensor x = randn({61, 37});
  f(x);
  int64_t before = kernel_launch_count();
  f(x);
  EXPECT_LE(kernel_launch_count() - before, 2);
  // Backward through the compiled chain matches eager.
  Tensor xg = randn({5, 7}, TensorOptions().dtype(kFloat64)).requires_grad_(true);
  Tensor xe = xg.detach().clone().requires_grad_(true);
  f(xg).sum().backward();
  fn(xe).sum().backward();
  EXPECT_TRUE(close(xg.grad(), xe.grad(), 1e-12, 1e-12));
}

TEST(Activations, CudaMatchesCpu) {
  EMBER_REQUIRE_CUDA();
  Tensor x = randn({1000}) * 5;
  Tensor xc = x.to(Device(kCUDA, 0));
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    EXPECT_TRUE(close(c.op(xc), c.op(x), 1e-5, 1e-6));
  }
  Tensor w = tensor({0.1f, 0.2f, 0.3f});
  Tensor img = randn({2, 3, 4});
  EXPECT_TRUE(close(F::prelu(img.to(Device(kCUDA, 0)), w.to(Device(kCUDA, 0))), F::prelu(img, w)));
}
