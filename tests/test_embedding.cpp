// Embedding / EmbeddingBag: lookups against loops, padding_idx gradients, max_norm,
// from_pretrained, options, parameter names, compile(), CUDA, errors.
#include <sstream>

#include "ember/nn/embedding.h"
#include "test_util.h"

using namespace ember;
using namespace ember::testing;
namespace F = ember::nn::functional;
using TL = std::vector<Tensor>;

namespace {
Tensor idx(std::initializer_list<int64_t> v) { return tensor(std::vector<int64_t>(v), kInt64); }
}  // namespace

TEST(Embedding, LookupMatchesRowsAndShape) {
  manual_seed(1);
  nn::Embedding emb(10, 3);
  EXPECT_EQ(emb->weight.sizes(), IntArrayRef({10, 3}));
  auto names = emb->named_parameters().keys();
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0], "weight");
  Tensor i = tensor({{1, 2, 4}, {4, 3, 9}}, kInt64);
  Tensor out = emb->forward(i);
  ASSERT_EQ(out.sizes(), IntArrayRef({2, 3, 3}));
  auto vi = values(i);
  for (int p = 0; p < 6; ++p)
    EXPECT_TRUE(out.view({6, 3})[p].equal(emb->weight[static_cast<int64_t>(vi[p])]));
  // int32 indices, a 0-dim index.
  EXPECT_TRUE(emb->forward(i.to(kInt32)).equal(out));
  EXPECT_EQ(emb->forward(tensor(int64_t{3})).sizes(), IntArrayRef({3}));
  std::ostringstream os;
  os << *nn::Embedding(nn::EmbeddingOptions(10, 3).padding_idx(0).max_norm(1.5));
  EXPECT_EQ(os.str(), "torch::nn::Embedding(num_embeddings=10, embedding_dim=3, padding_idx=0, max_norm=1.5)");
}

TEST(Embedding, GradientAccumulatesRepeatsAndSkipsPaddingRow) {
  manual_seed(2);
  nn::Embedding emb(nn::EmbeddingOptions(5, 2).padding_idx(1));
  EXPECT_TRUE(emb->weight[1].equal(zeros({2})));  // the padding row starts at 0
  {
    NoGradGuard g;
    emb->weight[1].fill_(7);  // a non-zero padding row is still returned as is
  }
  Tensor i = idx({1, 3, 3, 0, 1});
  Tensor out = emb->forward(i);
  EXPECT_TRUE(out[0].equal(full({2}, 7.0)));
  (out * arange(10, kFloat32).view({5, 2})).sum().backward();
  Tensor g = emb->weight.grad();
  // row 3: positions 1 and 2 -> (2+4, 3+5); row 0: position 3 -> (6, 7); row 1: nothing.
  EXPECT_TRUE(g.equal(tensor({{6., 7.}, {0., 0.}, {0., 0.}, {6., 8.}, {0., 0.}}, kFloat32)));
  // padding_idx negative counts from the end.
  nn::Embedding neg(nn::EmbeddingOptions(5, 2).padding_idx(-1));
  EXPECT_EQ(*neg->options.padding_idx(), 4);
}

TEST(Embedding, GradcheckFloat64WithPaddingAndFreq) {
  manual_seed(3);
  Tensor i = idx({0, 2, 2, 3, 1});
  auto check = [&](const F::EmbeddingFuncOptions& o) {
    try {
      autograd::gradcheck([&](const TL& t) { return F::embedding(i, t[0], o) * 1.5; },
                          {randn({4, 3}, TensorOptions().dtype(kFloat64)).requires_grad_()});
    } catch (const Error& e) {
      ADD_FAILURE() << e.what();
    }
  };
  check({});
  // padding_idx: finite differences see the padding row, autograd by design does not; the other
  // rows' gradients are the plain lookup's.
  Tensor wp = randn({4, 3}, TensorOptions().dtype(kFloat64)).requires_grad_();
  Tensor up = randn({5, 3}, TensorOptions().dtype(kFloat64));
  (F::embedding(i, wp, F::EmbeddingFuncOptions().padding_idx(2)) * up).sum().backward();
  Tensor gp = wp.grad().clone();
  wp.grad().zero_();
  (F::embedding(i, wp) * up).sum().backward();
  Tensor expect = wp.grad().clone();
  expect[2].zero_();
  EXPECT_TRUE(gp.equal(expect));
  // scale_grad_by_freq: same values, gradients divided by each index's count.
  Tensor w = randn({4, 3}, TensorOptions().dtype(kFloat64)).requires_grad_();
  Tensor out = F::embedding(i, w, F::EmbeddingFuncOptions().scale_grad_by_freq(true));
  EXPECT_TRUE(out.equal(F::embedding(i, w.detach())));
  out.sum().backward();
  EXPECT_TRUE(close(w.grad(), tensor({{1., 1., 1.}, {1., 1., 1.}, {1., 1., 1.}, {1., 1., 1.}}, kFloat64)));
}

TEST(Embedding, MaxNormRenormalisesLookedUpRowsInPlace) {
  Tensor w = tensor({{3., 4.}, {0.3, 0.4}, {6., 8.}}, kFloat64).requires_grad_();
  Tensor out = F::embedding(idx({0, 1, 0}), w, F::EmbeddingFuncOptions().max_norm(1.0));
  // Row 0 (norm 5) scaled to 1 / (5 + 1e-7) * 5; row 1 (norm 0.5) unchanged; row 2 not looked up.
  double s = 1.0 / (5 + 1e-7);
  EXPECT_TRUE(close(w.detach(), tensor({{3 * s, 4 * s}, {0.3, 0.4}, {6., 8.}}, kFloat64), 1e-14, 1e-15));
  EXPECT_TRUE(close(out[0], tensor({3 * s, 4 * s}, kFloat64), 1e-14, 1e-15));
  EXPECT_TRUE(w.is_leaf());
  out.sum().backward();
  EXPECT_TRUE(w.grad().defined());
  // norm_type 1.
  Tensor w1 = tensor({{3., 4.}}, kFloat64);
  F::embedding(idx({0}), w1, F::EmbeddingFuncOptions().max_norm(6.0).norm_type(1));
  EXPECT_TRUE(close(w1, tensor({{3., 4.}}, kFloat64) * (6.0 / (7 + 1e-7)), 1e-14, 1e-15));
}

TEST(Embedding, FromPretrainedFreezeAndOptions) {
  Tensor pre = tensor({{1., 2.}, {3., 4.}, {5., 6.}});
  nn::Embedding frozen = nn::Embedding::from_pretrained(pre);
  EXPECT_FALSE(frozen->weight.requires_grad());
  EXPECT_TRUE(frozen->forward(idx({2, 0})).equal(tensor({{5., 6.}, {1., 2.}})));
  nn::Embedding trainable =
      nn::Embedding::from_pretrained(pre, nn::EmbeddingFromPretrainedOptions().freeze(false).padding_idx(0));
  EXPECT_TRUE(trainable->weight.requires_grad());
  EXPECT_EQ(*trainable->options.padding_idx(), 0);
  EXPECT_TRUE(trainable->weight[0].equal(tensor({1., 2.})));  // pretrained rows are kept as given
  trainable->forward(idx({0, 1})).sum().backward();
  EXPECT_TRUE(trainable->weight.grad().equal(tensor({{0., 0.}, {1., 1.}, {0., 0.}})));
  // clone keeps values, not storage.
  auto copy = std::dynamic_pointer_cast<nn::EmbeddingImpl>(trainable->clone());
  EXPECT_TRUE(copy->weight.equal(trainable->weight));
  EXPECT_FALSE(copy->weight.data_ptr() == trainable->weight.data_ptr());
}

TEST(Embedding, ErrorsAsLibtorch) {
  nn::Embedding emb(4, 2);
  EXPECT_EMBER_ERROR(emb->forward(idx({0, 4})), "index out of range in self");
  EXPECT_EMBER_ERROR(emb->forward(idx({-1})), "index out of range in self");
  EXPECT_EMBER_ERROR(emb->forward(tensor({1.0})),
                     "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                     "Long, Int; but got Float instead (while checking arguments for embedding)");
  EXPECT_EMBER_ERROR((void)nn::Embedding(nn::EmbeddingOptions(4, 2).padding_idx(4)), "Padding_idx must be within num_embeddings");
  EXPECT_EMBER_ERROR((void)nn::Embedding(nn::EmbeddingOptions(4, 2).padding_idx(-5)), "Padding_idx must be within num_embeddings");
  EXPECT_EMBER_ERROR((void)nn::Embedding(nn::EmbeddingOptions(4, 2).sparse(true)), "sparse=true is not supported");
  EXPECT_EMBER_ERROR(nn::Embedding::from_pretrained(ones({3})), "Embeddings parameter is expected to be 2-dimensional");
  EXPECT_EMBER_ERROR((void)nn::Embedding(nn::EmbeddingOptions(4, 2)._weight(ones({3, 2}))),
                     "Shape of _weight does not match num_embeddings and embedding_dim");
  EXPECT_EMBER_ERROR(F::embedding(idx({0}), ones({3})), "'weight' must be 2-D");
}

TEST(Embedding, CompiledTrainingStepMatchesEager) {
  manual_seed(4);
  nn::Embedding a(nn::EmbeddingOptions(20, 8).padding_idx(0)), b(nn::EmbeddingOptions(20, 8).padding_idx(0));
  {
    NoGradGuard g;
    b->weight.copy_(a->weight);
  }
  Tensor i = randint(20, {4, 6}, kInt64);
  auto step = [](nn::Embedding& e, const Tensor& ix) {
    Tensor loss = e->forward(ix).pow(2).mean();
    loss.backward();
    return loss;
  };
  auto compiled = compile([&](const Tensor& ix) { return step(b, ix); });
  for (int s = 0; s < 2; ++s) {
    Tensor le = step(a, i), lc = compiled(i);
    EXPECT_TRUE(bitwise_equal(le, lc));
    EXPECT_TRUE(bitwise_equal(a->weight.grad(), b->weight.grad()));
    EXPECT_TRUE(b->weight.grad()[0].equal(zeros({8})));
  }
}

TEST(Embedding, CudaMatchesCpu) {
  EMBER_REQUIRE_CUDA();
  manual_seed(5);
  Device cuda(kCUDA, 0);
  Tensor w = randn({10, 4}).requires_grad_();
  Tensor wc = w.detach().to(cuda).requires_grad_();
  Tensor i = tensor({{1, 0, 3}, {0, 9, 3}}, kInt64);
  auto o = F::EmbeddingFuncOptions().padding_idx(0);
  Tensor a = F::embedding(i, w, o), b = F::embedding(i.to(cuda), wc, o);
  EXPECT_TRUE(a.equal(b.cpu()));
  a.sum().backward();
  b.sum().backward();
  EXPECT_TRUE(close(w.grad(), wc.grad().cpu()));
  Tensor m = randn({5, 3}) * 4, mc = m.to(cuda);
  F::embedding(idx({0, 2}), m, F::EmbeddingFuncOptions().max_norm(1.0));
  F::embedding(idx({0, 2}).to(cuda), mc, F::EmbeddingFuncOptions().max_norm(1.0));
  EXPECT_TRUE(close(m, mc.cpu(), 1e-5, 1e-6));
}

namespace {

// Bags by hand: rows of w summed / averaged / maxed per [start, end) range, pad left out.
Tensor bag_ref(const Tensor& w, const std::vector<int64_t>& ix, const std::vector<int64_t>& starts, int64_t T,
               const std::string& mode, const std::vector<double>& psw = {}, int64_t pad = -1) {
  int64_t B = static_cast<int64_t>(starts.size()), D = w.sizes()[1];
  auto wv = values(w);
  std::vector<double> out(B * D, 0.0);
  for (int64_t b = 0; b < B; ++b) {
    int64_t e = b + 1 < B ? starts[b + 1] : T, n = 0;
    for (int64_t d = 0; d < D; ++d) {
      double acc = mode == "max" ? -INFINITY : 0.0;
      n = 0;
      for (int64_t t = starts[b]; t < e; ++t) {
        if (ix[t] == pad) continue;
        double x = wv[ix[t] * D + d] * (psw.empty() ? 1.0 : psw[t]);
        acc = mode == "max" ? std::max(acc, x) : acc + x;
        ++n;
      }
      if (mode == "mean" && n) acc /= n;
      out[b * D + d] = n ? acc : 0.0;
    }
  }
  return tensor(out, TensorOptions().dtype(kFloat64)).view({B, D});
}

}  // namespace

TEST(EmbeddingBag, ModesWithOffsetsMatchLoops) {
  manual_seed(6);
  Tensor w = randn({10, 3}, TensorOptions().dtype(kFloat64));
  std::vector<int64_t> ix = {1, 2, 4, 5, 4, 3, 2, 9, 0};
  Tensor input = tensor(ix, kInt64);
  // bags [0,2), [2,2) (empty), [2,5), [5,9)
  Tensor offsets = idx({0, 2, 2, 5});
  std::vector<int64_t> starts = {0, 2, 2, 5};
  for (auto [mode, name] : std::vector<std::pair<nn::EmbeddingBagMode, std::string>>{
           {kSum, "sum"}, {kMean, "mean"}, {kMax, "max"}}) {
    Tensor out = F::embedding_bag(input, w, F::EmbeddingBagFuncOptions().offsets(offsets).mode(mode));
    EXPECT_TRUE(close(out, bag_ref(w, ix, starts, 9, name), 1e-12, 1e-12)) << name;
    // include_last_offset: the same bags with the end given.
    Tensor out2 = F::embedding_bag(input, w, F::EmbeddingBagFuncOptions().offsets(idx({0, 2, 2, 5, 9}))
                                                   .mode(mode).include_last_offset(true));
    EXPECT_TRUE(out2.equal(out)) << name;
    // padding_idx 4 is left out (and out of the mean's count)
    Tensor out3 = F::embedding_bag(input, w, F::EmbeddingBagFuncOptions().offsets(offsets).mode(mode).padding_idx(4));
    EXPECT_TRUE(close(out3, bag_ref(w, ix, starts, 9, name, {}, 4), 1e-12, 1e-12)) << name;
  }
  // per_sample_weights with sum
  std::vector<double> psw = {0.5, 1, 2, -1, 0.25, 3, 1, 1, 2};
  Tensor out = F::embedding_bag(input, w, F::EmbeddingBagFuncOptions().offsets(offsets).mode(kSum)
                                              .per_sample_weights(tensor(psw, TensorOptions().dtype(kFloat64))));
  EXPECT_TRUE(close(out, bag_ref(w, ix, starts, 9, "sum", psw), 1e-12, 1e-12));
  // 2-D input: fixed-length bags.
  Tensor in2 = tensor({{1, 2, 4}, {4, 3, 9}}, kInt64);
  for (auto [mode, name] : std::vector<std::pair<nn::EmbeddingBagMode, std::string>>{
           {kSum, "sum"}, {kMean, "mean"}, {kMax, "max"}}) {
    Tensor o2 = F::embedding_bag(in2, w, F::EmbeddingBagFuncOptions().mode(mode).padding_idx(4));
    EXPECT_TRUE(close(o2, bag_ref(w, {1, 2, 4, 4, 3, 9}, {0, 3}, 6, name, {}, 4), 1e-12, 1e-12)) << name;
  }
}

TEST(EmbeddingBag, ModuleGradcheckAndOptions) {
  manual_seed(7);
  nn::EmbeddingBag bag(nn::EmbeddingBagOptions(6, 2).mode(kSum).padding_idx(0));
  EXPECT_TRUE(bag->weight[0].equal(zeros({2})));
  EXPECT_EQ(bag->named_parameters().keys(), std::vector<std::string>{"weight"});
  std::ostringstream os;
  os << *bag;
  EXPECT_EQ(os.str(), "torch::nn::EmbeddingBag(num_embeddings=6, embedding_dim=2, mode=kSum, padding_idx=0)");
  // Distinct rows within each bag (max's gradient at ties is not what finite differences see).
  Tensor input = idx({0, 1, 3, 5, 2, 0}), offsets = idx({0, 3});
  Tensor psw = randn({6}, TensorOptions().dtype(kFloat64)).requires_grad_();
  for (auto mode : {nn::EmbeddingBagMode(kSum), nn::EmbeddingBagMode(kMean), nn::EmbeddingBagMode(kMax)}) {
    try {
      autograd::gradcheck(
          [&](const TL& t) {
            return F::embedding_bag(input, t[0], F::EmbeddingBagFuncOptions().offsets(offsets).mode(mode).padding_idx(2));
          },
          {randn({6, 2}, TensorOptions().dtype(kFloat64)).requires_grad_()});
    } catch (const Error& e) {
      ADD_FAILURE() << e.what();
    }
  }
  try {
    autograd::gradcheck(
        [&](const TL& t) {
          return F::embedding_bag(input, t[0], F::EmbeddingBagFuncOptions().offsets(offsets).mode(kSum).per_sample_weights(t[1]));
        },
        {randn({6, 2}, TensorOptions().dtype(kFloat64)).requires_grad_(), psw});
  } catch (const Error& e) {
    ADD_FAILURE() << e.what();
  }
  // The padding row gets no gradient through the module.
  bag->forward(idx({0, 1, 1, 5, 2, 0}), offsets).sum().backward();
  EXPECT_TRUE(bag->weight.grad()[0].equal(zeros({2})));
  EXPECT_TRUE(bag->weight.grad()[1].equal(full({2}, 2.0)));
  nn::EmbeddingBag pre = nn::EmbeddingBag::from_pretrained(tensor({{1., 2.}, {3., 4.}}),
                                                           nn::EmbeddingBagFromPretrainedOptions().mode(kMax));
  EXPECT_FALSE(pre->weight.requires_grad());
  EXPECT_TRUE(pre->forward(tensor({{0, 1}}, kInt64)).equal(tensor({{3., 4.}})));
}

TEST(EmbeddingBag, ErrorsAsLibtorch) {
  Tensor w = ones({5, 2});
  EXPECT_EMBER_ERROR(F::embedding_bag(idx({0, 1}), w), "offsets has to be a 1D Tensor but got null");
  EXPECT_EMBER_ERROR(F::embedding_bag(tensor({{0, 1}}, kInt64), w, F::EmbeddingBagFuncOptions().offsets(idx({0}))),
                     "If input is 2D, then offsets has to be None");
  EXPECT_EMBER_ERROR(F::embedding_bag(idx({0, 1}), w, F::EmbeddingBagFuncOptions().offsets(idx({0})).per_sample_weights(ones({2}))),
                     "per_sample_weights is only supported for mode='sum' (got mode='mean')");
  EXPECT_EMBER_ERROR(F::embedding_bag(idx({0, 1}), w, F::EmbeddingBagFuncOptions().offsets(idx({0})).mode(kSum).per_sample_weights(ones({3}))),
                     "then it must have the same shape as the input");
  EXPECT_EMBER_ERROR(F::embedding_bag(idx({0, 1}), w, F::EmbeddingBagFuncOptions().offsets(idx({1}))), "offsets[0] has to be 0");
  EXPECT_EMBER_ERROR(F::embedding_bag(idx({0, 7}), w, F::EmbeddingBagFuncOptions().offsets(idx({0}))), "index out of range in self");
  EXPECT_EMBER_ERROR(F::embedding_bag(ones({1, 1, 1}, kInt64), w), "input has to be 1D or 2D Tensor, but got Tensor of dimension 3");
  EXPECT_EMBER_ERROR((void)nn::EmbeddingBag(nn::EmbeddingBagOptions(4, 2).sparse(true)), "sparse=true is not supported");
}

TEST(EmbeddingBag, CompiledSumMeanMatchEagerAndCuda) {
  manual_seed(8);
  Tensor w = randn({12, 4}).requires_grad_();
  Tensor input = randint(12, {10}, kInt64), offsets = idx({0, 3, 3, 7});
  auto fn = [&](const Tensor& x, const Tensor& off) {
    return (F::embedding_bag(x, w, F::EmbeddingBagFuncOptions().offsets(off).mode(kMean)) +
            F::embedding_bag(x, w, F::EmbeddingBagFuncOptions().offsets(off).mode(kSum)))
        .pow(2)
        .sum();
  };
  Tensor le = fn(input, offsets);
  le.backward();
  Tensor g = w.grad().clone();
  w.grad().zero_();
  auto compiled = compile(fn);
  Tensor lc = compiled(input, offsets);
  lc.backward();
  EXPECT_TRUE(bitwise_equal(le, lc));
  EXPECT_TRUE(bitwise_equal(g, w.grad()));
  if (!cuda::is_available()) GTEST_SKIP() << "no CUDA device available (CPU part ran)";
  Device cuda(kCUDA, 0);
  for (auto mode : {nn::EmbeddingBagMode(kSum), nn::EmbeddingBagMode(kMean), nn::EmbeddingBagMode(kMax)}) {
    auto o = F::EmbeddingBagFuncOptions().mode(mode);
    EXPECT_TRUE(close(F::embedding_bag(input.to(cuda), w.detach().to(cuda), o.offsets(offsets.to(cuda))),
                      F::embedding_bag(input, w.detach(), o.offsets(offsets)), 1e-5, 1e-6));
  }
}
