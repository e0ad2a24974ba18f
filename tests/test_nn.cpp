// nn::Module, layers, losses and initialisation.
#include <sstream>

#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {
struct BlockImpl : nn::Module {
  BlockImpl() : Module("Block") {
    fc = register_module("fc", nn::Linear(4, 3));
    scale = register_parameter("scale", ones({3}));
    running = register_buffer("running", zeros({3}));
  }
  Tensor forward(const Tensor& x) { return fc->forward(x) * scale; }
  nn::Linear fc{nullptr};
  Tensor scale, running;
};
EMBER_MODULE(Block);
}  // namespace

TEST(Module, RegistrationAndNames) {
  Block b;
  auto named = b->named_parameters();
  ASSERT_EQ(named.size(), 3u);
  EXPECT_EQ(named[0].key(), "scale");
  EXPECT_EQ(named[1].key(), "fc.weight");
  EXPECT_EQ(named[2].key(), "fc.bias");
  EXPECT_EQ(b->named_buffers()[0].key(), "running");
  EXPECT_EQ(b->children().size(), 1u);
  EXPECT_EQ(b->modules().size(), 2u);
  for (auto& p : b->parameters()) EXPECT_TRUE(p.requires_grad());
  EXPECT_TRUE(named[0].value().is_same(b->scale));
  EXPECT_EMBER_ERROR(b->register_parameter("scale", ones({1})), "already defined");
}

TEST(Module, ZeroGradSetsToNoneOrZeroes) {
  Block b;
  b->forward(randn({2, 4})).sum().backward();
  for (auto& p : b->parameters()) EXPECT_TRUE(p.grad().defined());
  b->zero_grad(false);
  for (auto& p : b->parameters()) EXPECT_EQ(p.grad().abs().sum().item<float>(), 0.0f);
  b->zero_grad();
  for (auto& p : b->parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(Module, ToDtypeKeepsIdentity) {
  Block b;
  Tensor w = b->fc->weight;
  b->to(kFloat64);
  EXPECT_EQ(w.dtype(), kFloat64);
  EXPECT_TRUE(w.is_same(b->fc->weight));
  EXPECT_TRUE(w.requires_grad());
  EXPECT_EQ(b->running.dtype(), kFloat64);
  EXPECT_EQ(b->forward(randn({2, 4}, kFloat64)).dtype(), kFloat64);
}

// A graph still alive from before the move keeps the old accumulators; the new data gets its own.
TEST(Module, ToDtypeWhileAnOldGraphLivesAccumulatesInTheNewDtype) {
  Block b;
  Tensor old_loss = b->forward(randn({2, 4})).sum();
  old_loss.backward({}, /*retain_graph=*/true);
  b->zero_grad();
  b->to(kFloat64);
  b->forward(randn({2, 4}, kFloat64)).sum().backward();
  for (auto& p : b->parameters()) EXPECT_EQ(p.grad().dtype(), kFloat64);
  EXPECT_TRUE(old_loss.defined());
}

TEST(Module, ToCudaMovesInPlace) {
  EMBER_REQUIRE_CUDA();
  Block b;
  Tensor w = b->fc->weight;
  b->to(Device(kCUDA));
  EXPECT_TRUE(w.is_cuda());
  EXPECT_TRUE(b->forward(randn({2, 4}, Device(kCUDA))).is_cuda());
}

TEST(Module, TrainEvalRecurses) {
  Block b;
  b->eval();
  EXPECT_FALSE(b->is_training());
  EXPECT_FALSE(b->fc->is_training());
  b->train();
  EXPECT_TRUE(b->fc->is_training());
}

TEST(Module, Printing) {
  auto seq = nn::Sequential(nn::Linear(10, 5), nn::ReLU(), nn::Linear(5, 2));
  std::ostringstream os;
  os << *seq;
  EXPECT_EQ(os.str(),
            "torch::nn::Sequential(\n  (0): torch::nn::Linear(in_features=10, out_features=5, bias=true)\n"
            "  (1): torch::nn::ReLU()\n  (2): torch::nn::Linear(in_features=5, out_features=2, bias=true)\n)");
}

TEST(Linear, ShapesAndLibtorchInit) {
  manual_seed(0);
  nn::Linear fc(1000, 100);
  EXPECT_EQ(fc->weight.sizes(), Shape({100, 1000}));
  EXPECT_EQ(fc->bias.sizes(), Shape({100}));
  double bound = 1.0 / std::sqrt(1000.0);  // kaiming_uniform_(a=sqrt(5)) on fan_in 1000
  EXPECT_LE(fc->weight.abs().max().item<double>(), bound + 1e-7);
  EXPECT_GT(fc->weight.abs().max().item<double>(), 0.95 * bound);
  EXPECT_LE(fc->bias.abs().max().item<double>(), bound + 1e-7);
  // uniform on [-b, b] has std b / sqrt(3)
  double std = (fc->weight - fc->weight.mean()).pow(2).mean().sqrt().item<double>();
  EXPECT_NEAR(std, bound / std::sqrt(3.0), 0.01 * bound);
  Tensor x = randn({7, 1000});
  EXPECT_TRUE(close(fc->forward(x), x.mm(fc->weight.t()) + fc->bias, 1e-5, 1e-5));
  EXPECT_EQ(fc->forward(x).grad_fn()->name(), "AddmmBackward0");
  EXPECT_EQ(fc->forward(randn({2, 3, 1000})).sizes(), Shape({2, 3, 100}));
  EXPECT_EMBER_ERROR(fc->forward(randn({2, 999})), "in_features=1000");
  nn::Linear nb(nn::LinearOptions(3, 2).bias(false));
  EXPECT_FALSE(nb->bias.defined());
  EXPECT_EQ(nb->parameters().size(), 1u);
}

TEST(Sequential, RunsInOrder) {
  auto seq = nn::Sequential(nn::Linear(4, 8), nn::Tanh(), nn::Linear(8, 2), nn::Sigmoid());
  EXPECT_EQ(seq->size(), 4u);
  EXPECT_EQ(seq->parameters().size(), 4u);
  Tensor x = randn({3, 4});
  auto l0 = std::dynamic_pointer_cast<nn::LinearImpl>(seq->children()[0]);
  auto l2 = std::dynamic_pointer_cast<nn::LinearImpl>(seq->children()[2]);
  Tensor expected = l2->forward(l0->forward(x).tanh()).sigmoid();
  EXPECT_TRUE(close(seq->forward(x), expected));
  EXPECT_EQ(seq->named_parameters()[2].key(), "2.weight");
}

TEST(Loss, MseL1ValuesAndReductions) {
  Tensor a = tensor({{1.0, 2.0}, {3.0, 4.0}}), b = tensor({{1.5, 1.0}, {3.0, 6.0}});
  EXPECT_NEAR(nn::functional::mse_loss(a, b).item<double>(), (0.25 + 1 + 0 + 4) / 4, 1e-6);
  EXPECT_NEAR(nn::functional::mse_loss(a, b, kSum).item<double>(), 5.25, 1e-6);
  EXPECT_TRUE(close(nn::functional::mse_loss(a, b, kNone), tensor({{0.25, 1.0}, {0.0, 4.0}})));
  nn::L1Loss l1;
  EXPECT_NEAR(l1(a, b).item<double>(), (0.5 + 1 + 0 + 2) / 4, 1e-6);
  nn::MSELoss mse(nn::MSELossOptions().reduction(kSum));
  EXPECT_NEAR(mse(a, b).item<double>(), 5.25, 1e-6);
  EXPECT_EMBER_ERROR(nn::functional::mse_loss(a, tensor({1.0, 2.0})), "differ");
}

TEST(Loss, CrossEntropyAgainstReference) {
  Tensor logits = tensor({{1.0, 2.0, 0.5}, {0.1, -1.0, 3.0}}, kFloat64);
  Tensor target = tensor({1, 2});
  auto ref = [&](int row, int cls) {
    auto v = values(logits.select(0, row));
    double m = *std::max_element(v.begin(), v.end()), s = 0;
    for (double x : v) s += std::exp(x - m);
    return -(v[cls] - m - std::log(s));
  };
  double l0 = ref(0, 1), l1v = ref(1, 2);
  EXPECT_NEAR(nn::functional::cross_entropy(logits, target).item<double>(), (l0 + l1v) / 2, 1e-12);
  nn::CrossEntropyLoss ce(kSum);
  EXPECT_NEAR(ce(logits, target).item<double>(), l0 + l1v, 1e-12);
  EXPECT_TRUE(close(nn::functional::cross_entropy(logits, target, kNone), tensor({l0, l1v}, kFloat64)));
  EXPECT_EMBER_ERROR(nn::functional::cross_entropy(logits, tensor({1.0, 2.0})), "int64");
  EXPECT_EMBER_ERROR(nn::functional::cross_entropy(logits, tensor({1, 5})), "out of bounds");
}

TEST(Init, Initialisers) {
  Tensor t = empty({50, 40});
  nn::init::constant_(t, 0.5);
  EXPECT_EQ(t.min().item<float>(), 0.5f);
  nn::init::zeros_(t);
  EXPECT_EQ(t.abs().max().item<float>(), 0.0f);
  nn::init::xavier_uniform_(t);
  EXPECT_LE(t.abs().max().item<double>(), std::sqrt(6.0 / 90) + 1e-7);
  nn::init::normal_(t, 2.0, 0.5);
  EXPECT_NEAR(t.mean().item<double>(), 2.0, 0.1);
  auto [fi, fo] = nn::init::fan_in_out(t);
  EXPECT_EQ(fi, 40);
  EXPECT_EQ(fo, 50);
  EXPECT_EMBER_ERROR(nn::init::kaiming_uniform_(empty({3})), "fewer than 2 dimensions");
}
