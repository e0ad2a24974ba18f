// Every class of bad input raises ember::Error (never an abort or garbage), and the message
// names the op and the offending shapes, dims, indices, dtypes or devices.
#include "test_util.h"

using namespace ember;
using namespace ember::testing;
using namespace ember::indexing;

TEST(Errors, AreEmberErrorsDerivedFromRuntimeError) {
  try {
    ones({2}) + ones({3});
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(dynamic_cast<const Error*>(&e), nullptr);
  }
}

TEST(Errors, ShapeMismatch) {
  EXPECT_EMBER_ERROR(ones({2, 3}).mm(ones({4, 5})), "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
  EXPECT_EMBER_ERROR(ones({2, 2, 3}).bmm(ones({2, 4, 5})), "bmm: mat1 and mat2 shapes cannot be multiplied (2x2x3 and 2x4x5)");
  EXPECT_EMBER_ERROR(ones({3}).dot(ones({2})), "expected tensor [3] and src [2]");
  EXPECT_EMBER_ERROR(cat({ones({2, 3}), ones({2, 4})}), "Expected size 3 but got size 4 for tensor number 1");
  EXPECT_EMBER_ERROR(stack({ones({2}), ones({3})}), "[2] at entry 0 and [3] at entry 1");
  EXPECT_EMBER_ERROR(ones({3}).add_(ones({2, 3})), "output with shape [3] doesn't match the broadcast shape [2, 3]");
  EXPECT_EMBER_ERROR(ones({2, 3}).view({4, 2}), "shape [4, 2] is invalid for input of size 6");
  EXPECT_EMBER_ERROR(ones({2, 3}).reshape({5}), "shape [5] is invalid for input of size 6");
  EXPECT_EMBER_ERROR(ones({2, 3}).expand({3, 3}), "expanded size of the tensor (3) must match the existing size (2)");
  EXPECT_EMBER_ERROR(ones({5, 3}).index_add(0, tensor({0, 1}), ones({2, 4})), "index_add: source of shape [2, 4]");
  EXPECT_EMBER_ERROR(ones({3}).masked_fill(ones({2, 3}, dtype(kBool)), 1), "masked_fill: mask of shape [2, 3]");
  EXPECT_EMBER_ERROR(ones({2, 3}).split(IntList{1, 2}), "sum exactly to 2");
  EXPECT_EMBER_ERROR(ones({2, 3}).sum_to_size({4}), "size [4] is not expandable to size [2, 3]");
  EXPECT_EMBER_ERROR(ones({3}).addmm(ones({2, 3}), ones({3, 2})), "addmm: shapes [3] and [2, 2] are not broadcastable");
  EXPECT_EMBER_ERROR(from_blob(nullptr, {2, 3}, {1}), "from_blob: got 2 sizes but 1 strides");
  EXPECT_EMBER_ERROR(ones({3}).masked_scatter(ones({3}, dtype(kBool)), ones({2})), "at least 3");
}

TEST(Errors, NotBroadcastable) {
  EXPECT_EMBER_ERROR(ones({2, 3}) + ones({4}), "Add: shapes [2, 3] and [4] are not broadcastable (dimension 1: 3 vs 4)");
  EXPECT_EMBER_ERROR(ones({2, 3}) * ones({3, 3}), "Mul: shapes [2, 3] and [3, 3] are not broadcastable");
  EXPECT_EMBER_ERROR(ones({2}) < ones({3}), "Lt: shapes [2] and [3]");
  EXPECT_EMBER_ERROR(where(ones({2}, dtype(kBool)), ones({3}), 0.0), "Where: shapes [2] and [3]");
  EXPECT_EMBER_ERROR(ones({2, 1}).clamp(std::optional<Tensor>(ones({3})), std::optional<Tensor>(ones({4}))),
                     "Clamp: shapes [2, 3] and [4]");
  EXPECT_EMBER_ERROR(ones({2, 2, 3}).matmul(ones({4, 3, 2})), "matmul: shapes [2] and [4]");
  EXPECT_EMBER_ERROR(ones({2}).masked_select(ones({3}, dtype(kBool))), "masked_select: shapes [2] and [3]");
}

TEST(Errors, BadDim) {
  Tensor x = ones({2, 3});
  EXPECT_EMBER_ERROR(x.sum({5}), "Sum: dimension out of range (expected to be in range of [-2, 1], but got 5)");
  EXPECT_EMBER_ERROR(x.max(-3), "MaxDim: dimension out of range");
  EXPECT_EMBER_ERROR(x.argmin(2), "dimension out of range");
  EXPECT_EMBER_ERROR(x.transpose(0, 2), "transpose: dimension out of range");
  EXPECT_EMBER_ERROR(x.select(2, 0), "select: dimension out of range");
  EXPECT_EMBER_ERROR(x.slice(-3), "slice: dimension out of range");
  EXPECT_EMBER_ERROR(x.unsqueeze(3), "unsqueeze: dimension out of range (expected to be in range of [-3, 2], but got 3)");
  EXPECT_EMBER_ERROR(x.squeeze(2), "squeeze: dimension out of range");
  EXPECT_EMBER_ERROR(x.permute({0, 2}), "permute: dimension out of range");
  EXPECT_EMBER_ERROR(x.permute({0}), "permute: number of dims don't match");
  EXPECT_EMBER_ERROR(x.flatten(0, 2), "flatten: dimension out of range");
  EXPECT_EMBER_ERROR(cat({x, x}, 2), "cat: dimension out of range");
  EXPECT_EMBER_ERROR(stack({x, x}, 4), "stack: dimension out of range");
  EXPECT_EMBER_ERROR(x.size(2), "size: dimension out of range");
  EXPECT_EMBER_ERROR(softmax(x, 2), "dimension out of range");
  EXPECT_EMBER_ERROR(x.gather(2, tensor({{0}})), "gather: dimension out of range");
  EXPECT_EMBER_ERROR(x.index_select(-3, tensor({0})), "index_select: dimension out of range");
  EXPECT_EMBER_ERROR(x.sum({1, -1}), "dim 1 appears multiple times in the list of dims");
  EXPECT_EMBER_ERROR(x.t().t().t().transpose(1, 5), "out of range");
}

TEST(Errors, IndexOutOfRange) {
  Tensor x = ones({2, 3});
  EXPECT_EMBER_ERROR(x.select(0, 2), "select: index 2 out of range for tensor of size [2, 3] at dimension 0");
  EXPECT_EMBER_ERROR(x[-3], "index -3 out of range");
  EXPECT_EMBER_ERROR(x.narrow(1, 2, 2), "narrow: start (2) + length (2) exceeds dimension size (3)");
  EXPECT_EMBER_ERROR(x.index_select(1, tensor({0, 3})), "index_select: index 3 is out of bounds for dimension with size 3");
  EXPECT_EMBER_ERROR(x.gather(1, tensor({{5}})), "gather: index 5 is out of bounds for dimension with size 3");
  EXPECT_EMBER_ERROR(x.scatter(0, tensor({{2}}), 1.0), "scatter: index 2 is out of bounds for dimension with size 2");
  EXPECT_EMBER_ERROR(x.scatter_add(1, tensor({{-1}}), ones({1, 1})), "scatter_add: index -1 is out of bounds");
  EXPECT_EMBER_ERROR(x.index_add(0, tensor({2}), ones({1, 3})), "index_add: index 2 is out of bounds");
  EXPECT_EMBER_ERROR(x.index({tensor({0, 2})}), "index 2 is out of bounds for dimension 0 with size 2");
  EXPECT_EMBER_ERROR(x.index({Slice(), tensor({-4})}), "index -4 is out of bounds for dimension 1 with size 3");
  EXPECT_EMBER_ERROR(x.index({0, 0, 0}), "too many indices for tensor of dimension 2");
  EXPECT_EMBER_ERROR(x.index({1, 3}), "index 3 is out of bounds for dimension 1 with size 3");
  EXPECT_EMBER_ERROR(x.index_put_({tensor({5})}, 0), "index 5 is out of bounds");
  EXPECT_EMBER_ERROR(x.item<float>(), "a Tensor with 6 elements cannot be converted to Scalar");
}

TEST(Errors, CudaUnavailableOrMixedDevices) {
  if (cuda::is_available()) {
    // With a device: mixing devices names both.
    Tensor g = ones({2}, Device(kCUDA));
    EXPECT_EMBER_ERROR(ones({2}) + g, "expected all tensors to be on the same device");
    EXPECT_EMBER_ERROR(ones({2, 2}).mm(ones({2, 2}, Device(kCUDA))), "cpu and cuda:0");
    EXPECT_EMBER_ERROR(cat({ones({2}), g}), "cat: expected all tensors to be on the same device");
    EXPECT_EMBER_ERROR(ones({3}).index_select(0, tensor({0}).cuda()), "index_select");
    return;
  }
  // Without one: creating or moving a CUDA tensor says CUDA is not available.
  EXPECT_EMBER_ERROR(zeros({2}, Device(kCUDA)), "not available");
  EXPECT_EMBER_ERROR(ones({2}).to(Device(kCUDA)), "not available");
  EXPECT_EMBER_ERROR(ones({2}).cuda(), "cuda:0");
  EXPECT_EMBER_ERROR(rand({2}, Device(kCUDA, 1)), "cuda:1");
  EXPECT_EMBER_ERROR(tensor({1.0}, TensorOptions().device(kCUDA)), "not available");
  EXPECT_EQ(cuda::device_count(), 0);
}

TEST(Errors, UnsupportedDtype) {
  Tensor i = ones({3}, dtype(kInt64)), b = ones({3}, dtype(kBool)), f = ones({3});
  EXPECT_EMBER_ERROR(i.mean(), "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: int64");
  EXPECT_EMBER_ERROR(b - b, "Sub: not supported for bool tensors");
  EXPECT_EMBER_ERROR(-b, "Neg: not supported for bool tensors");
  EXPECT_EMBER_ERROR(b.abs(), "bool");
  EXPECT_EMBER_ERROR(b.view({3, 1}).mm(b.view({1, 3})), "mm: not implemented for bool");
  EXPECT_EMBER_ERROR(f.mm(i.view({3, 1})), "expected 2-D tensors");
  EXPECT_EMBER_ERROR(f.view({1, 3}).mm(i.view({3, 1})), "float32 != int64");
  EXPECT_EMBER_ERROR(i.pow(-1), "integers to negative integer powers are not allowed");
  EXPECT_EMBER_ERROR(i & i, "bitwise operators are supported on bool tensors only (got int64)");
  EXPECT_EMBER_ERROR(f.masked_fill(i, 0), "masked_fill: expected a bool mask but got int64");
  EXPECT_EMBER_ERROR(where(i, f, f), "expected a bool condition but got int64");
  EXPECT_EMBER_ERROR(f.index({f}), "tensors used as indices must be long, int, byte or bool tensors");
  EXPECT_EMBER_ERROR(f.index_select(0, f), "index_select: expected an int64 or int32 index but got float32");
  EXPECT_EMBER_ERROR(f.gather(0, tensor({0}, dtype(kInt32))), "gather(): expected dtype int64 for index but got int32");
  EXPECT_EMBER_ERROR(f.scatter(0, tensor({0}), tensor({1.0}, dtype(kFloat64))), "expected self.dtype to be equal to src.dtype");
  EXPECT_EMBER_ERROR(i.add_(f), "Add_: result type float32 can't be cast to the desired output type int64");
  EXPECT_EMBER_ERROR(i.add(i, 0.5), "alpha must not be a floating point number");
  EXPECT_EMBER_ERROR(rand({2}, dtype(kInt32)), "rand: expected a floating point dtype but got int32");
  EXPECT_EMBER_ERROR(randn({2}, dtype(kBool)), "randn: expected a floating point dtype but got bool");
  EXPECT_EMBER_ERROR(i.requires_grad_(), "only Tensors of floating point dtype can require gradients (got int64)");
  EXPECT_EMBER_ERROR(f.data_ptr<int64_t>(), "data_ptr: expected dtype int64 but the tensor has dtype float32");
  EXPECT_EMBER_ERROR(set_default_dtype(kInt64), "only floating dtypes can be the default, got int64");
  EXPECT_EMBER_ERROR(dtype_from_name("float128"), "unknown dtype 'float128'");
}

TEST(Errors, ViewOfNonViewableStrides) {
  Tensor x = ones({2, 3, 4});
  EXPECT_EMBER_ERROR(x.transpose(0, 1).view({-1}),
                     "view size is not compatible with input tensor's size and stride (at least one dimension "
                     "spans across two contiguous subspaces): cannot view [3, 2, 4] with strides [4, 12, 1] as "
                     "[24]. Use .reshape(...) instead.");
  EXPECT_EMBER_ERROR(x.slice(2, 0, 3).view({18}), "Use .reshape(...) instead");
  EXPECT_EMBER_ERROR(x.permute({2, 0, 1}).view({8, 3}), "reshape");
  // Uniformly strided and mergeable dims do view.
  EXPECT_EQ(x.slice(2, 0, 4, 2).view({12}).strides(), (Shape{2}));
  EXPECT_EQ(x.permute({2, 0, 1}).view({4, 6}).strides(), (Shape{1, 4}));
  // reshape is the remedy.
  EXPECT_EQ(x.transpose(0, 1).reshape({-1}).sizes(), (Shape{24}));
}

TEST(Errors, UndefinedTensorUse) {
  Tensor u;
  EXPECT_FALSE(u.defined());
  EXPECT_EMBER_ERROR(u.sizes(), "called a method on an undefined tensor");
  EXPECT_EMBER_ERROR(u.dim(), "undefined tensor");
  EXPECT_EMBER_ERROR(u.add(1), "undefined tensor");
  EXPECT_EMBER_ERROR(u.sum(), "undefined tensor");
  EXPECT_EMBER_ERROR(u.clone(), "undefined tensor");
  EXPECT_EMBER_ERROR(u.data_ptr(), "undefined tensor");
  EXPECT_EMBER_ERROR(u.item<float>(), "undefined tensor");
  EXPECT_EMBER_ERROR(ones({2}) + u, "undefined tensor");
  EXPECT_EMBER_ERROR(ones({2}).copy_(u), "undefined tensor");
  EXPECT_EMBER_ERROR(ones({2, 2}).mm(u), "undefined tensor");
  EXPECT_EMBER_ERROR(cat({ones({2}), u}), "undefined tensor");
  EXPECT_EMBER_ERROR(u.view({1}), "undefined tensor");
  EXPECT_EMBER_ERROR(u.backward(), "grad");
  EXPECT_EQ(u.toString(), "[ Tensor (undefined) ]");
  EXPECT_FALSE(u.is_same(ones({1})));
}

TEST(Errors, InvalidArguments) {
  Tensor x = ones({4});
  EXPECT_EMBER_ERROR(x.slice(0, 0, 4, 0), "slice: step must be positive (got 0)");
  EXPECT_EMBER_ERROR(x.chunk(0), "chunk expects `chunks` to be greater than 0, got: 0");
  EXPECT_EMBER_ERROR(x.split(-2), "split expects split_size be non-negative");
  EXPECT_EMBER_ERROR(x.repeat({}), "can not be smaller than number of dimensions");
  EXPECT_EMBER_ERROR(x.clamp(std::optional<Scalar>(), std::optional<Scalar>()), "at least one of 'min' or 'max'");
  EXPECT_EMBER_ERROR(x.fill_(ones({2})), "fill_: only supports 0-dimension value tensor but got tensor with 1 dimensions");
  EXPECT_EMBER_ERROR(x.expand({2, 4}).add_(1), "more than one element of the written-to tensor refers to a single memory location");
  EXPECT_EMBER_ERROR(arange(0, 10, 0), "arange: step must be nonzero");
  EXPECT_EMBER_ERROR(arange(10, 0, 1), "upper bound and larger bound inconsistent with step sign");
  EXPECT_EMBER_ERROR(linspace(0, 1, -2), "linspace: number of steps must be non-negative (got -2)");
  EXPECT_EMBER_ERROR(eye(-2), "eye: n and m must be non-negative (got -2, -2)");
  EXPECT_EMBER_ERROR(randint(3, 3, {2}), "randint: expected low < high, but got low=3, high=3");
  EXPECT_EMBER_ERROR(zeros({-1}), "negative dimension -1 in size [-1]");
  EXPECT_EMBER_ERROR(x.uniform_(2, 1), "uniform_ expects to return a [from, to) range, but found from=2 > to=1");
  EXPECT_EMBER_ERROR(x.index({Ellipsis, Ellipsis}), "An index can only have a single ellipsis");
  EXPECT_EMBER_ERROR(tensor({{1, 2}, {3}}), "tensor: expected a list of length 2 at depth 1 but got length 1");
  EXPECT_EMBER_ERROR(Device("gpu:0"), "invalid device 'gpu:0'");
}
