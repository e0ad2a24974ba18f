// einsum, baddbmm and multinomial: values against reference loops (float64), gradcheck,
// CPU/CUDA agreement, compile(), errors.
#include "ember/sequence_ops.h"
#include <set>

#include "test_util.h"

using namespace ember;
using namespace ember::testing;
using TL = std::vector<Tensor>;

namespace {

Tensor r64(IntArrayRef s) { return randn(s, TensorOptions().dtype(kFloat64)); }
Tensor g64(IntArrayRef s) { return r64(s).requires_grad_(true); }

void no_throw_gradcheck(const std::function<Tensor(const TL&)>& fn, const TL& in) {
  try {
    autograd::gradcheck(fn, in);
  } catch (const Error& e) {
    ADD_FAILURE() << e.what();
  }
}

}  // namespace

TEST(SequenceOps, EinsumAttentionScoresMatchLoops) {
  manual_seed(1);
  Tensor q = r64({2, 3, 4, 5}), k = r64({2, 3, 6, 5});
  Tensor s = einsum("bhqd,bhkd->bhqk", {q, k});
  ASSERT_EQ(s.sizes(), IntArrayRef({2, 3, 4, 6}));
  auto a = q.accessor<double, 4>(), b = k.accessor<double, 4>();
  Tensor sc = s.contiguous();
  auto o = sc.accessor<double, 4>();
  for (int bb = 0; bb < 2; ++bb)
    for (int h = 0; h < 3; ++h)
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 6; ++j) {
          double ref = 0;
          for (int d = 0; d < 5; ++d) ref += a[bb][h][i][d] * b[bb][h][j][d];
          EXPECT_NEAR(o[bb][h][i][j], ref, 1e-12);
        }
}

TEST(SequenceOps, EinsumCommonContractions) {
  manual_seed(2);
  Tensor A = r64({3, 4}), B = r64({4, 5}), x = r64({4}), y = r64({4});
  EXPECT_TRUE(close(einsum("ij,jk->ik", {A, B}), A.mm(B), 1e-12, 1e-12));
  EXPECT_TRUE(close(einsum("ij,jk", {A, B}), A.mm(B), 1e-12, 1e-12));  // implicit output
  EXPECT_TRUE(close(einsum("ij,jk->ki", {A, B}), A.mm(B).t(), 1e-12, 1e-12));
  Tensor ba = r64({2, 3, 4}), bb = r64({2, 4, 5});
  EXPECT_TRUE(close(einsum("bij,bjk->bik", {ba, bb}), ba.bmm(bb), 1e-12, 1e-12));
  Tensor dot = einsum("i,i->", {x, y});
  EXPECT_EQ(dot.dim(), 0);
  EXPECT_NEAR(dot.item<double>(), x.dot(y).item<double>(), 1e-12);
  EXPECT_TRUE(close(einsum("i,j->ij", {x, y}), x.unsqueeze(1) * y.unsqueeze(0), 1e-12, 1e-12));
  EXPECT_TRUE(close(einsum("ij->ji", {A}), A.t()));
  EXPECT_TRUE(close(einsum("ij->", {A}), A.sum(), 1e-12, 1e-12));
  EXPECT_TRUE(close(einsum("ij->j", {A}), A.sum({0}), 1e-12, 1e-12));
  Tensor sq = r64({4, 4});
  EXPECT_TRUE(close(einsum("ii->i", {sq}), sq.mul(eye(4, kFloat64)).sum({1}), 1e-12, 1e-12));
  EXPECT_NEAR(einsum("ii", {sq}).item<double>(), sq.mul(eye(4, kFloat64)).sum().item<double>(), 1e-12);
  // Ellipsis with broadcasting batch dims.
  Tensor e1 = r64({2, 1, 3, 4}), e2 = r64({5, 4, 6});
  Tensor ee = einsum("...ij,...jk->...ik", {e1, e2});
  EXPECT_TRUE(close(ee, e1.matmul(e2), 1e-12, 1e-12));
  // Three operands, a label summed in one only.
  Tensor c = r64({5, 2});
  EXPECT_TRUE(close(einsum("ij,jk,kl->il", {A, B, c}), A.mm(B).mm(c), 1e-12, 1e-12));
  EXPECT_TRUE(close(einsum("ij,k->i", {A, y}), A.sum({1}) * y.sum(), 1e-12, 1e-12));
  // Uppercase labels.
  EXPECT_TRUE(close(einsum("iJ,Jk->ik", {A, B}), A.mm(B), 1e-12, 1e-12));
}

TEST(SequenceOps, EinsumGradcheck) {
  manual_seed(3);
  no_throw_gradcheck([](const TL& t) { return einsum("bhqd,bhkd->bhqk", t); }, {g64({1, 2, 3, 2}), g64({1, 2, 4, 2})});
  no_throw_gradcheck([](const TL& t) { return einsum("...ij,...jk->...ik", t); }, {g64({2, 1, 2, 3}), g64({3, 3, 2})});
  no_throw_gradcheck([](const TL& t) { return einsum("ii->i", t); }, {g64({3, 3})});
  no_throw_gradcheck([](const TL& t) { return einsum("i,i->", t); }, {g64({4}), g64({4})});
}

TEST(SequenceOps, EinsumErrors) {
  Tensor A = ones({2, 3}), B = ones({3, 4});
  EXPECT_EMBER_ERROR(einsum("ij,jk->ik", {A}), "more operands were provided than specified");
  EXPECT_EMBER_ERROR(einsum("ij->ij", {A, B}), "more operands were provided than specified");
  EXPECT_EMBER_ERROR(einsum("ijk,jk->ik", {A, B}), "the number of subscripts in the equation (3) does not match "
                     "the number of dimensions (2) for operand 0 and no ellipsis was given");
  EXPECT_EMBER_ERROR(einsum("ij,jk->iz", {A, B}), "output subscript z does not appear in the equation");
  EXPECT_EMBER_ERROR(einsum("ij,jk->ii", {A, B}), "output subscript i appears more than once");
  EXPECT_EMBER_ERROR(einsum("i1,jk->ik", {A, B}), "invalid subscript given at index 1");
  EXPECT_EMBER_ERROR(einsum("ii->i", {A}), "subscript i is repeated for operand 0 but the sizes don't match, 2 != 3");
  EXPECT_EMBER_ERROR(einsum("ij,kj->ik", {A, B}), "einsum()");
  EXPECT_EMBER_ERROR(einsum("i.j->ij", {A}), "that is not part of any ellipsis");
}

TEST(SequenceOps, BaddbmmBetaAlpha) {
  manual_seed(4);
  Tensor s = r64({2, 3, 5}), b1 = r64({2, 3, 4}), b2 = r64({2, 4, 5});
  Tensor out = baddbmm(s, b1, b2, 0.5, 2.0);
  auto a = b1.accessor<double, 3>(), b = b2.accessor<double, 3>(), c = s.accessor<double, 3>();
  Tensor oc = out.contiguous();
  auto o = oc.accessor<double, 3>();
  for (int bb = 0; bb < 2; ++bb)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 5; ++j) {
        double ref = 0;
        for (int k = 0; k < 4; ++k) ref += a[bb][i][k] * b[bb][k][j];
        EXPECT_NEAR(o[bb][i][j], 0.5 * c[bb][i][j] + 2.0 * ref, 1e-12);
      }
  // self broadcasts; beta 0 ignores NaN in self.
  Tensor bias = r64({5});
  EXPECT_TRUE(close(bias.baddbmm(b1, b2), bias + b1.bmm(b2), 1e-12, 1e-12));
  Tensor nan = full({2, 3, 5}, std::nan(""), kFloat64);
  EXPECT_TRUE(close(baddbmm(nan, b1, b2, 0.0), b1.bmm(b2), 1e-12, 1e-12));
  no_throw_gradcheck([](const TL& t) { return baddbmm(t[0], t[1], t[2], 0.7, -1.3); },
                     {g64({1, 3}), g64({2, 1, 2}), g64({2, 2, 3})});
  EXPECT_EMBER_ERROR(baddbmm(s, r64({3, 4}), b2), "batch1 must be a 3D tensor");
  EXPECT_EMBER_ERROR(baddbmm(s, b1, r64({2, 5, 5})),
                     "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 5].");
}

TEST(SequenceOps, MultinomialFrequenciesAndZeros) {
  manual_seed(5);
  Tensor p = tensor({0.1, 0.0, 0.6, 0.3}, kFloat64);
  Tensor draws = multinomial(p, 20000, /*replacement=*/true);
  ASSERT_EQ(draws.sizes(), IntArrayRef({20000}));
  EXPECT_EQ(draws.dtype(), kInt64);
  auto v = values(draws);
  std::vector<double> freq(4, 0);
  for (double d : v) freq[static_cast<int>(d)] += 1.0 / 20000;
  EXPECT_EQ(freq[1], 0.0);
  EXPECT_NEAR(freq[0], 0.1, 0.01);
  EXPECT_NEAR(freq[2], 0.6, 0.015);
  EXPECT_NEAR(freq[3], 0.3, 0.015);
  // Without replacement: distinct, never a zero-weight category; all of them if asked.
  Tensor rows = tensor({{1.0, 2.0, 0.0, 4.0, 1.0}, {0.0, 1.0, 1.0, 1.0, 1.0}}, kFloat32);
  for (int rep = 0; rep < 50; ++rep) {
    Tensor d = multinomial(rows, 4);
    ASSERT_EQ(d.sizes(), IntArrayRef({2, 4}));
    auto dv = values(d);
    for (int r = 0; r < 2; ++r) {
      std::set<int> seen;
      for (int j = 0; j < 4; ++j) {
        int c = static_cast<int>(dv[r * 4 + j]);
        EXPECT_TRUE(seen.insert(c).second);
        EXPECT_NE(c, r == 0 ? 2 : 0);
      }
    }
  }
  // Unnormalised weights, first pick frequencies without replacement.
  Tensor w = tensor({1.0, 3.0}, kFloat64);
  auto first = values(multinomial(w.unsqueeze(0).expand({10000, 2}).contiguous(), 1));
  double ones_ = 0;
  for (double d : first) ones_ += d;
  EXPECT_NEAR(ones_ / 10000, 0.75, 0.02);
}

TEST(SequenceOps, MultinomialDeterministicForSeedAndGenerator) {
  Tensor p = tensor({0.2, 0.5, 0.3}, kFloat64);
  manual_seed(7);
  Tensor a = multinomial(p, 10, true);
  manual_seed(7);
  Tensor b = p.multinomial(10, true);
  EXPECT_TRUE(a.equal(b));
  Generator g(99), h(99);
  uint64_t before = default_generator().offset();
  Tensor c = multinomial(p, 10, true, &g);
  EXPECT_EQ(default_generator().offset(), before);  // the default stream is untouched
  EXPECT_GT(g.offset(), 0u);
  EXPECT_TRUE(c.equal(multinomial(p, 10, true, &h)));
}

TEST(SequenceOps, MultinomialErrors) {
  EXPECT_EMBER_ERROR(multinomial(tensor({1, 2}), 1), "multinomial only supports floating-point dtypes for input");
  EXPECT_EMBER_ERROR(multinomial(ones({2, 2, 2}), 1), "prob_dist must be 1 or 2 dim");
  EXPECT_EMBER_ERROR(multinomial(ones({3}), 0), "cannot sample n_sample <= 0 samples");
  EXPECT_EMBER_ERROR(multinomial(ones({3}), 4), "cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  EXPECT_EMBER_ERROR(multinomial(tensor({1.0, -1.0}), 1, true), "probability tensor contains either `inf`, `nan` or element < 0");
  EXPECT_EMBER_ERROR(multinomial(zeros({3}), 1, true), "invalid multinomial distribution (sum of probabilities <= 0)");
  EXPECT_EMBER_ERROR(multinomial(tensor({1.0, 0.0, 0.0}), 2), "not enough non-negative category to sample");
}

TEST(SequenceOps, CompiledEinsumMatchesEager) {
  manual_seed(8);
  Tensor q = randn({2, 2, 3, 4}).requires_grad_(), k = randn({2, 2, 5, 4}).requires_grad_();
  auto fn = [](const Tensor& a, const Tensor& b) { return softmax(einsum("bhqd,bhkd->bhqk", {a, b}), -1).sum(); };
  auto compiled = compile(fn);
  Tensor le = fn(q, k);
  le.backward();
  Tensor gq = q.grad().clone();
  q.grad().zero_();
  Tensor lc = compiled(q, k);
  lc.backward();
  EXPECT_TRUE(bitwise_equal(le, lc));
  EXPECT_TRUE(bitwise_equal(gq, q.grad()));
}

TEST(SequenceOps, CudaMatchesCpu) {
  EMBER_REQUIRE_CUDA();
  manual_seed(9);
  Tensor q = randn({2, 3, 4, 5}), k = randn({2, 3, 6, 5});
  Device cuda(kCUDA, 0);
  EXPECT_TRUE(close(einsum("bhqd,bhkd->bhqk", {q.to(cuda), k.to(cuda)}), einsum("bhqd,bhkd->bhqk", {q, k}), 1e-4, 1e-5));
  Tensor s = randn({2, 4, 6}), b1 = randn({2, 4, 5}), b2 = randn({2, 5, 6});
  EXPECT_TRUE(close(baddbmm(s.to(cuda), b1.to(cuda), b2.to(cuda), 0.5, 2), baddbmm(s, b1, b2, 0.5, 2), 1e-4, 1e-5));
  Tensor p = rand({3, 50}, kFloat64) + 0.01;
  manual_seed(10);
  Tensor on_cpu = multinomial(p, 20, true), cpu_norep = multinomial(p, 10);
  manual_seed(10);
  Tensor on_cuda = multinomial(p.to(cuda), 20, true), cuda_norep = multinomial(p.to(cuda), 10);
  EXPECT_TRUE(on_cpu.equal(on_cuda.cpu()));
  EXPECT_TRUE(cpu_norep.equal(cuda_norep.cpu()));
}
