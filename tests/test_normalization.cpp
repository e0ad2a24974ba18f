// Normalisation layers: values against reference loops, running statistics, gradcheck,
// compile() == eager, errors.
#include <sstream>

#include "test_util.h"

using namespace ember;
using namespace ember::testing;
namespace F = ember::nn::functional;

namespace {

Tensor randn64(IntArrayRef shape) { return randn(shape, TensorOptions().dtype(kFloat64)); }

// Per-channel mean and biased variance of a contiguous [N, C, S] double tensor, by loops.
void channel_stats(const Tensor& x, int64_t n, int64_t c, int64_t s, std::vector<double>& mean,
                   std::vector<double>& var) {
  const double* p = x.data_ptr<double>();
  mean.assign(c, 0);
  var.assign(c, 0);
  for (int64_t ch = 0; ch < c; ++ch) {
    for (int64_t b = 0; b < n; ++b)
      for (int64_t i = 0; i < s; ++i) mean[ch] += p[(b * c + ch) * s + i];
    mean[ch] /= static_cast<double>(n * s);
    for (int64_t b = 0; b < n; ++b)
      for (int64_t i = 0; i < s; ++i) {
        double d = p[(b * c + ch) * s + i] - mean[ch];
        var[ch] += d * d;
      }
    var[ch] /= static_cast<double>(n * s);
  }
}

}  // namespace

TEST(Normalization, BatchNorm2dTrainingMatchesLoopsAndUpdatesRunningStats) {
  manual_seed(1);
  nn::BatchNorm2d bn(nn::BatchNorm2dOptions(3).momentum(0.2));
  bn->to(kFloat64);
  {
    NoGradGuard g;
    bn->weight.copy_(tensor({1.5, -0.5, 2.0}, kFloat64));
    bn->bias.copy_(tensor({0.1, 0.2, -0.3}, kFloat64));
  }
  Tensor x = randn64({4, 3, 5, 2});
  Tensor y = bn->forward(x);
  std::vector<double> mean, var;
  channel_stats(x, 4, 3, 10, mean, var);
  const double* px = x.data_ptr<double>();
  Tensor yc = y.contiguous();
  const double* py = yc.data_ptr<double>();
  double w[] = {1.5, -0.5, 2.0}, b[] = {0.1, 0.2, -0.3};
  for (int64_t n = 0; n < 4; ++n)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t i = 0; i < 10; ++i) {
        int64_t k = (n * 3 + c) * 10 + i;
        double want = (px[k] - mean[c]) / std::sqrt(var[c] + 1e-5) * w[c] + b[c];
        EXPECT_NEAR(py[k], want, 1e-12);
      }
  for (int64_t c = 0; c < 3; ++c) {
    EXPECT_NEAR(bn->running_mean[c].item<double>(), 0.2 * mean[c], 1e-12);
    EXPECT_NEAR(bn->running_var[c].item<double>(), 0.8 + 0.2 * var[c] * 40.0 / 39.0, 1e-12);
  }
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 1);
  EXPECT_EQ(bn->num_batches_tracked.dtype(), kInt64);

  // Eval uses the running statistics and leaves them alone.
  bn->eval();
  Tensor rm = bn->running_mean.clone();
  Tensor ye = bn->forward(x);
  EXPECT_TRUE(bn->running_mean.equal(rm));
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 1);
  Tensor want = (x - bn->running_mean.view({1, 3, 1, 1})) /
                    (bn->running_var.view({1, 3, 1, 1}) + 1e-5).sqrt() * bn->weight.view({1, 3, 1, 1}) +
                bn->bias.view({1, 3, 1, 1});
  EXPECT_TRUE(ye.allclose(want, 1e-12, 1e-12));
}

TEST(Normalization, BatchNormCumulativeAverageWithoutMomentum) {
  nn::BatchNorm1d bn(nn::BatchNorm1dOptions(2).momentum(std::nullopt));
  Tensor a = tensor({{1.f, 2.f}, {3.f, 6.f}});
  Tensor b = tensor({{5.f, 0.f}, {7.f, 2.f}});
  bn->forward(a);
  bn->forward(b);
  // The running mean is the plain average of the two batch means.
  EXPECT_TRUE(bn->running_mean.allclose(tensor({4.f, 2.5f}), 1e-6, 1e-6));
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 2);
}

TEST(Normalization, BatchNormWithoutRunningStatsAlwaysUsesBatchStats) {
  nn::BatchNorm1d bn(nn::BatchNorm1dOptions(2).track_running_stats(false).affine(false));
  EXPECT_FALSE(bn->running_mean.defined());
  EXPECT_EQ(bn->parameters().size(), 0u);
  bn->eval();
  Tensor x = tensor({{1.f, 2.f}, {3.f, 6.f}});
  Tensor y = bn->forward(x);
  EXPECT_TRUE(y.allclose(tensor({{-1.f, -1.f}, {1.f, 1.f}}), 1e-3, 1e-3));
}

TEST(Normalization, BatchNorm1dOn3dInputAndGradcheck) {
  manual_seed(2);
  Tensor x = randn64({3, 2, 4}).requires_grad_();
  Tensor w = randn64({2}).requires_grad_();
  Tensor b = randn64({2}).requires_grad_();
  autograd::gradcheck(
      [](const std::vector<Tensor>& in) {
        return F::batch_norm(in[0], Tensor(), Tensor(),
                             F::BatchNormFuncOptions().weight(in[1]).bias(in[2]).training(true));
      },
      {x, w, b});
}

TEST(Normalization, LayerNormMatchesLoopsAndGradcheck) {
  manual_seed(3);
  nn::LayerNorm ln(nn::LayerNormOptions({3, 4}));
  ln->to(kFloat64);
  Tensor x = randn64({2, 3, 4});
  Tensor y = ln->forward(x);
  const double* px = x.data_ptr<double>();
  const double* py = y.data_ptr<double>();
  for (int64_t r = 0; r < 2; ++r) {
    double m = 0, v = 0;
    for (int i = 0; i < 12; ++i) m += px[r * 12 + i];
    m /= 12;
    for (int i = 0; i < 12; ++i) v += (px[r * 12 + i] - m) * (px[r * 12 + i] - m);
    v /= 12;
    for (int i = 0; i < 12; ++i) EXPECT_NEAR(py[r * 12 + i], (px[r * 12 + i] - m) / std::sqrt(v + 1e-5), 1e-12);
  }
  Tensor xg = randn64({2, 5}).requires_grad_();
  Tensor wg = randn64({5}).requires_grad_();
  Tensor bg = randn64({5}).requires_grad_();
  autograd::gradcheck([](const std::vector<Tensor>& in) { return layer_norm(in[0], {5}, in[1], in[2]); },
                      {xg, wg, bg});
}

TEST(Normalization, GroupNormAndInstanceNorm) {
  manual_seed(4);
  Tensor x = randn64({2, 4, 3});
  // GroupNorm with one channel per group is InstanceNorm; with one group it is LayerNorm over C, L.
  Tensor g4 = group_norm(x, 4);
  Tensor inst = F::instance_norm(x);
  EXPECT_TRUE(g4.allclose(inst, 1e-12, 1e-12));
  Tensor g1 = group_norm(x, 1);
  EXPECT_TRUE(g1.allclose(layer_norm(x, {4, 3}), 1e-12, 1e-12));

  nn::GroupNorm gn(2, 4);
  EXPECT_EQ(gn->weight.sizes(), IntArrayRef({4}));
  Tensor xg = randn64({2, 4, 3}).requires_grad_();
  Tensor wg = randn64({4}).requires_grad_();
  autograd::gradcheck([](const std::vector<Tensor>& in) { return group_norm(in[0], 2, in[1]); }, {xg, wg});

  nn::InstanceNorm1d in1(nn::InstanceNorm1dOptions(4).track_running_stats(true));
  in1->to(kFloat64);
  in1->forward(x);
  // The running mean averages the per-instance means over the batch.
  Tensor want = x.mean({2}).mean({0}) * 0.1;
  EXPECT_TRUE(in1->running_mean.allclose(want, 1e-12, 1e-12));
  Tensor unbatched = in1->forward(x[0]);
  EXPECT_EQ(unbatched.sizes(), IntArrayRef({4, 3}));
}

TEST(Normalization, RMSNormAndLocalResponseNorm) {
  manual_seed(5);
  Tensor x = randn64({2, 6});
  Tensor w = randn64({6});
  Tensor y = rms_norm(x, {6}, w, 1e-6);
  Tensor want = x / (x.square().mean({1}, true) + 1e-6).sqrt() * w;
  EXPECT_TRUE(y.allclose(want, 1e-12, 1e-12));
  nn::RMSNorm rn(std::vector<int64_t>{6});
  EXPECT_EQ(rn->weight.sizes(), IntArrayRef({6}));
  Tensor xg = randn64({3, 4}).requires_grad_();
  autograd::gradcheck([](const std::vector<Tensor>& in) { return rms_norm(in[0], {4}); }, {xg});

  // LRN by the definition: window of `size` channels centred on c (size/2 before).
  Tensor a = randn64({1, 5, 2});
  Tensor b = F::local_response_norm(a, F::LocalResponseNormFuncOptions(3).alpha(0.5).beta(0.75).k(2));
  const double* pa = a.data_ptr<double>();
  const double* pb = b.data_ptr<double>();
  for (int c = 0; c < 5; ++c)
    for (int i = 0; i < 2; ++i) {
      double s = 0;
      for (int cc = c - 1; cc <= c + 1; ++cc)
        if (cc >= 0 && cc < 5) s += pa[cc * 2 + i] * pa[cc * 2 + i];
      EXPECT_NEAR(pb[c * 2 + i], pa[c * 2 + i] / std::pow(2 + 0.5 / 3 * s, 0.75), 1e-12);
    }
}

TEST(Normalization, CompiledTrainingStepMatchesEagerIncludingRunningStats) {
  manual_seed(6);
  Tensor x = randn({8, 3, 4, 4});
  nn::BatchNorm2d eager_bn(3), compiled_bn(3);
  auto step = [](nn::BatchNorm2d& bn, const Tensor& in) { return bn->forward(in).relu().sum(); };
  auto compiled = compile([&](const Tensor& in) { return step(compiled_bn, in); });
  for (int i = 0; i < 3; ++i) {
    Tensor le = step(eager_bn, x * (i + 1));
    Tensor lc = compiled(x * (i + 1));
    EXPECT_NEAR(le.item<float>(), lc.item<float>(), 1e-4f * std::abs(le.item<float>()) + 1e-5f);
  }
  EXPECT_TRUE(eager_bn->running_mean.allclose(compiled_bn->running_mean, 1e-5, 1e-6));
  EXPECT_TRUE(eager_bn->running_var.allclose(compiled_bn->running_var, 1e-5, 1e-6));
  EXPECT_EQ(compiled_bn->num_batches_tracked.item<int64_t>(), 3);
}

TEST(Normalization, ErrorsAsLibtorch) {
  nn::BatchNorm2d bn(3);
  EXPECT_EMBER_ERROR(bn->forward(ones({2, 3, 4})), "expected 4D input (got 3D input)");
  nn::BatchNorm1d bn1(3);
  EXPECT_EMBER_ERROR(bn1->forward(ones({1, 3})),
                     "Expected more than 1 value per channel when training, got input size [1, 3]");
  EXPECT_EMBER_ERROR(bn1->forward(ones({2, 4})), "running_mean should contain 4 elements not 3");
  EXPECT_EMBER_ERROR(layer_norm(ones({2, 4}), {5}),
                     "Given normalized_shape=[5], expected input with shape [*, 5], but got input of size[2, 4]");
  EXPECT_EMBER_ERROR(group_norm(ones({2, 6, 4}), 4),
                     "Expected number of channels in input to be divisible by num_groups, but got input "
                     "of shape [2, 6, 4] and num_groups=4");
}

TEST(Normalization, PrettyPrintAndStateRoundTrip) {
  std::ostringstream os;
  os << *nn::BatchNorm2d(16);
  EXPECT_EQ(os.str(), "torch::nn::BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true)");
  nn::BatchNorm2d a(2), b(2);
  a->forward(randn({4, 2, 3, 3}));
  std::string path = temp_file("ember_bn_state.safetensors");
  save(a, path);
  load(b, path);
  EXPECT_TRUE(a->running_var.equal(b->running_var));
  EXPECT_EQ(b->num_batches_tracked.item<int64_t>(), 1);
  a->eval();
  b->eval();
  Tensor x = randn({2, 2, 3, 3});
  EXPECT_TRUE(a->forward(x).equal(b->forward(x)));
}

TEST(Normalization, CudaMatchesCpu) {
  EMBER_REQUIRE_CUDA();
  manual_seed(7);
  Tensor x = randn({4, 3, 5, 5});
  nn::BatchNorm2d cpu_bn(3), cuda_bn(3);
  cuda_bn->to(Device(kCUDA));
  Tensor yc = cpu_bn->forward(x);
  Tensor yg = cuda_bn->forward(x.to(Device(kCUDA)));
  EXPECT_TRUE(yc.allclose(yg.to(Device(kCPU)), 1e-4, 1e-5));
  EXPECT_TRUE(cpu_bn->running_var.allclose(cuda_bn->running_var.to(Device(kCPU)), 1e-4, 1e-5));
  EXPECT_TRUE(layer_norm(x, {5}).allclose(layer_norm(x.to(Device(kCUDA)), {5}).to(Device(kCPU)), 1e-4, 1e-5));
}
