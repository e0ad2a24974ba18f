// Indexing: index_select, gather, scatter/scatter_add, index_add, masked_select/scatter,
// nonzero, Tensor::index with every kind of index, index_put_, and out-of-range errors.
#include "reference.h"

using namespace ember;
using namespace ember::testing;
using namespace ember::indexing;
using ref::Ref;
using ref::at;
using ref::iota;

namespace {

Tensor longs(const Shape& s, const std::vector<double>& v) { return ref::make(s, v, kInt64); }
Tensor mask(const Shape& s, const std::vector<double>& v) { return ref::make(s, v, kBool); }

}  // namespace

TEST(Index, IndexSelect) {
  for (ScalarType dt : {kFloat32, kInt64, kBool, kFloat16, kInt8}) {
    SCOPED_TRACE(dtype_name(dt));
    Tensor x = ref::random_tensor({4, 5}, dt, -9, 9, 1);
    Ref xr = ref::read(x);
    Tensor i0 = longs({3}, {3, 0, 3});
    EXPECT_TRUE(ref::matches(x.index_select(0, i0), ref::gather(xr, {3, 5}, [](const std::vector<int64_t>& i) {
                               const int64_t m[] = {3, 0, 3};
                               return std::vector<int64_t>{m[i[0]], i[1]};
                             }),
                             dt, 0, 0));
    Tensor i1 = ref::make({4}, {4, 1, 1, 0}, kInt32);
    EXPECT_TRUE(ref::matches(index_select(x, -1, i1), ref::gather(xr, {4, 4}, [](const std::vector<int64_t>& i) {
                               const int64_t m[] = {4, 1, 1, 0};
                               return std::vector<int64_t>{i[0], m[i[1]]};
                             }),
                             dt, 0, 0));
    // Non-contiguous self and index.
    Tensor xt = x.t();
    Tensor is = longs({6}, {2, 9, 0, 9, 3, 9}).slice(0, 0, 6, 2);
    EXPECT_TRUE(ref::matches(xt.index_select(1, is), ref::gather(ref::read(xt), {5, 3}, [](const std::vector<int64_t>& i) {
                               const int64_t m[] = {2, 0, 3};
                               return std::vector<int64_t>{i[0], m[i[1]]};
                             }),
                             dt, 0, 0));
  }
  Tensor x = iota({4, 5});
  EXPECT_EQ(x.index_select(0, longs({0}, {})).sizes(), (Shape{0, 5}));
  EXPECT_EQ(x.index_select(1, scalar_tensor(2, dtype(kInt64))).sizes(), (Shape{4, 1}));
  EXPECT_EQ(scalar_tensor(5.0).index_select(0, longs({1}, {0})).dim(), 0);
  EXPECT_EMBER_ERROR(x.index_select(0, longs({2}, {1, 4})), "index 4 is out of bounds for dimension with size 4");
  EXPECT_EMBER_ERROR(x.index_select(0, longs({1}, {-1})), "out of bounds");
  EXPECT_EMBER_ERROR(x.index_select(0, ones({2})), "int64");
  EXPECT_EMBER_ERROR(x.index_select(0, longs({1, 1}, {0})), "must be a vector");
  EXPECT_EMBER_ERROR(x.index_select(2, longs({1}, {0})), "out of range");
}

TEST(Index, Gather) {
  Tensor x = iota({3, 4});
  Ref xr = ref::read(x);
  Tensor i0 = longs({2, 4}, {2, 0, 1, 2, 0, 0, 2, 1});
  Ref ir = ref::read(i0);
  EXPECT_TRUE(ref::matches(x.gather(0, i0), ref::gather(xr, {2, 4}, [&](const std::vector<int64_t>& i) {
                             return std::vector<int64_t>{static_cast<int64_t>(at(ir, i)), i[1]};
                           }),
                           kFloat32, 0, 0));
  Tensor i1 = longs({3, 2}, {3, 3, 0, 1, 2, 0});
  Ref ir1 = ref::read(i1);
  EXPECT_TRUE(ref::matches(gather(x, -1, i1), ref::gather(xr, {3, 2}, [&](const std::vector<int64_t>& i) {
                             return std::vector<int64_t>{i[0], static_cast<int64_t>(at(ir1, i))};
                           }),
                           kFloat32, 0, 0));
  // Non-contiguous self and index, other dtypes.
  Tensor xt = ref::random_tensor({4, 3}, kInt32, -50, 50, 3).t();
  Tensor it = longs({2, 3}, {0, 3, 1, 2, 2, 3}).t();  // [3, 2]
  Ref itr = ref::read(it), xtr = ref::read(xt);
  EXPECT_TRUE(ref::matches(xt.gather(1, it), ref::gather(xtr, {3, 2}, [&](const std::vector<int64_t>& i) {
                             return std::vector<int64_t>{i[0], static_cast<int64_t>(at(itr, i))};
                           }),
                           kInt32, 0, 0));
  EXPECT_EQ(x.gather(0, longs({0, 4}, {})).sizes(), (Shape{0, 4}));
  EXPECT_EMBER_ERROR(x.gather(0, longs({1, 1}, {3})), "index 3 is out of bounds");
  EXPECT_EMBER_ERROR(x.gather(1, longs({1, 1}, {-1})), "out of bounds");
  EXPECT_EMBER_ERROR(x.gather(0, ref::make({1, 1}, {0}, kInt32)), "int64");
  EXPECT_EMBER_ERROR(x.gather(0, longs({2}, {0, 0})), "same number of dimensions");
  EXPECT_EMBER_ERROR(x.gather(0, longs({1, 5}, {0, 0, 0, 0, 0})), "does not fit");
}

TEST(Index, ScatterAndScatterAdd) {
  Tensor x = zeros({3, 4});
  Tensor idx = longs({2, 4}, {0, 1, 2, 0, 2, 0, 1, 1});
  Tensor src = iota({2, 4}) + 1;
  // out[idx[i][j]][j] = src[i][j]
  std::vector<double> want(12, 0.0), want_add(12, 0.0);
  Ref ir = ref::read(idx), sr = ref::read(src);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j) {
      int r = static_cast<int>(ir.v[i * 4 + j]);
      want[r * 4 + j] = sr.v[i * 4 + j];
      want_add[r * 4 + j] += sr.v[i * 4 + j];
    }
  EXPECT_TRUE(ref::matches(x.scatter(0, idx, src), {3, 4}, want, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x, {3, 4}, std::vector<double>(12, 0.0), kFloat32, 0, 0));  // out of place
  EXPECT_TRUE(ref::matches(x.scatter_add(0, idx, src), {3, 4}, want_add, kFloat32, 0, 0));
  // Duplicates accumulate in scatter_add; along dim 1 too.
  Tensor dup = longs({1, 4}, {1, 1, 1, 3});
  EXPECT_TRUE(ref::matches(zeros({2, 4}).scatter_add(1, dup, ones({1, 4})), {2, 4}, {0, 3, 0, 1, 0, 0, 0, 0}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(zeros({2, 4}, dtype(kInt64)).scatter_add(-1, dup, ref::make({1, 4}, {1, 2, 3, 4}, kInt64)),
                           {2, 4}, {0, 6, 0, 4, 0, 0, 0, 0}, kInt64, 0, 0));
  // The value form.
  EXPECT_TRUE(ref::matches(zeros({2, 3}).scatter(1, longs({2, 1}, {2, 0}), 7.5), {2, 3}, {0, 0, 7.5, 7.5, 0, 0}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(zeros({2, 3}, dtype(kInt32)).scatter(1, longs({2, 1}, {2, 0}), 7), {2, 3}, {0, 0, 7, 7, 0, 0}, kInt32, 0, 0));
  // In place: writes through, bumps the version.
  Tensor y = zeros({3, 4});
  uint32_t v = y._version();
  y.scatter_(0, idx, src);
  EXPECT_TRUE(ref::matches(y, {3, 4}, want, kFloat32, 0, 0));
  EXPECT_EQ(y._version(), v + 1);
  y.scatter_add_(0, idx, src);
  std::vector<double> twice(12);
  for (int i = 0; i < 12; ++i) twice[i] = want[i] + want_add[i];
  EXPECT_TRUE(ref::matches(y, {3, 4}, twice, kFloat32, 0, 0));
  Tensor z = zeros({4, 3});
  z.t().scatter_(1, longs({1, 1}, {2}), 5.0);  // into a transposed view
  EXPECT_TRUE(ref::matches(z, {4, 3}, {0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0}, kFloat32, 0, 0));
  // bfloat16 accumulation.
  Tensor b = zeros({3}, dtype(kBFloat16));
  b.scatter_add_(0, longs({3}, {0, 0, 2}), ref::make({3}, {1.5, 2, 4}, kBFloat16));
  EXPECT_TRUE(ref::matches(b, {3}, {3.5, 0, 4}, kBFloat16, 0, 0));
  // Errors.
  EXPECT_EMBER_ERROR(x.scatter(0, longs({1, 1}, {3}), src), "index 3 is out of bounds");
  EXPECT_EMBER_ERROR(x.scatter(0, idx, src.to(kFloat64)), "dtype");
  EXPECT_EMBER_ERROR(x.scatter(0, idx, ones({1, 4})), "does not fit src");
  EXPECT_EMBER_ERROR(x.scatter_add(2, idx, src), "out of range");
  EXPECT_EMBER_ERROR(x.scatter(1, longs({1, 1}, {-1}), 1.0), "out of bounds");
}

TEST(Index, IndexAdd) {
  Tensor x = ones({5, 3});
  Tensor idx = longs({4}, {0, 4, 0, 2});
  Tensor src = iota({4, 3});
  std::vector<double> want(15, 1.0);
  Ref sr = ref::read(src);
  const int rows[] = {0, 4, 0, 2};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) want[rows[i] * 3 + j] += sr.v[i * 3 + j];
  EXPECT_TRUE(ref::matches(x.index_add(0, idx, src), {5, 3}, want, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x, {5, 3}, std::vector<double>(15, 1.0), kFloat32, 0, 0));
  uint32_t v = x._version();
  x.index_add_(0, idx, src);
  EXPECT_TRUE(ref::matches(x, {5, 3}, want, kFloat32, 0, 0));
  EXPECT_EQ(x._version(), v + 1);
  // Along dim 1, int32 index, non-contiguous source.
  Tensor y = zeros({2, 3}, dtype(kInt64));
  Tensor s = ref::make({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8}, kInt64).t();  // [2, 4]
  EXPECT_TRUE(ref::matches(y.index_add(1, ref::make({4}, {2, 2, 0, 1}, kInt32), s), {2, 3},
                           {5, 7, 1 + 3, 6, 8, 2 + 4}, kInt64, 0, 0));
  EXPECT_EMBER_ERROR(x.index_add(0, longs({1}, {5}), ones({1, 3})), "index 5 is out of bounds");
  EXPECT_EMBER_ERROR(x.index_add(0, idx, ones({4, 2})), "does not match");
  EXPECT_EMBER_ERROR(x.index_add(0, idx, ones({4, 3}, dtype(kFloat64))), "same dtype");
  EXPECT_EMBER_ERROR(x.index_add(0, longs({2, 2}, {0, 0, 0, 0}), ones({4, 3})), "vector");
}

TEST(Index, MaskedSelectAndScatter) {
  Tensor x = iota({2, 3});
  Tensor m = mask({2, 3}, {1, 0, 1, 0, 1, 1});
  EXPECT_TRUE(ref::matches(x.masked_select(m), {4}, {0, 2, 4, 5}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(masked_select(x, mask({3}, {0, 1, 0})), {2}, {1, 4}, kFloat32, 0, 0));
  // The input broadcasts to the mask too.
  EXPECT_TRUE(ref::matches(iota({3}).masked_select(m), {4}, {0, 2, 1, 2}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x.t().masked_select(mask({3, 2}, {1, 1, 0, 0, 0, 1})), {3}, {0, 3, 5}, kFloat32, 0, 0));
  EXPECT_EQ(x.masked_select(mask({2, 3}, {0, 0, 0, 0, 0, 0})).sizes(), (Shape{0}));
  EXPECT_EMBER_ERROR(x.masked_select(ones({2, 3})), "bool mask");
  EXPECT_EMBER_ERROR(x.masked_select(mask({2}, {1, 0})), "not broadcastable");
  // masked_scatter takes source elements in order.
  Tensor src = iota({6}) + 10;
  EXPECT_TRUE(ref::matches(x.masked_scatter(m, src), {2, 3}, {10, 1, 11, 3, 12, 13}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x.masked_scatter(mask({3}, {1, 0, 1}), src), {2, 3}, {10, 1, 11, 12, 4, 13}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x.t().masked_scatter(mask({3, 2}, {0, 1, 0, 1, 0, 0}), src), {3, 2}, {0, 10, 1, 11, 2, 5}, kFloat32, 0, 0));
  EXPECT_EMBER_ERROR(x.masked_scatter(m, iota({3})), "at least 4");
  EXPECT_EMBER_ERROR(x.masked_scatter(m, iota({6}, kInt64)), "same dtype");
  EXPECT_EMBER_ERROR(iota({3}).masked_scatter(m, src), "does not broadcast");
}

TEST(Index, Nonzero) {
  Tensor x = ref::make({2, 3}, {0, 1.5, 0, -2, 0, 3}, kFloat32);
  EXPECT_TRUE(ref::matches(x.nonzero(), {3, 2}, {0, 1, 1, 0, 1, 2}, kInt64, 0, 0));
  EXPECT_TRUE(ref::matches(nonzero(x.t()), {3, 2}, {0, 1, 1, 0, 2, 1}, kInt64, 0, 0));
  EXPECT_TRUE(ref::matches(mask({4}, {1, 0, 0, 1}).nonzero(), {2, 1}, {0, 3}, kInt64, 0, 0));
  EXPECT_EQ(zeros({2, 2}).nonzero().sizes(), (Shape{0, 2}));
  EXPECT_TRUE(ref::matches(ref::make({3}, {0, std::nan(""), -0.0}, kFloat64).nonzero(), {1, 1}, {1}, kInt64, 0, 0));
  Tensor big = zeros({3, 4, 5}, dtype(kInt32));
  big.data_ptr<int32_t>()[23] = 1;  // [1, 0, 3]
  big.data_ptr<int32_t>()[59] = 7;  // [2, 3, 4]
  EXPECT_TRUE(ref::matches(big.nonzero(), {2, 3}, {1, 0, 3, 2, 3, 4}, kInt64, 0, 0));
}

TEST(Index, BasicIndices) {
  Tensor x = iota({2, 3, 4});
  Ref xr = ref::read(x);
  Tensor a = x.index({1});
  EXPECT_EQ(a.data_ptr(), static_cast<float*>(x.data_ptr()) + 12);
  EXPECT_TRUE(ref::matches(a, Ref{{3, 4}, std::vector<double>(xr.v.begin() + 12, xr.v.end())}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x.index({-1, 2, -1}), {}, {23}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x.index({Slice(), 1}), {2, 4}, {4, 5, 6, 7, 16, 17, 18, 19}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x.index({Slice(), Slice(), Slice(1, None, 2)}), ref::gather(xr, {2, 3, 2}, [](const std::vector<int64_t>& i) {
                             return std::vector<int64_t>{i[0], i[1], 1 + 2 * i[2]};
                           }),
                           kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x.index({Ellipsis, 0}), {2, 3}, {0, 4, 8, 12, 16, 20}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x.index({"...", -1}), {2, 3}, {3, 7, 11, 15, 19, 23}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x.index({0, Ellipsis, 1}), {3}, {1, 5, 9}, kFloat32, 0, 0));
  EXPECT_EQ(x.index({None}).sizes(), (Shape{1, 2, 3, 4}));
  EXPECT_EQ(x.index({None, Ellipsis, 0}).sizes(), (Shape{1, 2, 3}));
  EXPECT_EQ(x.index({Ellipsis, None}).sizes(), (Shape{2, 3, 4, 1}));
  EXPECT_EQ(x.index({1, None, Slice(), 2}).sizes(), (Shape{1, 3}));
  EXPECT_EQ(x.index({Slice(None, None, 2), None, Slice(-2)}).sizes(), (Shape{1, 1, 2, 4}));
  EXPECT_EQ(x.index({true}).sizes(), (Shape{1, 2, 3, 4}));
  EXPECT_EQ(x.index({false}).sizes(), (Shape{0, 2, 3, 4}));
  EXPECT_EQ(x.index({}).sizes(), x.sizes());
  EXPECT_EMBER_ERROR(x.index({0, 0, 0, 0}), "too many indices");
  EXPECT_EMBER_ERROR(x.index({Ellipsis, Ellipsis}), "single ellipsis");
  EXPECT_EMBER_ERROR(x.index({2}), "index 2 is out of bounds for dimension 0 with size 2");
  EXPECT_EMBER_ERROR(x.index({0, -4}), "index -4 is out of bounds for dimension 1 with size 3");
  EXPECT_EMBER_ERROR(TensorIndex("..x"), "expected \"...\"");
}

TEST(Index, AdvancedIndices) {
  Tensor x = iota({3, 4});
  Ref xr = ref::read(x);
  // Long tensors, negative entries counting from the end.
  EXPECT_TRUE(ref::matches(x.index({longs({3}, {2, -3, -1})}), {3, 4}, {8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x[longs({2}, {1, 0})], {2, 4}, {4, 5, 6, 7, 0, 1, 2, 3}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x.index({Slice(), longs({2}, {-1, 1})}), {3, 2}, {3, 1, 7, 5, 11, 9}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x.index({1, longs({2}, {0, 3})}), {2}, {4, 7}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x.index({ref::make({2}, {2, 0}, kInt32)}), {2, 4}, {8, 9, 10, 11, 0, 1, 2, 3}, kFloat32, 0, 0));
  // A 2-D index tensor puts its shape in place of the indexed dim.
  Tensor i2 = longs({2, 2}, {0, 2, 1, 1});
  EXPECT_TRUE(ref::matches(x.index({Slice(), i2}), ref::gather(xr, {3, 2, 2}, [](const std::vector<int64_t>& i) {
                             const int64_t m[] = {0, 2, 1, 1};
                             return std::vector<int64_t>{i[0], m[i[1] * 2 + i[2]]};
                           }),
                           kFloat32, 0, 0));
  // Bool masks: over all dims, over leading dims, after a slice, and a 0-d mask.
  EXPECT_TRUE(ref::matches(x.index({x > 6.5}), {5}, {7, 8, 9, 10, 11}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x[x.lt(2)], {2}, {0, 1}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x.index({mask({3}, {1, 0, 1})}), {2, 4}, {0, 1, 2, 3, 8, 9, 10, 11}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x.index({Slice(), mask({4}, {0, 1, 1, 0})}), {3, 2}, {1, 2, 5, 6, 9, 10}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x.t().index({mask({4}, {1, 0, 0, 1})}), {2, 3}, {0, 4, 8, 3, 7, 11}, kFloat32, 0, 0));
  Tensor y = iota({2, 3, 4});
  EXPECT_TRUE(ref::matches(y.index({mask({2, 3}, {0, 1, 0, 0, 0, 1})}), {2, 4}, {4, 5, 6, 7, 20, 21, 22, 23}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(y.index({Slice(), mask({3}, {1, 0, 1}), Slice(1, 3)}), {2, 2, 2}, {1, 2, 9, 10, 13, 14, 21, 22}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(y.index({Ellipsis, longs({2}, {0, -1})}), ref::gather(ref::read(y), {2, 3, 2}, [](const std::vector<int64_t>& i) {
                             return std::vector<int64_t>{i[0], i[1], i[2] == 0 ? 0 : 3};
                           }),
                           kFloat32, 0, 0));
  // Errors.
  EXPECT_EMBER_ERROR(x.index({longs({1}, {3})}), "out of bounds");
  EXPECT_EMBER_ERROR(x.index({longs({1}, {-4})}), "out of bounds");
  EXPECT_EMBER_ERROR(x.index({ones({2})}), "tensors used as indices must be long");
  EXPECT_EMBER_ERROR(x.index({mask({2}, {1, 0})}), "shape of the mask");
  EXPECT_EMBER_ERROR(x.index({mask({3, 4, 1}, std::vector<double>(12, 1))}), "too many indices");
}

TEST(Index, IndexPutWithMasks) {
  // The notes' g.index_put_({h < 0}, 0) (the ReLU backward of the two-layer network).
  Tensor h = ref::make({2, 3}, {1, -2, 3, -4, 5, -6}, kFloat32);
  Tensor g = iota({2, 3}) + 1;
  uint32_t v = g._version();
  const Tensor& r = g.index_put_({h < 0}, 0);
  EXPECT_TRUE(r.is_same(g));
  EXPECT_TRUE(ref::matches(g, {2, 3}, {1, 0, 3, 0, 5, 0}, kFloat32, 0, 0));
  EXPECT_GT(g._version(), v);
  // A 0-dim tensor value; tensor values fill the true positions in order.
  g.index_put_({h > 2}, scalar_tensor(9.0));
  EXPECT_TRUE(ref::matches(g, {2, 3}, {1, 0, 9, 0, 9, 0}, kFloat32, 0, 0));
  g.index_put_({h < 0}, ref::make({3}, {-1, -2, -3}, kFloat32));
  EXPECT_TRUE(ref::matches(g, {2, 3}, {1, -1, 9, -2, 9, -3}, kFloat32, 0, 0));
  // Values of another dtype are cast.
  g.index_put_({h > 4}, ref::make({1}, {7}, kInt64));
  EXPECT_TRUE(ref::matches(g, {2, 3}, {1, -1, 9, -2, 7, -3}, kFloat32, 0, 0));
  // A mask over the leading dim, and after a slice.
  Tensor x = zeros({3, 4});
  x.index_put_({mask({3}, {1, 0, 1})}, 5);
  EXPECT_TRUE(ref::matches(x, {3, 4}, {5, 5, 5, 5, 0, 0, 0, 0, 5, 5, 5, 5}, kFloat32, 0, 0));
  Tensor y = zeros({3, 4});
  y.index_put_({Slice(), mask({4}, {1, 0, 1, 0})}, 5);
  EXPECT_TRUE(ref::matches(y, {3, 4}, {5, 0, 5, 0, 5, 0, 5, 0, 5, 0, 5, 0}, kFloat32, 0, 0));
  Tensor z = zeros({3, 4});
  z.index_put_({mask({3}, {0, 1, 1})}, ref::make({4}, {1, 2, 3, 4}, kFloat32));
  EXPECT_TRUE(ref::matches(z, {3, 4}, {0, 0, 0, 0, 1, 2, 3, 4, 1, 2, 3, 4}, kFloat32, 0, 0));
  // Through a transposed view, into its base.
  Tensor base = zeros({2, 3});
  Tensor t = base.t();
  t.index_put_({t.ge(0) && mask({3, 2}, {1, 0, 0, 1, 0, 0})}, 3);
  EXPECT_TRUE(ref::matches(base, {2, 3}, {3, 0, 0, 0, 3, 0}, kFloat32, 0, 0));
}

TEST(Index, IndexPutWithLongIndices) {
  Tensor x = zeros({3, 4});
  x.index_put_({longs({2}, {2, -3})}, ref::make({1, 4}, {1, 2, 3, 4}, kFloat32));
  EXPECT_TRUE(ref::matches(x, {3, 4}, {1, 2, 3, 4, 0, 0, 0, 0, 1, 2, 3, 4}, kFloat32, 0, 0));
  Tensor y = zeros({3, 4});
  y.index_put_({Slice(), longs({2}, {0, 2})}, ref::make({2}, {1, 2}, kFloat32));
  EXPECT_TRUE(ref::matches(y, {3, 4}, {1, 0, 2, 0, 1, 0, 2, 0, 1, 0, 2, 0}, kFloat32, 0, 0));
  Tensor z = zeros({3, 4});
  z.index_put_({Slice(1), longs({2}, {1, 3})}, ref::make({2, 2}, {1, 2, 3, 4}, kFloat32));
  EXPECT_TRUE(ref::matches(z, {3, 4}, {0, 0, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4}, kFloat32, 0, 0));
  Tensor w = zeros({3, 4});
  w.index_put_({1, longs({2}, {-1, 0})}, 8);
  EXPECT_TRUE(ref::matches(w, {3, 4}, {0, 0, 0, 0, 8, 0, 0, 8, 0, 0, 0, 0}, kFloat32, 0, 0));
  Tensor i = zeros({4}, dtype(kInt64));
  i.index_put_({longs({2}, {3, 1})}, ref::make({2}, {7.9, -1.5}, kFloat64));
  EXPECT_TRUE(ref::matches(i, {4}, {0, -1, 0, 7}, kInt64, 0, 0));
  // Basic indices only: a copy into the view.
  Tensor b = zeros({2, 3});
  b.index_put_({1, Slice(1)}, ref::make({2}, {4, 5}, kFloat32));
  EXPECT_TRUE(ref::matches(b, {2, 3}, {0, 0, 0, 0, 4, 5}, kFloat32, 0, 0));
  b.index_put_({Ellipsis, 0}, -1);
  EXPECT_TRUE(ref::matches(b, {2, 3}, {-1, 0, 0, -1, 4, 5}, kFloat32, 0, 0));
  // Errors leave the tensor untouched.
  Tensor e = zeros({3});
  EXPECT_EMBER_ERROR(e.index_put_({longs({1}, {3})}, 1), "out of bounds");
  EXPECT_EMBER_ERROR(e.index_put_({longs({1}, {-4})}, 1), "out of bounds");
  EXPECT_EMBER_ERROR(e.index_put_({longs({2}, {0, 1})}, ref::make({3}, {1, 2, 3}, kFloat32)), "expand");
  EXPECT_TRUE(ref::matches(e, {3}, {0, 0, 0}, kFloat32, 0, 0));
}

TEST(Index, InPlaceScatterFromItself) {
  // The source aliases the destination: the result must equal the one computed from a copy
  // (or the op must refuse), never a half-overwritten mix.
  Tensor x = ref::make({3}, {1, 2, 3}, kFloat32);
  x.scatter_(0, longs({3}, {1, 2, 0}), x);
  EXPECT_TRUE(ref::matches(x, {3}, {3, 1, 2}, kFloat32, 0, 0));
  Tensor y = ref::make({4}, {1, 2, 3, 4}, kFloat32);
  y.scatter_add_(0, longs({4}, {1, 2, 3, 0}), y);
  EXPECT_TRUE(ref::matches(y, {4}, {5, 3, 5, 7}, kFloat32, 0, 0));
  Tensor z = ref::make({3, 2}, {1, 2, 3, 4, 5, 6}, kFloat32);
  z.index_add_(0, longs({3}, {1, 2, 0}), z);
  EXPECT_TRUE(ref::matches(z, {3, 2}, {6, 8, 4, 6, 8, 10}, kFloat32, 0, 0));
  Tensor w = ref::make({4}, {1, 2, 3, 4}, kFloat32);
  w.slice(0, 1).scatter_(0, longs({3}, {0, 1, 2}), w.slice(0, 0, 3));
  EXPECT_TRUE(ref::matches(w, {4}, {1, 1, 2, 3}, kFloat32, 0, 0));
  Tensor m = ref::make({4}, {1, 2, 3, 4}, kFloat32);
  m.index_put_({m > 1}, m.slice(0, 0, 3));
  EXPECT_TRUE(ref::matches(m, {4}, {1, 1, 2, 3}, kFloat32, 0, 0));
}
