// Views and shape ops: view/reshape/flatten/permute/expand/squeeze/unsqueeze/slice/select/
// narrow, cat/stack/split/chunk/unbind, clone/contiguous/repeat; views share storage and
// the version counter with their base.
#include "reference.h"

using namespace ember;
using namespace ember::testing;
using ref::Ref;
using ref::at;
using ref::iota;

namespace {

bool shares_storage(const Tensor& a, const Tensor& b) { return a.impl().storage == b.impl().storage; }

}  // namespace

TEST(Shape, SizeStrideAndContiguity) {
  Tensor x = zeros({2, 3, 4});
  EXPECT_EQ(x.size(-1), 4);
  EXPECT_EQ(x.size(0), 2);
  EXPECT_EQ(x.stride(0), 12);
  EXPECT_EQ(x.stride(-2), 4);
  EXPECT_EQ(x.dim(), 3);
  EXPECT_EQ(x.ndimension(), 3);
  EXPECT_EQ(x.numel(), 24);
  EXPECT_EQ(x.nbytes(), 96u);
  EXPECT_EQ(x.element_size(), 4u);
  EXPECT_TRUE(x.is_contiguous());
  EXPECT_FALSE(x.transpose(0, 1).is_contiguous());
  EXPECT_TRUE(x.slice(0, 0, 1).is_contiguous());
  EXPECT_FALSE(x.slice(2, 0, 4, 2).is_contiguous());
  EXPECT_TRUE(zeros({3, 1}).t().is_contiguous());
  EXPECT_EMBER_ERROR(x.size(3), "out of range");
  EXPECT_EMBER_ERROR(x.stride(-4), "out of range");
}

TEST(Shape, View) {
  Tensor x = iota({2, 3, 4});
  Tensor v = x.view({4, -1});
  EXPECT_EQ(v.sizes(), (Shape{4, 6}));
  EXPECT_EQ(v.data_ptr(), x.data_ptr());
  EXPECT_TRUE(ref::matches(v, ref::Ref{{4, 6}, ref::read(x).v}, kFloat32, 0, 0));
  EXPECT_EQ(x.view({-1}).sizes(), (Shape{24}));
  EXPECT_EQ(x.view({2, 1, 3, 1, 4}).sizes(), (Shape{2, 1, 3, 1, 4}));
  EXPECT_EQ(x.view_as(zeros({6, 4})).sizes(), (Shape{6, 4}));
  EXPECT_EQ(scalar_tensor(1.0).view({1, 1}).sizes(), (Shape{1, 1}));
  EXPECT_EQ(ones({1, 1}).view({}).dim(), 0);
  EXPECT_EQ(zeros({0, 3}).view({3, 0}).sizes(), (Shape{3, 0}));
  EXPECT_EMBER_ERROR(zeros({0, 3}).view({3, 0, -1}), "invalid for input of size 0");  // -1 is ambiguous
  // Views of views that stay viewable: splitting and merging dims of a transposed tensor.
  Tensor t = iota({4, 6}).t();  // [6, 4], strides [1, 6]
  Tensor tv = t.view({2, 3, 4});
  EXPECT_EQ(tv.strides(), (Shape{3, 1, 6}));
  EXPECT_TRUE(ref::matches(tv, ref::gather(ref::read(iota({4, 6})), {2, 3, 4},
                                          [](const std::vector<int64_t>& i) {
                                            return std::vector<int64_t>{i[2], i[0] * 3 + i[1]};
                                          }),
                           kFloat32, 0, 0));
  // Not viewable: the error says to use reshape.
  EXPECT_EMBER_ERROR(t.view({-1}), "reshape");
  EXPECT_EMBER_ERROR(x.transpose(1, 2).view({6, 4}), "view size is not compatible");
  EXPECT_EMBER_ERROR(x.view({5, -1}), "invalid for input of size 24");
  EXPECT_EMBER_ERROR(x.view({-1, -1}), "only one dimension can be inferred");
  EXPECT_EMBER_ERROR(x.view({2, 3, 5}), "invalid for input of size 24");
  EXPECT_EMBER_ERROR(x.view({-2, 12}), "invalid shape dimension -2");
}

TEST(Shape, Reshape) {
  Tensor x = iota({2, 3, 4});
  Tensor r = x.reshape({6, 4});
  EXPECT_EQ(r.data_ptr(), x.data_ptr());  // viewable: no copy
  Tensor t = x.transpose(0, 2);           // [4, 3, 2]
  Tensor rt = t.reshape({-1});
  EXPECT_NE(rt.data_ptr(), x.data_ptr());  // not viewable: a copy
  EXPECT_TRUE(ref::matches(rt, Ref{{24}, ref::read(t).v}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(reshape(t, {4, 6}), Ref{{4, 6}, ref::read(t).v}, kFloat32, 0, 0));
  EXPECT_EQ(t.reshape_as(zeros({12, 2})).sizes(), (Shape{12, 2}));
  EXPECT_EMBER_ERROR(x.reshape({7, -1}), "invalid for input of size 24");
  EXPECT_EMBER_ERROR(x.reshape({0, -1}), "invalid for input of size 24");
}

TEST(Shape, Flatten) {
  Tensor x = iota({2, 3, 4, 5});
  EXPECT_EQ(x.flatten().sizes(), (Shape{120}));
  EXPECT_EQ(x.flatten(1).sizes(), (Shape{2, 60}));
  EXPECT_EQ(x.flatten(1, 2).sizes(), (Shape{2, 12, 5}));
  EXPECT_EQ(flatten(x, -2, -1).sizes(), (Shape{2, 3, 20}));
  EXPECT_EQ(x.flatten(2, 2).sizes(), x.sizes());
  EXPECT_EQ(scalar_tensor(3.0).flatten().sizes(), (Shape{1}));
  Tensor p = x.permute({3, 2, 1, 0});
  EXPECT_TRUE(ref::matches(p.flatten(), Ref{{120}, ref::read(p).v}, kFloat32, 0, 0));
  EXPECT_EMBER_ERROR(x.flatten(2, 1), "start_dim cannot come after end_dim");
  EXPECT_EMBER_ERROR(x.flatten(0, 4), "out of range");
}

TEST(Shape, Permute) {
  Tensor x = iota({2, 3, 4});
  Tensor p = x.permute({2, 0, 1});
  EXPECT_EQ(p.sizes(), (Shape{4, 2, 3}));
  EXPECT_EQ(p.strides(), (Shape{1, 12, 4}));
  EXPECT_EQ(p.data_ptr(), x.data_ptr());
  EXPECT_TRUE(ref::matches(p, ref::gather(ref::read(x), {4, 2, 3}, [](const std::vector<int64_t>& i) {
                             return std::vector<int64_t>{i[1], i[2], i[0]};
                           }),
                           kFloat32, 0, 0));
  EXPECT_EQ(permute(x, {-1, -2, -3}).sizes(), (Shape{4, 3, 2}));
  EXPECT_EMBER_ERROR(x.permute({0, 1}), "number of dims don't match");
  EXPECT_EMBER_ERROR(x.permute({0, 1, 1}), "repeated dim");
  EXPECT_EMBER_ERROR(x.permute({0, 1, 3}), "out of range");
}

TEST(Shape, Expand) {
  Tensor x = iota({3, 1});
  Tensor e = x.expand({2, 3, 4});
  EXPECT_EQ(e.sizes(), (Shape{2, 3, 4}));
  EXPECT_EQ(e.strides(), (Shape{0, 1, 0}));
  EXPECT_EQ(e.data_ptr(), x.data_ptr());
  EXPECT_TRUE(ref::matches(e, ref::gather(ref::read(x), {2, 3, 4}, [](const std::vector<int64_t>& i) {
                             return std::vector<int64_t>{i[1], 0};
                           }),
                           kFloat32, 0, 0));
  EXPECT_EQ(x.expand({-1, 5}).sizes(), (Shape{3, 5}));
  EXPECT_EQ(x.expand_as(zeros({3, 2})).sizes(), (Shape{3, 2}));
  EXPECT_EQ(scalar_tensor(2.0).expand({2, 2}).strides(), (Shape{0, 0}));
  EXPECT_EQ(x.expand({0, 3, 1}).numel(), 0);
  EXPECT_EMBER_ERROR(x.expand({4, 1}), "must match the existing size (3) at non-singleton dimension 0");
  EXPECT_EMBER_ERROR(x.expand({3}), "must be greater or equal to the number of dimensions");
  EXPECT_EMBER_ERROR(x.expand({-1, 3, 2}), "not allowed in a leading, non-existing dimension");
}

TEST(Shape, SqueezeUnsqueeze) {
  Tensor x = iota({1, 3, 1, 2});
  EXPECT_EQ(x.squeeze().sizes(), (Shape{3, 2}));
  EXPECT_EQ(squeeze(x).sizes(), (Shape{3, 2}));
  EXPECT_EQ(x.squeeze(0).sizes(), (Shape{3, 1, 2}));
  EXPECT_EQ(x.squeeze(-2).sizes(), (Shape{1, 3, 2}));
  EXPECT_EQ(x.squeeze(1).sizes(), x.sizes());  // not size 1: unchanged
  EXPECT_EQ(x.squeeze().data_ptr(), x.data_ptr());
  EXPECT_EQ(ones({1, 1}).squeeze().dim(), 0);
  EXPECT_EQ(scalar_tensor(1.0).squeeze(0).dim(), 0);
  Tensor y = iota({3, 2});
  EXPECT_EQ(y.unsqueeze(0).sizes(), (Shape{1, 3, 2}));
  EXPECT_EQ(y.unsqueeze(1).sizes(), (Shape{3, 1, 2}));
  EXPECT_EQ(y.unsqueeze(2).sizes(), (Shape{3, 2, 1}));
  EXPECT_EQ(y.unsqueeze(-1).sizes(), (Shape{3, 2, 1}));
  EXPECT_EQ(unsqueeze(y, -3).sizes(), (Shape{1, 3, 2}));
  EXPECT_EQ(scalar_tensor(1.0).unsqueeze(0).sizes(), (Shape{1}));
  // unsqueeze of a non-contiguous tensor stays a view.
  Tensor t = y.t().unsqueeze(1);
  EXPECT_EQ(t.data_ptr(), y.data_ptr());
  EXPECT_TRUE(ref::matches(t, Ref{{2, 1, 3}, ref::read(y.t()).v}, kFloat32, 0, 0));
  EXPECT_EMBER_ERROR(y.unsqueeze(3), "out of range");
  EXPECT_EMBER_ERROR(y.unsqueeze(-4), "out of range");
  EXPECT_EMBER_ERROR(x.squeeze(4), "out of range");
}

TEST(Shape, Slice) {
  Tensor x = iota({10});
  auto vals = [](const Tensor& t) { return ref::read(t).v; };
  EXPECT_EQ(vals(x.slice(0, 2, 5)), (std::vector<double>{2, 3, 4}));
  EXPECT_EQ(vals(x.slice(0, -3)), (std::vector<double>{7, 8, 9}));
  EXPECT_EQ(vals(x.slice(0, 1, -6)), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(vals(x.slice(0, 1, 10, 3)), (std::vector<double>{1, 4, 7}));
  EXPECT_EQ(vals(x.slice(0, 0, 10, 4)), (std::vector<double>{0, 4, 8}));
  EXPECT_EQ(vals(x.slice(0, std::nullopt, std::nullopt, 5)), (std::vector<double>{0, 5}));
  EXPECT_EQ(vals(x.slice(0, -100, 100)), vals(x));
  EXPECT_EQ(x.slice(0, 6, 3).numel(), 0);
  EXPECT_EQ(x.slice(0, 20).numel(), 0);
  EXPECT_EQ(x.slice(0, -1, -5).numel(), 0);
  Tensor m = iota({4, 6});
  Tensor s = m.slice(1, 1, 6, 2);
  EXPECT_EQ(s.sizes(), (Shape{4, 3}));
  EXPECT_EQ(s.strides(), (Shape{6, 2}));
  EXPECT_EQ(s.storage_offset(), 1);
  EXPECT_TRUE(ref::matches(s, ref::gather(ref::read(m), {4, 3}, [](const std::vector<int64_t>& i) {
                             return std::vector<int64_t>{i[0], 1 + 2 * i[1]};
                           }),
                           kFloat32, 0, 0));
  Tensor ss = s.slice(0, 1, 4, 2).slice(-1, -2);
  EXPECT_TRUE(ref::matches(ss, {2, 2}, {9, 11, 21, 23}, kFloat32, 0, 0));
  EXPECT_EMBER_ERROR(x.slice(0, 0, 5, 0), "step must be positive");
  EXPECT_EMBER_ERROR(x.slice(0, 0, 5, -1), "step must be positive");
  EXPECT_EMBER_ERROR(x.slice(1), "out of range");
  EXPECT_EMBER_ERROR(scalar_tensor(1.0).slice(0), "0-dim");
}

TEST(Shape, SelectAndNarrow) {
  Tensor m = iota({3, 4});
  EXPECT_TRUE(ref::matches(m.select(0, 1), {4}, {4, 5, 6, 7}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(m.select(1, -1), {3}, {3, 7, 11}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(m[2], {4}, {8, 9, 10, 11}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(m[-3], {4}, {0, 1, 2, 3}, kFloat32, 0, 0));
  EXPECT_EQ(m.select(0, 0).select(0, 2).dim(), 0);
  EXPECT_EQ(m.select(1, 2).data_ptr(), static_cast<float*>(m.data_ptr()) + 2);
  EXPECT_EMBER_ERROR(m.select(0, 3), "out of range");
  EXPECT_EMBER_ERROR(m.select(1, -5), "out of range");
  EXPECT_EMBER_ERROR(m.select(2, 0), "out of range");
  EXPECT_EMBER_ERROR(scalar_tensor(1.0).select(0, 0), "0-dim");
  EXPECT_TRUE(ref::matches(m.narrow(1, 1, 2), {3, 2}, {1, 2, 5, 6, 9, 10}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(narrow(m, 0, -2, 2), {2, 4}, {4, 5, 6, 7, 8, 9, 10, 11}, kFloat32, 0, 0));
  EXPECT_EQ(m.narrow(0, 3, 0).numel(), 0);
  EXPECT_EMBER_ERROR(m.narrow(0, 2, 2), "exceeds dimension size");
  EXPECT_EMBER_ERROR(m.narrow(0, 4, 0), "out of range");
  EXPECT_EMBER_ERROR(m.narrow(0, 0, -1), "exceeds dimension size");
  EXPECT_EMBER_ERROR(scalar_tensor(1.0).narrow(0, 0, 1), "0-dim");
}

TEST(Shape, Cat) {
  Tensor a = iota({2, 3}), b = iota({1, 3}) + 100, c = iota({2, 2}) + 200;
  EXPECT_TRUE(ref::matches(cat({a, b}), {3, 3}, {0, 1, 2, 3, 4, 5, 100, 101, 102}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(cat({a, c}, 1), {2, 5}, {0, 1, 2, 200, 201, 3, 4, 5, 202, 203}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(cat({a, c}, -1), {2, 5}, {0, 1, 2, 200, 201, 3, 4, 5, 202, 203}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(cat({a}), {2, 3}, {0, 1, 2, 3, 4, 5}, kFloat32, 0, 0));
  EXPECT_EQ(cat({a}).data_ptr() == a.data_ptr(), false);  // always a new tensor
  // Non-contiguous inputs, and empty pieces.
  Tensor at = iota({3, 2}).t();
  EXPECT_TRUE(ref::matches(cat({at, a}, 0), {4, 3}, {0, 2, 4, 1, 3, 5, 0, 1, 2, 3, 4, 5}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(cat({a, zeros({0, 3}), b}), {3, 3}, {0, 1, 2, 3, 4, 5, 100, 101, 102}, kFloat32, 0, 0));
  // dtype promotion.
  Tensor i = ref::make({2}, {1, 2}, kInt32), f = ref::make({1}, {0.5}, kFloat64), h = ref::make({1}, {1.5}, kFloat16);
  EXPECT_TRUE(ref::matches(cat({i, f}), {3}, {1, 2, 0.5}, kFloat64, 0, 0));
  EXPECT_TRUE(ref::matches(cat({i, h}), {3}, {1, 2, 1.5}, kFloat16, 0, 0));
  EXPECT_TRUE(ref::matches(cat({ref::make({1}, {1}, kBool), i}), {3}, {1, 1, 2}, kInt32, 0, 0));
  EXPECT_TRUE(ref::matches(cat({ref::make({1}, {200}, kUInt8), ref::make({1}, {-1}, kInt8)}), {2}, {200, -1}, kInt16, 0, 0));
  // Errors.
  EXPECT_EMBER_ERROR(cat({}), "non-empty");
  EXPECT_EMBER_ERROR(cat({a, ones({3})}), "same number of dimensions");
  EXPECT_EMBER_ERROR(cat({a, ones({2, 4})}), "Expected size 3 but got size 4 for tensor number 1");
  EXPECT_EMBER_ERROR(cat({a, c}, 0), "sizes of tensors must match");
  EXPECT_EMBER_ERROR(cat({scalar_tensor(1.0), scalar_tensor(2.0)}), "zero-dimensional");
  EXPECT_EMBER_ERROR(cat({a, a}, 2), "out of range");
}

TEST(Shape, Stack) {
  Tensor a = iota({2, 3}), b = iota({2, 3}) + 10;
  Tensor s0 = stack({a, b});
  EXPECT_EQ(s0.sizes(), (Shape{2, 2, 3}));
  EXPECT_TRUE(ref::matches(s0, {2, 2, 3}, {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15}, kFloat32, 0, 0));
  Tensor s2 = stack({a, b}, 2);
  EXPECT_TRUE(ref::matches(s2, {2, 3, 2}, {0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(stack({a, b}, -1), {2, 3, 2}, {0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(stack({a, b}, 1), {2, 2, 3}, {0, 1, 2, 10, 11, 12, 3, 4, 5, 13, 14, 15}, kFloat32, 0, 0));
  EXPECT_EQ(stack({scalar_tensor(1.0), scalar_tensor(2.0)}).sizes(), (Shape{2}));
  EXPECT_EMBER_ERROR(stack({}), "non-empty");
  EXPECT_EMBER_ERROR(stack({a, ones({3, 2})}), "equal size");
  EXPECT_EMBER_ERROR(stack({a, b}, 3), "out of range");
}

TEST(Shape, SplitChunkUnbind) {
  Tensor x = iota({5, 2});
  auto parts = x.split(2);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_TRUE(ref::matches(parts[0], {2, 2}, {0, 1, 2, 3}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(parts[2], {1, 2}, {8, 9}, kFloat32, 0, 0));
  EXPECT_TRUE(shares_storage(parts[1], x));
  auto by_sizes = x.split(IntList{1, 4});
  ASSERT_EQ(by_sizes.size(), 2u);
  EXPECT_EQ(by_sizes[1].sizes(), (Shape{4, 2}));
  EXPECT_EQ(x.split_with_sizes({3, 0, 2})[1].numel(), 0);
  auto cols = split(x, 1, 1);
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_TRUE(ref::matches(cols[1], {5, 1}, {1, 3, 5, 7, 9}, kFloat32, 0, 0));
  EXPECT_EQ(x.split(10).size(), 1u);
  EXPECT_EMBER_ERROR(x.split(IntList{1, 2}), "sum exactly to 5");
  EXPECT_EMBER_ERROR(x.split(-1), "non-negative");
  EXPECT_EMBER_ERROR(x.split(0), "split_size can only be 0");
  auto ch = x.chunk(3);
  ASSERT_EQ(ch.size(), 3u);
  EXPECT_EQ(ch[0].sizes(), (Shape{2, 2}));
  EXPECT_EQ(ch[2].sizes(), (Shape{1, 2}));
  EXPECT_EQ(chunk(iota({6}), 4).size(), 3u);  // chunks of ceil(6/4) = 2
  EXPECT_EQ(iota({6}).chunk(6).size(), 6u);
  EXPECT_EMBER_ERROR(x.chunk(0), "greater than 0");
  auto rows = x.unbind();
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_TRUE(ref::matches(rows[3], {2}, {6, 7}, kFloat32, 0, 0));
  auto cs = x.unbind(1);
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_TRUE(ref::matches(cs[0], {5}, {0, 2, 4, 6, 8}, kFloat32, 0, 0));
  EXPECT_TRUE(shares_storage(cs[0], x));
}

TEST(Shape, CloneAndContiguous) {
  Tensor x = iota({3, 4});
  Tensor c = x.clone();
  EXPECT_NE(c.data_ptr(), x.data_ptr());
  EXPECT_TRUE(ref::matches(c, ref::read(x), kFloat32, 0, 0));
  c.add_(1);
  EXPECT_TRUE(ref::matches(x, ref::read(iota({3, 4})), kFloat32, 0, 0));  // untouched
  EXPECT_EQ(c._version(), 1u);
  EXPECT_EQ(x._version(), 0u);  // clones have their own version counter
  Tensor t = x.t();
  Tensor ct = t.contiguous();
  EXPECT_TRUE(ct.is_contiguous());
  EXPECT_EQ(ct.strides(), (Shape{3, 1}));
  EXPECT_TRUE(ref::matches(ct, ref::read(t), kFloat32, 0, 0));
  EXPECT_TRUE(x.contiguous().is_same(x));
  Tensor ctt = clone(t);
  EXPECT_TRUE(ref::matches(ctt, ref::read(t), kFloat32, 0, 0));
  for (ScalarType dt : {kBool, kInt8, kFloat16, kBFloat16, kInt64, kFloat64}) {
    Tensor y = ref::random_tensor({4, 5}, dt, -3, 3, 2).slice(1, 0, 5, 2);
    EXPECT_TRUE(ref::matches(y.clone(), ref::read(y), dt, 0, 0)) << dtype_name(dt);
    EXPECT_TRUE(ref::matches(y.contiguous(), ref::read(y), dt, 0, 0)) << dtype_name(dt);
  }
}

TEST(Shape, Repeat) {
  Tensor x = iota({2, 3});
  Tensor r = x.repeat({2, 3});
  EXPECT_EQ(r.sizes(), (Shape{4, 9}));
  EXPECT_TRUE(ref::matches(r, ref::gather(ref::read(x), {4, 9}, [](const std::vector<int64_t>& i) {
                             return std::vector<int64_t>{i[0] % 2, i[1] % 3};
                           }),
                           kFloat32, 0, 0));
  Tensor r3 = x.t().repeat({2, 1, 2});
  EXPECT_EQ(r3.sizes(), (Shape{2, 3, 4}));
  EXPECT_TRUE(ref::matches(r3, ref::gather(ref::read(x.t()), {2, 3, 4}, [](const std::vector<int64_t>& i) {
                             return std::vector<int64_t>{i[1], i[2] % 2};
                           }),
                           kFloat32, 0, 0));
  EXPECT_EQ(x.repeat({1, 0}).numel(), 0);
  EXPECT_EQ(scalar_tensor(4.0).repeat({3}).sizes(), (Shape{3}));
  // The result owns its memory.
  r.fill_(0);
  EXPECT_TRUE(ref::matches(x, ref::read(iota({2, 3})), kFloat32, 0, 0));
  EXPECT_EMBER_ERROR(x.repeat({2}), "can not be smaller than number of dimensions");
}

TEST(Shape, ViewsShareStorageAndVersionCounter) {
  Tensor x = iota({4, 6});
  const std::pair<const char*, std::function<Tensor(const Tensor&)>> views[] = {
      {"view", [](const Tensor& t) { return t.view({6, 4}); }},
      {"reshape", [](const Tensor& t) { return t.reshape({2, 12}); }},
      {"flatten", [](const Tensor& t) { return t.flatten(); }},
      {"t", [](const Tensor& t) { return t.t(); }},
      {"permute", [](const Tensor& t) { return t.permute({1, 0}); }},
      {"slice", [](const Tensor& t) { return t.slice(1, 1, 5, 2); }},
      {"select", [](const Tensor& t) { return t.select(0, 2); }},
      {"narrow", [](const Tensor& t) { return t.narrow(1, 2, 3); }},
      {"squeeze", [](const Tensor& t) { return t.unsqueeze(0).squeeze(0); }},
      {"unsqueeze", [](const Tensor& t) { return t.unsqueeze(1); }},
      {"split", [](const Tensor& t) { return t.split(2)[1]; }},
      {"chunk", [](const Tensor& t) { return t.chunk(3, 1)[2]; }},
      {"unbind", [](const Tensor& t) { return t.unbind(1)[4]; }},
      {"index", [](const Tensor& t) { return t.index({indexing::Slice(1, 3), 2}); }},
      {"detach", [](const Tensor& t) { return t.detach(); }},
  };
  for (const auto& [name, make_view] : views) {
    SCOPED_TRACE(name);
    Tensor base = iota({4, 6});
    Tensor v = make_view(base);
    EXPECT_TRUE(shares_storage(v, base));
    Ref before = ref::read(base);
    uint32_t ver = base._version();
    v.add_(1000);
    EXPECT_EQ(base._version(), ver + 1);
    EXPECT_EQ(v._version(), base._version());
    // Exactly the viewed elements changed, each by 1000.
    Ref after = ref::read(base);
    int changed = 0;
    for (size_t i = 0; i < after.v.size(); ++i) {
      if (after.v[i] != before.v[i]) {
        EXPECT_EQ(after.v[i], before.v[i] + 1000);
        ++changed;
      }
    }
    EXPECT_EQ(changed, v.numel());
    // And the view sees later writes to the base.
    base.zero_();
    EXPECT_TRUE(ref::matches(v, Ref{v.sizes(), std::vector<double>(static_cast<size_t>(v.numel()), 0.0)}, kFloat32, 0, 0));
  }
  // A copy does not share.
  Tensor x2 = x.t().reshape({-1});
  EXPECT_FALSE(shares_storage(x2, x));
}

TEST(Shape, SliceAndSelectScatter) {
  Tensor x = zeros({3, 4});
  Tensor src = iota({3, 2}) + 1;
  Tensor r = slice_scatter(x, src, 1, 0, 4, 2);
  EXPECT_TRUE(ref::matches(r, {3, 4}, {1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0}, kFloat32, 0, 0));
  EXPECT_TRUE(ref::matches(x, {3, 4}, std::vector<double>(12, 0.0), kFloat32, 0, 0));
  Tensor s = select_scatter(x, iota({4}) + 1, 0, -1);
  EXPECT_TRUE(ref::matches(s, {3, 4}, {0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, kFloat32, 0, 0));
  EXPECT_EMBER_ERROR(slice_scatter(x, iota({3, 3}), 1, 0, 4, 2), "expected src of shape [3, 2]");
}
