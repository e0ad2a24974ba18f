// libtorch-style nn::Module infrastructure through <ember/torch.h> only: OrderedDict, names,
// registration checks, apply, as<T>, clone, holders and printing.
#include <ember/torch.h>
#include <gtest/gtest.h>

#include "compat_util.h"

#include <sstream>
#include <string>

using compat::error_of;

namespace {

struct NetImpl : torch::nn::Module {
  NetImpl() {
    fc1 = register_module("fc1", torch::nn::Linear(4, 3));
    fc2 = register_module("fc2", torch::nn::Linear(torch::nn::LinearOptions(3, 2).bias(false)));
    scale = register_parameter("scale", torch::ones({2}));
    running = register_buffer("running", torch::zeros({2}));
  }
  torch::Tensor forward(torch::Tensor x) { return fc2(torch::relu(fc1(x))) * scale; }
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  torch::Tensor scale, running;
};
TORCH_MODULE(Net);

struct CloneNetImpl : torch::nn::Cloneable<CloneNetImpl> {
  CloneNetImpl() { reset(); }
  void reset() override {
    fc = register_module("fc", torch::nn::Linear(2, 2));
    w = register_parameter("w", torch::randn({3}));
    b = register_buffer("b", torch::ones({3}));
  }
  torch::nn::Linear fc{nullptr};
  torch::Tensor w, b;
};
TORCH_MODULE(CloneNet);

struct Plain : torch::nn::Module {};

}  // namespace

TEST(CompatOrderedDict, InsertFindIndexAndErrors) {
  torch::OrderedDict<std::string, int> dict("Thing");
  dict.insert("a", 1);
  dict.insert("b", 2);
  EXPECT_EQ(dict.size(), 2u);
  EXPECT_EQ(dict["a"], 1);
  EXPECT_EQ(dict[1].key(), "b");
  EXPECT_EQ(dict[1].value(), 2);
  EXPECT_TRUE(dict.contains("b"));
  EXPECT_EQ(dict.find("zz"), nullptr);
  ASSERT_NE(dict.find("a"), nullptr);
  *dict.find("a") = 5;
  EXPECT_EQ(dict.front().value(), 5);
  EXPECT_EQ(dict.back().key(), "b");
  EXPECT_EQ(dict.keys(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(dict.values(), (std::vector<int>{5, 2}));
  EXPECT_EQ(error_of([&] { dict.insert("a", 3); }), "Thing 'a' already defined");
  EXPECT_EQ(error_of([&] { dict["nope"]; }), "Thing 'nope' is not defined");
  EXPECT_EQ(error_of([&] { dict[7]; }), "Index 7 is out of bounds");
  dict.erase("a");
  EXPECT_EQ(dict.keys(), (std::vector<std::string>{"b"}));
  EXPECT_EQ(dict["b"], 2);
  torch::OrderedDict<std::string, int> empty;
  EXPECT_EQ(error_of([&] { empty.front(); }), "Called front() on an empty OrderedDict");
  EXPECT_TRUE(empty.is_empty());
  int sum = 0;
  for (const auto& item : torch::OrderedDict<std::string, int>{{"x", 1}, {"y", 2}}) sum += item.value();
  EXPECT_EQ(sum, 3);
}

TEST(CompatModule, NamedParametersBuffersChildrenModules) {
  Net net;
  auto params = net->named_parameters();
  EXPECT_EQ(params.keys(), (std::vector<std::string>{"scale", "fc1.weight", "fc1.bias", "fc2.weight"}));
  EXPECT_TRUE(params["fc1.weight"].is_same(net->fc1->weight));
  EXPECT_EQ(net->named_parameters(/*recurse=*/false).keys(), (std::vector<std::string>{"scale"}));
  EXPECT_EQ(net->parameters().size(), 4u);
  EXPECT_EQ(net->named_buffers().keys(), (std::vector<std::string>{"running"}));
  EXPECT_EQ(net->named_children().keys(), (std::vector<std::string>{"fc1", "fc2"}));
  EXPECT_EQ(net->children().size(), 2u);
  EXPECT_EQ(net->modules().size(), 3u);
  EXPECT_EQ(net->modules(/*include_self=*/false).size(), 2u);
  auto named = net->named_modules("net");
  EXPECT_EQ(named.keys(), (std::vector<std::string>{"net", "net.fc1", "net.fc2"}));
  EXPECT_EQ(net->named_modules().keys(), (std::vector<std::string>{"", "fc1", "fc2"}));
  EXPECT_EQ(net->named_modules("", false).keys(), (std::vector<std::string>{"fc1", "fc2"}));
  for (const auto& p : net->parameters()) EXPECT_TRUE(p.requires_grad());
}

TEST(CompatModule, RegistrationChecksUseLibtorchWording) {
  Net net;
  EXPECT_EQ(error_of([&] { net->register_parameter("", torch::ones({1})); }), "Parameter name must not be empty");
  EXPECT_EQ(error_of([&] { net->register_parameter("a.b", torch::ones({1})); }),
            "Parameter name must not contain a dot (got 'a.b')");
  EXPECT_EQ(error_of([&] { net->register_parameter("scale", torch::ones({1})); }), "Parameter 'scale' already defined");
  EXPECT_EQ(error_of([&] { net->register_buffer("", torch::ones({1})); }), "Buffer name must not be empty");
  EXPECT_EQ(error_of([&] { net->register_buffer("running", torch::ones({1})); }), "Buffer 'running' already defined");
  EXPECT_EQ(error_of([&] { net->register_module("x.y", torch::nn::ReLU()); }),
            "Submodule name must not contain a dot (got 'x.y')");
  EXPECT_EQ(error_of([&] { net->register_module("fc1", torch::nn::ReLU()); }), "Submodule 'fc1' already defined");
  EXPECT_EQ(error_of([&] { net->register_module("", torch::nn::ReLU()); }), "Submodule name must not be empty");
  auto t = net->register_parameter("frozen", torch::ones({2}), /*requires_grad=*/false);
  EXPECT_FALSE(t.requires_grad());
  // An undefined parameter is kept but not reported (Linear without bias).
  EXPECT_FALSE(net->fc2->bias.defined());
  EXPECT_EQ(net->fc2->named_parameters().keys(), (std::vector<std::string>{"weight"}));
}

TEST(CompatModule, ReplaceAndUnregisterModule) {
  Net net;
  torch::nn::Linear other(4, 3);
  net->fc1 = net->replace_module("fc1", other);
  EXPECT_TRUE(net->named_children()["fc1"].get() == other.get());
  EXPECT_EQ(error_of([&] { net->replace_module("missing", torch::nn::ReLU()); }), "Submodule 'missing' is not defined");
  net->unregister_module("fc2");
  EXPECT_EQ(net->named_children().keys(), (std::vector<std::string>{"fc1"}));
  EXPECT_EQ(error_of([&] { net->unregister_module("fc2"); }), "No Module with name `fc2` is registered");
}

TEST(CompatModule, NameIsTheDemangledClassName) {
  Net net;
  EXPECT_EQ(net->name(), "(anonymous namespace)::NetImpl");
  EXPECT_EQ(torch::nn::Linear(1, 1)->name(), "torch::nn::LinearImpl");
  EXPECT_EQ(torch::nn::Sequential()->name(), "torch::nn::SequentialImpl");
}

TEST(CompatModule, ApplyAllOverloads) {
  Net net;
  int count = 0;
  net->apply([&](torch::nn::Module&) { ++count; });
  EXPECT_EQ(count, 3);
  const torch::nn::Module& cref = *net;
  count = 0;
  cref.apply([&](const torch::nn::Module&) { ++count; });
  EXPECT_EQ(count, 3);
  std::vector<std::string> names;
  net->apply([&](const std::string& name, torch::nn::Module&) { names.push_back(name); }, "root");
  EXPECT_EQ(names, (std::vector<std::string>{"root", "root.fc1", "root.fc2"}));
  std::vector<std::shared_ptr<torch::nn::Module>> ptrs;
  net->apply([&](const std::shared_ptr<torch::nn::Module>& m) { ptrs.push_back(m); });
  ASSERT_EQ(ptrs.size(), 3u);
  EXPECT_EQ(ptrs[0].get(), net.get());
  names.clear();
  net->apply([&](const std::string& name, const std::shared_ptr<torch::nn::Module>&) { names.push_back(name); });
  EXPECT_EQ(names, (std::vector<std::string>{"", "fc1", "fc2"}));
  // apply can initialise every Linear.
  net->apply([](torch::nn::Module& m) {
    if (auto* linear = m.as<torch::nn::Linear>()) torch::nn::init::constant_(linear->weight, 0.5);
  });
  EXPECT_EQ(net->fc2->weight.sum().item<float>(), 3.0f);
  Plain stack;
  EXPECT_NE(error_of([&] { stack.modules(); }).find("not stored in a shared_ptr"), std::string::npos);
}

TEST(CompatModule, AsCastsImplAndHolderForms) {
  Net net;
  torch::nn::Module& base = *net->fc1;
  EXPECT_EQ(base.as<torch::nn::Linear>(), net->fc1.get());
  EXPECT_EQ(base.as<torch::nn::LinearImpl>(), net->fc1.get());
  EXPECT_EQ(base.as<torch::nn::ReLU>(), nullptr);
  EXPECT_EQ(net->as<NetImpl>(), net.get());
}

TEST(CompatModule, HoldersEmptyAndAccess) {
  torch::nn::Linear empty = nullptr;
  EXPECT_TRUE(empty.is_empty());
  EXPECT_FALSE(static_cast<bool>(empty));
  EXPECT_EQ(error_of([&] { empty->weight; }), "Accessing empty ModuleHolder");
  torch::nn::ReLU relu;  // default-constructible Impl: a module, not empty
  EXPECT_FALSE(relu.is_empty());
  torch::nn::Linear fc(2, 3);
  torch::nn::Linear alias = fc;
  EXPECT_EQ(alias.get(), fc.get());
  auto x = torch::ones({1, 2});
  EXPECT_TRUE(torch::allclose(fc(x), fc->forward(x)));
  static_assert(std::is_same_v<torch::nn::Linear::Impl, torch::nn::LinearImpl>);
}

TEST(CompatModule, CloneIsDeepAndIndependent) {
  CloneNet net;
  auto copy = std::dynamic_pointer_cast<CloneNetImpl>(net->clone());
  ASSERT_NE(copy, nullptr);
  EXPECT_NE(copy.get(), net.get());
  EXPECT_NE(copy->fc.get(), net->fc.get());
  EXPECT_TRUE(torch::equal(copy->w, net->w));
  EXPECT_TRUE(torch::equal(copy->fc->weight, net->fc->weight));
  EXPECT_TRUE(copy->named_parameters()["fc.weight"].is_same(copy->fc->weight));
  EXPECT_TRUE(copy->w.requires_grad());
  {
    torch::NoGradGuard no_grad;
    copy->w.add_(1);
    copy->fc->weight.add_(1);
    copy->b.add_(1);
  }
  EXPECT_FALSE(torch::equal(copy->w, net->w));
  EXPECT_FALSE(torch::equal(copy->fc->weight, net->fc->weight));
  EXPECT_EQ(net->b.sum().item<float>(), 3.0f);
  auto linear = torch::nn::Linear(3, 4);
  auto lc = std::dynamic_pointer_cast<torch::nn::LinearImpl>(linear->clone());
  EXPECT_TRUE(torch::equal(lc->bias, linear->bias));
  EXPECT_EQ(lc->options.in_features(), 3);
  Net plain;
  EXPECT_NE(error_of([&] { plain->clone(); }).find("clone() has not been implemented for"), std::string::npos);
}

TEST(CompatModule, TrainEvalZeroGradTo) {
  Net net;
  net->eval();
  EXPECT_FALSE(net->is_training());
  EXPECT_FALSE(net->fc1->is_training());
  net->train();
  EXPECT_TRUE(net->fc2->is_training());
  net->forward(torch::randn({2, 4})).sum().backward();
  for (auto& p : net->parameters()) EXPECT_TRUE(p.grad().defined());
  net->zero_grad(/*set_to_none=*/false);
  for (auto& p : net->parameters()) EXPECT_EQ(p.grad().abs().sum().item<float>(), 0.0f);
  net->zero_grad();
  for (auto& p : net->parameters()) EXPECT_FALSE(p.grad().defined());
  auto w = net->fc1->weight;
  net->to(torch::kFloat64);
  EXPECT_EQ(w.scalar_type(), torch::kFloat64);
  EXPECT_TRUE(w.is_same(net->fc1->weight));
  EXPECT_EQ(net->running.scalar_type(), torch::kFloat64);
  net->to(torch::Device(torch::kCPU), torch::kFloat32);
  EXPECT_EQ(w.scalar_type(), torch::kFloat32);
}

TEST(CompatModule, ToCudaMovesInPlace) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  Net net;
  auto w = net->fc1->weight;
  net->to(torch::kCUDA);
  EXPECT_TRUE(w.is_cuda());
  EXPECT_TRUE(net->forward(torch::randn({2, 4}, torch::TensorOptions().device(torch::kCUDA))).is_cuda());
  auto copy = std::dynamic_pointer_cast<torch::nn::LinearImpl>(torch::nn::Linear(2, 2)->clone(torch::Device(torch::kCUDA)));
  EXPECT_TRUE(copy->weight.is_cuda());
}

TEST(CompatModule, PrettyPrintEveryModule) {
  auto str = [](const auto& m) {
    std::ostringstream os;
    os << m;
    return os.str();
  };
  EXPECT_EQ(str(torch::nn::Linear(3, 4)), "torch::nn::Linear(in_features=3, out_features=4, bias=true)");
  EXPECT_EQ(str(torch::nn::Linear(torch::nn::LinearOptions(3, 4).bias(false))),
            "torch::nn::Linear(in_features=3, out_features=4, bias=false)");
  EXPECT_EQ(str(torch::nn::ReLU()), "torch::nn::ReLU()");
  EXPECT_EQ(str(torch::nn::ReLU(torch::nn::ReLUOptions(true))), "torch::nn::ReLU(inplace=true)");
  EXPECT_EQ(str(torch::nn::Sigmoid()), "torch::nn::Sigmoid()");
  EXPECT_EQ(str(torch::nn::Tanh()), "torch::nn::Tanh()");
  EXPECT_EQ(str(torch::nn::GELU()), "torch::nn::GELU(approximate=\"none\")");
  EXPECT_EQ(str(torch::nn::Softplus(torch::nn::SoftplusOptions().beta(2).threshold(10))),
            "torch::nn::Softplus(beta=2, threshold=10)");
  EXPECT_EQ(str(torch::nn::Softmax(1)), "torch::nn::Softmax(dim=1)");
  EXPECT_EQ(str(torch::nn::LogSoftmax(0)), "torch::nn::LogSoftmax(dim=0)");
  EXPECT_EQ(str(torch::nn::MSELoss()), "torch::nn::MSELoss()");
  EXPECT_EQ(str(torch::nn::L1Loss()), "torch::nn::L1Loss()");
  EXPECT_EQ(str(torch::nn::NLLLoss()), "torch::nn::NLLLoss()");
  EXPECT_EQ(str(torch::nn::CrossEntropyLoss()), "torch::nn::CrossEntropyLoss()");
  EXPECT_EQ(str(torch::nn::Sequential(torch::nn::Linear(2, 3), torch::nn::ReLU())),
            "torch::nn::Sequential(\n"
            "  (0): torch::nn::Linear(in_features=2, out_features=3, bias=true)\n"
            "  (1): torch::nn::ReLU()\n"
            ")");
  Net net;
  EXPECT_EQ(str(*net),
            "(anonymous namespace)::NetImpl(\n"
            "  (fc1): torch::nn::Linear(in_features=4, out_features=3, bias=true)\n"
            "  (fc2): torch::nn::Linear(in_features=3, out_features=2, bias=false)\n"
            ")");
}
