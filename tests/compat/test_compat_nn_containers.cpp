// libtorch-style container modules through <ember/torch.h> only.
#include <ember/torch.h>
#include <gtest/gtest.h>

#include "compat_util.h"

#include <sstream>
#include <string>

using compat::error_of;

namespace {
struct TwoInputsImpl : torch::nn::Module {
  torch::Tensor forward(const torch::Tensor& a, const torch::Tensor& b) { return a * b; }
};
TORCH_MODULE(TwoInputs);
}  // namespace

TEST(CompatSequential, IndexPushBackExtendPtr) {
  torch::manual_seed(0);
  torch::nn::Sequential seq(torch::nn::Linear(3, 4), torch::nn::ReLU());
  seq->push_back(torch::nn::Linear(4, 2));
  EXPECT_EQ(seq->size(), 3u);
  EXPECT_EQ(seq->named_children().keys(), (std::vector<std::string>{"0", "1", "2"}));
  auto l0 = seq->ptr<torch::nn::LinearImpl>(0);
  ASSERT_NE(l0, nullptr);
  EXPECT_EQ(l0->options.out_features(), 4);
  EXPECT_EQ(seq->ptr<torch::nn::LinearImpl>(1), nullptr);
  EXPECT_EQ(seq[2]->as<torch::nn::Linear>()->options.in_features(), 4);
  EXPECT_EQ(seq->at<torch::nn::LinearImpl>(2).options.out_features(), 2);
  EXPECT_EQ(error_of([&] { seq->ptr(3); }), "Index out of range");
  auto x = torch::randn({5, 3});
  auto expected = seq->ptr<torch::nn::LinearImpl>(2)->forward(torch::relu(l0->forward(x)));
  EXPECT_TRUE(torch::allclose(seq->forward(x), expected));
  EXPECT_TRUE(torch::allclose(seq->forward<torch::Tensor>(x), expected));
  torch::nn::Sequential more{torch::nn::Sigmoid()};
  seq->extend(*more);
  EXPECT_EQ(seq->size(), 4u);
  size_t n = 0;
  for (const auto& m : *seq) n += m.ptr() != nullptr;
  EXPECT_EQ(n, 4u);
  EXPECT_EQ(seq->parameters().size(), 4u);
  EXPECT_EQ(error_of([&] { torch::nn::Sequential()->forward(x); }), "Cannot call forward() on an empty Sequential");
}

TEST(CompatSequential, NamedSequentialAndClone) {
  torch::nn::Sequential seq({{"fc", torch::nn::Linear(2, 2)}, {"act", torch::nn::Tanh()}});
  EXPECT_EQ(seq->named_children().keys(), (std::vector<std::string>{"fc", "act"}));
  EXPECT_EQ(seq->named_parameters().keys(), (std::vector<std::string>{"fc.weight", "fc.bias"}));
  auto copy = std::dynamic_pointer_cast<torch::nn::SequentialImpl>(seq->clone());
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->named_children().keys(), (std::vector<std::string>{"fc", "act"}));
  auto x = torch::randn({3, 2});
  EXPECT_TRUE(torch::allclose(copy->forward(x), seq->forward(x)));
  {
    torch::NoGradGuard g;
    copy->ptr<torch::nn::LinearImpl>(0)->weight.add_(1);
  }
  EXPECT_FALSE(torch::allclose(copy->forward(x), seq->forward(x)));
}

TEST(CompatAnyModule, ForwardAnyArityAndTypeErrors) {
  torch::nn::AnyModule any(torch::nn::Linear(2, 3));
  auto x = torch::ones({1, 2});
  EXPECT_EQ(any.forward(x).sizes()[1], 3);
  EXPECT_EQ(any.get<torch::nn::LinearImpl>().options.in_features(), 2);
  EXPECT_EQ(any.get<torch::nn::Linear>()->options.out_features(), 3);
  EXPECT_NE(any.ptr<torch::nn::LinearImpl>(), nullptr);
  torch::nn::AnyModule two(TwoInputs{});
  auto a = torch::full({2}, 3.0), b = torch::full({2}, 2.0);
  EXPECT_EQ(two.forward(a, b).sum().item<float>(), 12.0f);
  EXPECT_NE(error_of([&] { two.forward(a); }).find("expects 2 argument(s), but received 1."), std::string::npos);
  EXPECT_NE(error_of([&] { any.forward(3); }).find("Attempted to cast AnyValue to"), std::string::npos);
  torch::nn::AnyModule empty;
  EXPECT_TRUE(empty.is_empty());
  auto clone = any.clone();
  EXPECT_NE(clone.ptr().get(), any.ptr().get());
  EXPECT_TRUE(torch::equal(clone.get<torch::nn::LinearImpl>().weight, any.get<torch::nn::LinearImpl>().weight));
}

TEST(CompatModuleList, PushBackIndexInsertIterate) {
  torch::nn::ModuleList list(torch::nn::Linear(3, 4), torch::nn::ReLU());
  list->push_back(torch::nn::Tanh());
  EXPECT_EQ(list->size(), 3u);
  EXPECT_EQ(list->named_children().keys(), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_NE(list->ptr<torch::nn::LinearImpl>(0), nullptr);
  EXPECT_NE(list[1]->as<torch::nn::ReLU>(), nullptr);
  EXPECT_EQ(list->at<torch::nn::LinearImpl>(0).options.in_features(), 3);
  EXPECT_NE(error_of([&] { list->at<torch::nn::LinearImpl>(1); }).find("Unable to cast module[1] to"), std::string::npos);
  EXPECT_EQ(error_of([&] { list->ptr(9); }), "Index out of range");
  list->insert(1, torch::nn::Sigmoid());
  EXPECT_NE(list[1]->as<torch::nn::Sigmoid>(), nullptr);
  EXPECT_NE(list[2]->as<torch::nn::ReLU>(), nullptr);
  EXPECT_TRUE(list->named_children()["1"].get() == list[1].get());
  EXPECT_TRUE(list->named_children()["3"].get() == list[3].get());
  torch::nn::ModuleList other(torch::nn::Linear(1, 1));
  list->extend(*other);
  EXPECT_EQ(list->size(), 5u);
  EXPECT_EQ(list->parameters().size(), 4u);
  int linears = 0;
  for (const auto& m : *list) linears += m->as<torch::nn::Linear>() != nullptr;
  EXPECT_EQ(linears, 2);
  std::ostringstream os;
  os << torch::nn::ModuleList(torch::nn::ReLU());
  EXPECT_EQ(os.str(), "torch::nn::ModuleList(\n  (0): torch::nn::ReLU()\n)");
  auto copy = std::dynamic_pointer_cast<torch::nn::ModuleListImpl>(list->clone());
  EXPECT_NE(copy->ptr(0).get(), list->ptr(0).get());
  EXPECT_TRUE(torch::equal(copy->ptr<torch::nn::LinearImpl>(0)->weight, list->ptr<torch::nn::LinearImpl>(0)->weight));
}

TEST(CompatModuleDict, InsertUpdatePopIterate) {
  torch::OrderedDict<std::string, std::shared_ptr<torch::nn::Module>> ordered = {
      {"lin", torch::nn::Linear(2, 3).ptr()}, {"act", torch::nn::ReLU().ptr()}};
  torch::nn::ModuleDict dict(ordered);
  EXPECT_EQ(dict->size(), 2u);
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"lin", "act"}));
  EXPECT_TRUE(dict->contains("act"));
  EXPECT_NE(dict["lin"]->as<torch::nn::Linear>(), nullptr);
  EXPECT_EQ(dict->at<torch::nn::LinearImpl>("lin").options.out_features(), 3);
  dict->update(std::vector<std::pair<std::string, std::shared_ptr<torch::nn::Module>>>{
      {"act", torch::nn::Tanh().ptr()}, {"out", torch::nn::Sigmoid().ptr()}});
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"lin", "act", "out"}));
  EXPECT_NE(dict["act"]->as<torch::nn::Tanh>(), nullptr);
  EXPECT_NE(dict->named_children()["act"]->as<torch::nn::Tanh>(), nullptr);
  auto popped = dict->pop("out");
  EXPECT_NE(popped->as<torch::nn::Sigmoid>(), nullptr);
  EXPECT_FALSE(dict->contains("out"));
  EXPECT_EQ(dict->named_children().size(), 2u);
  EXPECT_EQ(error_of([&] { dict["zzz"]; }), "Module 'zzz' is not defined");
  std::ostringstream os;
  os << *dict;
  EXPECT_EQ(os.str(), "torch::nn::ModuleDict(\n"
                      "  (lin): torch::nn::Linear(in_features=2, out_features=3, bias=true)\n"
                      "  (act): torch::nn::Tanh()\n)");
  dict->clear();
  EXPECT_TRUE(dict->empty());
  EXPECT_EQ(dict->children().size(), 0u);
}

TEST(CompatParameterList, AppendIndexRequiresGradPrint) {
  torch::nn::ParameterList list(torch::randn({2, 3}, torch::requires_grad()), torch::randn({4}));
  list->append(torch::ones({1}, torch::requires_grad()));
  EXPECT_EQ(list->size(), 3u);
  EXPECT_TRUE(list[0].requires_grad());
  EXPECT_FALSE(list[1].requires_grad());
  EXPECT_EQ(list->named_parameters().keys(), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(error_of([&] { list->at(5); }), "Index out of range");
  int64_t total = 0;
  for (const auto& p : *list) total += p.value().numel();
  EXPECT_EQ(total, 11);
  std::ostringstream os;
  os << *list;
  EXPECT_EQ(os.str(), "torch::nn::ParameterList(\n"
                      "(0): Parameter containing: [Float of size [2, 3]]\n"
                      "(1): Parameter containing: [Float of size [4]]\n"
                      "(2): Parameter containing: [Float of size [1]]\n)");
}

TEST(CompatParameterDict, InsertPopGetPrint) {
  torch::nn::ParameterDict dict;
  dict->insert("a", torch::ones({2}, torch::requires_grad()));
  dict->insert("b", torch::zeros({3}, torch::kFloat64));
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(dict["a"].requires_grad());
  EXPECT_FALSE(dict->get("b").requires_grad());
  EXPECT_TRUE(dict->contains("b"));
  EXPECT_EQ(dict->size(), 2u);
  std::ostringstream os;
  os << *dict;
  EXPECT_EQ(os.str(), "torch::nn::ParameterDict(\n"
                      "(a): Parameter containing: [Float of size [2]]\n"
                      "(b): Parameter containing: [Double of size [3]]\n)");
  auto b = dict->pop("b");
  EXPECT_EQ(b.numel(), 3);
  EXPECT_FALSE(dict->contains("b"));
  EXPECT_EQ(error_of([&] { dict->get("b"); }), "Parameter 'b' is not defined");
}
