// Custom autograd Functions (libtorch's torch::autograd::Function<T> shape).
#include "test_util.h"

using namespace ember;
using namespace ember::testing;
using autograd::AutogradContext;
using autograd::variable_list;

namespace {

struct MyReLU : autograd::Function<MyReLU> {
  static Tensor forward(AutogradContext* ctx, Tensor input) {
    ctx->save_for_backward({input});
    return input.clamp(0);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grad_output) {
    Tensor input = ctx->get_saved_variables()[0];
    Tensor grad_input = grad_output[0].clone();
    grad_input.index_put_({input < 0}, 0);
    return {grad_input};
  }
};

struct ScaleBy : autograd::Function<ScaleBy> {
  static Tensor forward(AutogradContext* ctx, Tensor x, double k, Tensor y) {
    ctx->saved_data["k"] = k;
    ctx->save_for_backward({x, y});
    return x * k + y * y;
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    auto saved = ctx->get_saved_variables();
    double k = ctx->saved_data["k"].toDouble();
    EXPECT_TRUE(ctx->needs_input_grad(0));
    EXPECT_FALSE(ctx->needs_input_grad(1));
    return {g[0] * k, Tensor(), ctx->needs_input_grad(2) ? g[0] * 2 * saved[1] : Tensor()};
  }
};

struct AddOneInPlace : autograd::Function<AddOneInPlace> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    x.add_(1);
    ctx->mark_dirty({x});
    return x;
  }
  static variable_list backward(AutogradContext*, variable_list g) { return {g[0]}; }
};

struct SortLike : autograd::Function<SortLike> {
  static variable_list forward(AutogradContext* ctx, Tensor x) {
    Tensor idx = x.argmax(0);
    Tensor doubled = x * 2;
    ctx->mark_non_differentiable({idx});
    return {doubled, idx};
  }
  static variable_list backward(AutogradContext*, variable_list g) { return {g[0] * 2}; }
};

struct WrongCount : autograd::Function<WrongCount> {
  static Tensor forward(AutogradContext*, Tensor x) { return x * 1; }
  static variable_list backward(AutogradContext*, variable_list g) { return {g[0], g[0]}; }
};

}  // namespace

TEST(CustomFunction, MyReLUMatchesClamp) {
  Tensor x = randn({5, 4}, TensorOptions().dtype(kFloat64).requires_grad(true));
  Tensor y = MyReLU::apply(x);
  EXPECT_EQ(y.grad_fn()->name(), "MyReLUBackward");
  EXPECT_TRUE(close(y, x.detach().clamp(0)));
  (y * y).sum().backward();
  EXPECT_TRUE(close(x.grad(), 2 * x.detach().clamp(0)));
}

TEST(CustomFunction, NonTensorArgumentsAndSavedData) {
  Tensor x = randn({3}, TensorOptions().dtype(kFloat64).requires_grad(true));
  Tensor y = randn({3}, TensorOptions().dtype(kFloat64).requires_grad(true));
  ScaleBy::apply(x, 3.0, y).sum().backward();
  EXPECT_TRUE(close(x.grad(), full({3}, 3.0, kFloat64)));
  EXPECT_TRUE(close(y.grad(), 2 * y.detach()));
  autograd::gradcheck([](const std::vector<Tensor>& t) { return ScaleBy::apply(t[0], 1.5, t[1]); }, {x, y});
}

TEST(CustomFunction, NoHistoryWhenNothingRequiresGrad) {
  Tensor x = randn({3});
  Tensor y = MyReLU::apply(x);
  EXPECT_FALSE(y.requires_grad());
  NoGradGuard g;
  Tensor z = randn({3}, TensorOptions().requires_grad(true));
  EXPECT_FALSE(MyReLU::apply(z).requires_grad());
}

TEST(CustomFunction, MarkDirtyBumpsVersionAndRebasesHistory) {
  Tensor leaf = randn({3}, TensorOptions().dtype(kFloat64).requires_grad(true));
  Tensor x = leaf * 2;
  uint32_t v = x._version();
  Tensor y = AddOneInPlace::apply(x);
  EXPECT_TRUE(y.is_same(x));
  EXPECT_GT(x._version(), v);
  EXPECT_EQ(x.grad_fn()->name(), "AddOneInPlaceBackward");
  y.sum().backward();
  EXPECT_TRUE(close(leaf.grad(), full({3}, 2.0, kFloat64)));
  EXPECT_EMBER_ERROR(AddOneInPlace::apply(leaf), "leaf Variable");
}

TEST(CustomFunction, MarkNonDifferentiable) {
  Tensor x = randn({4}, TensorOptions().dtype(kFloat64).requires_grad(true));
  auto outs = SortLike::apply(x);
  EXPECT_TRUE(outs[0].requires_grad());
  EXPECT_FALSE(outs[1].requires_grad());
  outs[0].sum().backward();
  EXPECT_TRUE(close(x.grad(), full({4}, 2.0, kFloat64)));
}

TEST(CustomFunction, WrongNumberOfGradientsIsAnError) {
  Tensor x = randn({2}, TensorOptions().requires_grad(true));
  EXPECT_EMBER_ERROR(WrongCount::apply(x).sum().backward(), "incorrect number of gradients");
}

TEST(CustomFunction, SavedTensorVersionIsChecked) {
  Tensor leaf = randn({3}, TensorOptions().requires_grad(true));
  Tensor x = leaf * 1;
  Tensor y = MyReLU::apply(x);
  x.add_(1);
  EXPECT_EMBER_ERROR(y.sum().backward(), "modified by an inplace operation");
}
