// The Tensor surface libtorch programs use everywhere, written as libtorch code.
#include <ember/torch.h>
#include <gtest/gtest.h>

#include "compat_util.h"

#include <sstream>
#include <string>
#include <vector>

using compat::error_of;
using compat::contains;

namespace {

}  // namespace

TEST(CompatIntArrayRef, BuiltFromOneIntBracesAndVectors) {
  std::vector<int64_t> v = {2, 3};
  torch::IntArrayRef from_vector = v;
  EXPECT_EQ(from_vector.size(), 2u);
  EXPECT_EQ(from_vector.vec(), v);
  int64_t five = 5;
  c10::IntArrayRef one = five;
  EXPECT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0], 5);
  auto x = torch::ones({2, 3});
  EXPECT_TRUE(x.sizes() == v);
  EXPECT_TRUE(x.sizes() == torch::IntArrayRef({2, 3}));
  EXPECT_FALSE(x.sizes() != v);
  EXPECT_EQ(x.sizes().vec(), v);
  EXPECT_EQ(x.strides().vec(), (std::vector<int64_t>{3, 1}));
  std::ostringstream os;
  os << x.sizes();
  EXPECT_EQ(os.str(), "[2, 3]");
  EXPECT_EQ(x.sizes().front(), 2);
  EXPECT_EQ(x.sizes().back(), 3);
  EXPECT_EQ(x.sizes().slice(1).vec(), (std::vector<int64_t>{3}));
}

TEST(CompatIntArrayRef, DimsParametersTakeOneInteger) {
  auto x = torch::arange(24, torch::kFloat).view({2, 3, 4});
  EXPECT_EQ(torch::ones(5).sizes().vec(), (std::vector<int64_t>{5}));
  EXPECT_EQ(torch::zeros(3, torch::kInt64).dtype(), torch::kInt64);
  EXPECT_EQ(x.sum(1).sizes().vec(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(x.sum(1, true).sizes().vec(), (std::vector<int64_t>{2, 1, 4}));
  EXPECT_EQ(x.mean(2).sizes().vec(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(x.sum({0, 2}).sizes().vec(), (std::vector<int64_t>{3}));
  EXPECT_EQ(x.view(-1).sizes().vec(), (std::vector<int64_t>{24}));
  EXPECT_EQ(x.reshape({4, -1}).sizes().vec(), (std::vector<int64_t>{4, 6}));
  EXPECT_EQ(x.permute({2, 0, 1}).sizes().vec(), (std::vector<int64_t>{4, 2, 3}));
  EXPECT_EQ(x.amax(0).sizes().vec(), (std::vector<int64_t>{3, 4}));
  EXPECT_FLOAT_EQ(x.sum(1).index({1, 2}).item<float>(), 14 + 18 + 22);
  EXPECT_EQ(x.expand({2, 2, 3, 4}).sizes().vec(), (std::vector<int64_t>{2, 2, 3, 4}));
  EXPECT_EQ(x.new_zeros(3).sizes().vec(), (std::vector<int64_t>{3}));
}

TEST(CompatIntArrayRef, ManyDimsGoPastTheInlineStorage) {
  std::vector<int64_t> shape = {1, 2, 1, 2, 1, 2, 1, 2};
  auto x = torch::arange(16).view(shape);
  EXPECT_EQ(x.sizes().vec(), shape);
  EXPECT_EQ(x.dim(), 8);
  auto y = x.permute({7, 6, 5, 4, 3, 2, 1, 0}).contiguous();
  EXPECT_EQ(y.stride(0), 8);
  EXPECT_EQ(y.sum().item<int64_t>(), 120);
}

TEST(CompatTo, OverloadsAsLibtorch) {
  auto x = torch::arange(6, torch::kFloat).view({2, 3});
  auto same = x.to(torch::kCPU);
  EXPECT_TRUE(same.is_same(x));  // nothing to do: the same tensor
  EXPECT_TRUE(x.to(torch::Device(torch::kCPU)).is_same(x));
  EXPECT_FALSE(x.to(torch::kCPU, /*non_blocking=*/false, /*copy=*/true).is_same(x));
  auto d = x.to(torch::kDouble);
  EXPECT_EQ(d.scalar_type(), torch::kDouble);
  EXPECT_EQ(x.to(torch::Device(torch::kCPU), torch::kInt32).dtype(), torch::kInt32);
  auto other = torch::zeros({1}, torch::kInt64);
  EXPECT_EQ(x.to(other).dtype(), torch::kInt64);
  EXPECT_EQ(x.type_as(other).dtype(), torch::kInt64);
  EXPECT_EQ(x.to(torch::TensorOptions().dtype(torch::kFloat64)).dtype(), torch::kFloat64);
  EXPECT_EQ(x.to(x.options()).data_ptr(), x.data_ptr());
  EXPECT_TRUE(contains(error_of([&] { x.to(torch::TensorOptions().requires_grad(true)); }),
                       "cannot take a TensorOptions with options.requires_grad set as true"));
  EXPECT_EQ(x.options().dtype(), torch::kFloat);
  EXPECT_EQ(x.type().scalarType(), torch::kFloat);
  EXPECT_EQ(x.type().toString(), "CPUFloatType");
  EXPECT_EQ(d.type().toString(), "CPUDoubleType");
  EXPECT_TRUE(x.type() == x.clone().type());
}

TEST(CompatTo, CudaRoundTrip) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  auto x = torch::arange(6, torch::kFloat);
  auto g = x.to(torch::kCUDA);
  EXPECT_TRUE(g.is_cuda());
  EXPECT_EQ(g.type().toString(), "CUDAFloatType");
  EXPECT_TRUE(g.to(torch::kCPU).equal(x));
  EXPECT_TRUE(x.to(g).is_cuda());
  EXPECT_TRUE(g.new_ones(2).is_cuda());
  auto y = torch::zeros({3, 3}, torch::kCUDA);
  y[1] = 4;
  y.index({0, torch::indexing::Slice()}) = torch::ones(3, torch::kCUDA);
  EXPECT_FLOAT_EQ(y.sum().item<float>(), 15.0f);
  auto idx = torch::tensor({0, 2}).to(torch::kCUDA);
  EXPECT_FLOAT_EQ(y.index({idx, idx}).sum().item<float>(), 1.0f);
}

TEST(CompatTensor, NewFactoriesResizeAndData) {
  auto x = torch::ones({2, 2}, torch::kFloat64);
  EXPECT_EQ(x.new_empty({3}).dtype(), torch::kFloat64);
  EXPECT_EQ(x.new_full({2}, 7).sum().item<double>(), 14.0);
  EXPECT_EQ(x.new_ones({2}, torch::kInt32).dtype(), torch::kInt32);
  auto r = torch::arange(6, torch::kFloat);
  r.resize_({2, 3});
  EXPECT_EQ(r.sizes().vec(), (std::vector<int64_t>{2, 3}));
  EXPECT_FLOAT_EQ(r.index({1, 2}).item<float>(), 5.0f);
  r.resize_({4, 3});  // grows; the first six elements stay
  EXPECT_EQ(r.numel(), 12);
  EXPECT_FLOAT_EQ(r.index({1, 2}).item<float>(), 5.0f);
  auto w = torch::ones({2}, torch::requires_grad());
  EXPECT_TRUE(contains(error_of([&] { w.resize_({3}); }), "cannot resize variables that require grad"));
  auto data = w.tensor_data();
  EXPECT_FALSE(data.requires_grad());
  EXPECT_EQ(data.data_ptr(), w.data_ptr());
  auto v = w.variable_data();
  v.mul_(2);  // not seen by autograd, but the values change
  EXPECT_FLOAT_EQ(w.sum().item<float>(), 4.0f);
}

TEST(CompatTensor, AccessorAndScalar) {
  auto x = torch::zeros({2, 3});
  auto a = x.accessor<float, 2>();
  a[1][2] = 5;
  a[0][1] = 2;
  EXPECT_EQ(a.size(0), 2);
  EXPECT_FLOAT_EQ(x.sum().item<float>(), 7.0f);
  auto t = x.t();
  auto at = t.accessor<float, 2>();
  EXPECT_FLOAT_EQ(at[2][1], 5.0f);
  EXPECT_TRUE(contains(error_of([&] { x.accessor<float, 3>(); }), "expected 3 dims"));
  torch::Scalar s = 2.5;
  EXPECT_EQ(s.to<double>(), 2.5);
  EXPECT_EQ(s.to<int64_t>(), 2);
  EXPECT_EQ(x.sum().item().to<float>(), 7.0f);
}

TEST(CompatTensor, AssignIntoIndexedViews) {
  auto x = torch::zeros({3, 4});
  x[0] = 1;
  x[1][2] = 5;
  x.index({2, torch::indexing::Slice(1, 3)}) = torch::full({2}, 3.0);
  EXPECT_FLOAT_EQ(x.sum().item<float>(), 4 + 5 + 6);
  torch::Tensor y = x;  // an lvalue: rebinding, not writing
  y = torch::ones({1});
  EXPECT_EQ(x.numel(), 12);
}

TEST(CompatTensor, RandomFills) {
  torch::manual_seed(3);
  auto x = torch::empty({1000});
  x.random_(0, 10);
  EXPECT_GE(x.min().item<float>(), 0.0f);
  EXPECT_LE(x.max().item<float>(), 9.0f);
  EXPECT_TRUE(x.to(torch::kInt64).to(torch::kFloat).equal(x));
  auto b = torch::empty({1000}, torch::kInt64);
  b.random_(5);
  EXPECT_LE(b.max().item<int64_t>(), 4);
  auto bern = torch::empty({4000}).bernoulli_(0.25);
  double mean = bern.mean().item<double>();
  EXPECT_GT(mean, 0.2);
  EXPECT_LT(mean, 0.3);
  auto p = torch::full({2000}, 0.75);
  EXPECT_NEAR(torch::bernoulli(p).mean().item<double>(), 0.75, 0.05);
  auto u = torch::empty({2000}).uniform_(-1, 1);
  EXPECT_GE(u.min().item<float>(), -1.0f);
  EXPECT_LT(u.max().item<float>(), 1.0f);
  EXPECT_NEAR(torch::empty({4000}, torch::kFloat64).normal_(2, 0.5).mean().item<double>(), 2.0, 0.05);
  EXPECT_TRUE(contains(error_of([&] { x.random_(5, 1); }), "random_ expects 'from' to be less than 'to'"));
  EXPECT_TRUE(contains(error_of([&] { x.uniform_(2, 1); }), "uniform_ expects to return a [from, to) range"));
}

TEST(CompatTensor, ArangeOverloads) {
  EXPECT_EQ(torch::arange(5).dtype(), torch::kInt64);
  EXPECT_EQ(torch::arange(5, torch::kFloat).dtype(), torch::kFloat);
  EXPECT_EQ(torch::arange(2, 7).sum().item<int64_t>(), 20);
  EXPECT_EQ(torch::arange(2, 7, torch::kDouble).dtype(), torch::kDouble);
  EXPECT_EQ(torch::arange(0, 10, 3).sizes().vec(), (std::vector<int64_t>{4}));
  EXPECT_EQ(torch::arange(0.0, 1.0, 0.25, torch::kFloat64).numel(), 4);
  EXPECT_EQ(torch::arange(0, 1, 0.5).dtype(), torch::kFloat);
}

TEST(CompatIndexing, SeveralTensorIndices) {
  using torch::indexing::Slice;
  auto x = torch::arange(24, torch::kFloat).view({2, 3, 4});
  auto i = torch::tensor({0, 1, 1});
  auto j = torch::tensor({2, 0, 3});
  // Adjacent advanced indices: the result dims stand where they are.
  auto a = x.index({Slice(), torch::tensor({0, 2}), torch::tensor({1, 3})});
  EXPECT_EQ(a.sizes().vec(), (std::vector<int64_t>{2, 2}));
  EXPECT_FLOAT_EQ(a.index({1, 1}).item<float>(), 12 + 8 + 3);
  // Separated by a slice: the result dims come first.
  auto b = x.index({i, Slice(), j});
  EXPECT_EQ(b.sizes().vec(), (std::vector<int64_t>{3, 3}));
  EXPECT_FLOAT_EQ(b.index({2, 1}).item<float>(), 12 + 4 + 3);
  // Broadcast index tensors.
  auto c = x.index({torch::tensor({{0}, {1}}), 0, torch::tensor({1, 2})});
  EXPECT_EQ(c.sizes().vec(), (std::vector<int64_t>{2, 2}));
  EXPECT_FLOAT_EQ(c.index({1, 0}).item<float>(), 13.0f);
  // Gradients flow through it.
  auto w = torch::ones({3, 3}, torch::requires_grad());
  w.index({torch::tensor({0, 0, 2}), torch::tensor({1, 1, 2})}).sum().backward();
  EXPECT_FLOAT_EQ(w.grad().index({0, 1}).item<float>(), 2.0f);
  EXPECT_FLOAT_EQ(w.grad().index({2, 2}).item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(w.grad().sum().item<float>(), 3.0f);
  // And the same on the write side, also on a transposed (strided) tensor.
  auto y = torch::zeros({3, 4});
  y.index_put_({torch::tensor({0, 2}), torch::tensor({1, 3})}, torch::tensor({5.0f, 7.0f}));
  EXPECT_FLOAT_EQ(y.index({2, 3}).item<float>(), 7.0f);
  EXPECT_FLOAT_EQ(y.sum().item<float>(), 12.0f);
  auto t = torch::zeros({4, 3}).t();
  t.index_put_({torch::tensor({1, 2}), torch::tensor({0, 3})}, 1.0);
  EXPECT_FLOAT_EQ(t.index({1, 0}).item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(t.index({2, 3}).item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(t.sum().item<float>(), 2.0f);
}

TEST(CompatIndexing, BoolScalarsEllipsisAndNone) {
  using namespace torch::indexing;
  auto x = torch::arange(6, torch::kFloat).view({2, 3});
  auto t = x.index({true});
  EXPECT_EQ(t.sizes().vec(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_NE(t.data_ptr(), x.data_ptr());  // a copy, as advanced indexing
  EXPECT_EQ(x.index({false}).sizes().vec(), (std::vector<int64_t>{0, 2, 3}));
  auto e = x.index({"..."});
  EXPECT_FALSE(e.is_same(x));  // a new view of the same data
  EXPECT_EQ(e.data_ptr(), x.data_ptr());
  auto n = x.index({None, Ellipsis, None});
  EXPECT_EQ(n.sizes().vec(), (std::vector<int64_t>{1, 2, 3, 1}));
  EXPECT_EQ(n.data_ptr(), x.data_ptr());
  auto m = x.index({x > 2});
  EXPECT_EQ(m.sizes().vec(), (std::vector<int64_t>{3}));
  auto rowmask = x.index({torch::tensor({false, true})});
  EXPECT_EQ(rowmask.sizes().vec(), (std::vector<int64_t>{1, 3}));
}

TEST(CompatIndexing, ErrorsInLibtorchWords) {
  using namespace torch::indexing;
  auto x = torch::zeros({2, 3});
  EXPECT_TRUE(contains(error_of([&] { x.index({5}); }), "index 5 is out of bounds for dimension 0 with size 2"));
  EXPECT_TRUE(contains(error_of([&] { x.index({Slice(), 3}); }), "index 3 is out of bounds for dimension 1 with size 3"));
  EXPECT_TRUE(contains(error_of([&] { x.index({torch::tensor({0, 4})}); }), "index 4 is out of bounds for dimension 0 with size 2"));
  EXPECT_TRUE(contains(error_of([&] { x.index({0, 0, 0}); }), "too many indices for tensor of dimension 2"));
  EXPECT_TRUE(contains(error_of([&] { x.index({Ellipsis, Ellipsis}); }), "An index can only have a single ellipsis"));
  EXPECT_TRUE(contains(error_of([&] { x.index({torch::ones({2})}); }), "tensors used as indices must be long, int, byte or bool tensors"));
  EXPECT_TRUE(contains(error_of([&] { x.index_put_({torch::tensor({7})}, 1.0); }), "out of bounds"));
}
