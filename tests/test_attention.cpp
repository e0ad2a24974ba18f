// scaled_dot_product_attention and MultiheadAttention: values against hand-written float64
// references, masks (bool / float / causal / key padding), gradcheck, dropout in train and
// eval, parameter names as libtorch's, compile(), CUDA, errors.
#include <cmath>
#include <limits>

#include "ember/nn/attention.h"
#include "test_util.h"

using namespace ember;
using namespace ember::testing;
namespace F = ember::nn::functional;
using TL = std::vector<Tensor>;

namespace {

TensorOptions f64() { return TensorOptions().dtype(kFloat64); }

// softmax(q k^T * scale + bias) v for one [L, E] x [S, E] x [S, Ev] problem, by loops; `allowed`
// false masks a score (-inf), `bias` is added.
std::vector<double> attention_ref(const std::vector<double>& q, const std::vector<double>& k,
                                  const std::vector<double>& v, int L, int S, int E, int Ev, double scale,
                                  const std::function<bool(int, int)>& allowed,
                                  const std::function<double(int, int)>& bias) {
  std::vector<double> out(static_cast<size_t>(L * Ev), 0.0);
  for (int i = 0; i < L; ++i) {
    std::vector<double> s(S);
    double mx = -std::numeric_limits<double>::infinity();
    for (int j = 0; j < S; ++j) {
      double d = 0;
      for (int e = 0; e < E; ++e) d += q[i * E + e] * k[j * E + e];
      s[j] = allowed(i, j) ? d * scale + bias(i, j) : -std::numeric_limits<double>::infinity();
      mx = std::max(mx, s[j]);
    }
    double z = 0;
    for (int j = 0; j < S; ++j) z += s[j] = std::exp(s[j] - mx);
    for (int j = 0; j < S; ++j)
      for (int e = 0; e < Ev; ++e) out[i * Ev + e] += s[j] / z * v[j * Ev + e];
  }
  return out;
}

std::vector<double> slice_vals(const Tensor& t, int64_t b, int64_t h) { return values(t[b][h]); }

void expect_vec_near(const std::vector<double>& a, const std::vector<double>& b, double tol) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], tol) << "element " << i;
}

void no_throw_gradcheck(const std::function<Tensor(const TL&)>& fn, const TL& in) {
  try {
    autograd::gradcheck(fn, in);
  } catch (const Error& e) {
    ADD_FAILURE() << e.what();
  }
}

}  // namespace

TEST(Attention, SdpaMatchesLoopsWithMasks) {
  manual_seed(1);
  const int B = 2, H = 2, L = 3, S = 4, E = 5, Ev = 3;
  Tensor q = randn({B, H, L, E}, f64()), k = randn({B, H, S, E}, f64()), v = randn({B, H, S, Ev}, f64());
  auto all = [](int, int) { return true; };
  auto nobias = [](int, int) { return 0.0; };
  Tensor plain = scaled_dot_product_attention(q, k, v);
  ASSERT_EQ(plain.sizes(), IntArrayRef({B, H, L, Ev}));
  // bool [L, S] mask broadcast over batch and heads (true = attend); float [H, 1, S] bias.
  Tensor bmask = tensor({{true, false, true, true}, {false, true, true, false}, {true, true, true, true}});
  Tensor fmask = randn({H, 1, S}, f64());
  Tensor with_bool = scaled_dot_product_attention(q, k, v, bmask);
  Tensor with_float = F::scaled_dot_product_attention(q, k, v, fmask);
  Tensor causal = scaled_dot_product_attention(q, k, v, std::nullopt, 0.0, /*is_causal=*/true);
  Tensor scaled = scaled_dot_product_attention(q, k, v, std::nullopt, 0.0, false, 0.3);
  auto bm = values(bmask);
  double sc = 1 / std::sqrt(5.0);
  for (int b = 0; b < B; ++b)
    for (int h = 0; h < H; ++h) {
      auto qv = slice_vals(q, b, h), kv = slice_vals(k, b, h), vv = slice_vals(v, b, h);
      expect_vec_near(slice_vals(plain, b, h), attention_ref(qv, kv, vv, L, S, E, Ev, sc, all, nobias), 1e-12);
      expect_vec_near(slice_vals(scaled, b, h), attention_ref(qv, kv, vv, L, S, E, Ev, 0.3, all, nobias), 1e-12);
      expect_vec_near(slice_vals(with_bool, b, h),
                      attention_ref(qv, kv, vv, L, S, E, Ev, sc, [&](int i, int j) { return bm[i * S + j] != 0; }, nobias),
                      1e-12);
      auto fm = values(fmask[h]);
      expect_vec_near(slice_vals(with_float, b, h),
                      attention_ref(qv, kv, vv, L, S, E, Ev, sc, all, [&](int, int j) { return fm[j]; }), 1e-12);
      expect_vec_near(slice_vals(causal, b, h),
                      attention_ref(qv, kv, vv, L, S, E, Ev, sc, [](int i, int j) { return j <= i; }, nobias), 1e-12);
    }
  // 3-D inputs (no head dim) and a fully masked row give NaN, as the composed libtorch path.
  Tensor q3 = randn({2, L, E}, f64()), k3 = randn({2, S, E}, f64()), v3 = randn({2, S, Ev}, f64());
  EXPECT_TRUE(close(scaled_dot_product_attention(q3, k3, v3),
                    softmax(q3.bmm(k3.transpose(1, 2)) * sc, -1).bmm(v3), 1e-12, 1e-12));
  Tensor none = zeros({L, S}, kBool);
  EXPECT_TRUE(std::isnan(values(scaled_dot_product_attention(q3, k3, v3, none))[0]));
}

TEST(Attention, SdpaGradcheck) {
  manual_seed(2);
  auto g = [](IntArrayRef s) { return randn(s, f64()).requires_grad_(); };
  no_throw_gradcheck([](const TL& t) { return scaled_dot_product_attention(t[0], t[1], t[2]); },
                     {g({1, 2, 3, 2}), g({1, 2, 4, 2}), g({1, 2, 4, 3})});
  no_throw_gradcheck([](const TL& t) { return scaled_dot_product_attention(t[0], t[1], t[2], std::nullopt, 0, true); },
                     {g({2, 3, 2}), g({2, 3, 2}), g({2, 3, 2})});
  Tensor m = tensor({{true, false, true}, {true, true, false}});
  no_throw_gradcheck([&](const TL& t) { return scaled_dot_product_attention(t[0], t[1], t[2], m); },
                     {g({2, 2}), g({3, 2}), g({3, 2})});
  no_throw_gradcheck([](const TL& t) { return scaled_dot_product_attention(t[0], t[1], t[2], t[3]); },
                     {g({2, 2}), g({3, 2}), g({3, 2}), g({2, 3})});
}

TEST(Attention, SdpaDropoutTrainOnlyAndSeeded) {
  manual_seed(3);
  Tensor q = randn({2, 4, 8}), k = randn({2, 6, 8}), v = randn({2, 6, 8});
  uint64_t before = default_generator().offset();
  Tensor a = scaled_dot_product_attention(q, k, v);
  EXPECT_EQ(default_generator().offset(), before);  // no draws without dropout
  manual_seed(4);
  Tensor d1 = scaled_dot_product_attention(q, k, v, std::nullopt, 0.5);
  manual_seed(4);
  Tensor d2 = scaled_dot_product_attention(q, k, v, std::nullopt, 0.5);
  EXPECT_TRUE(d1.equal(d2));
  EXPECT_FALSE(close(d1, a));
  // The same as dropping the weights by hand with the same seed.
  manual_seed(4);
  Tensor w = softmax(q.matmul(k.transpose(-2, -1)) / std::sqrt(8.0), -1);
  Tensor ref = dropout(w, 0.5, true).matmul(v);
  EXPECT_TRUE(close(d1, ref, 1e-5, 1e-6));
  EXPECT_TRUE(scaled_dot_product_attention(q, k, v, std::nullopt, 1.0).equal(zeros_like(a)));
}

TEST(Attention, SdpaErrors) {
  Tensor q = ones({2, 3, 4}), k = ones({2, 5, 4}), v = ones({2, 5, 4});
  EXPECT_EMBER_ERROR(scaled_dot_product_attention(q, k, v, ones({3, 5}, kBool), 0, true),
                     "Explicit attn_mask should not be set when is_causal=True");
  EXPECT_EMBER_ERROR(scaled_dot_product_attention(q, ones({2, 5, 3}), v), "must match");
  EXPECT_EMBER_ERROR(scaled_dot_product_attention(q, k, ones({2, 4, 4})), "positions but value has");
  EXPECT_EMBER_ERROR(scaled_dot_product_attention(q, k, v, std::nullopt, 1.5), "dropout probability has to be between 0 and 1");
  EXPECT_EMBER_ERROR(scaled_dot_product_attention(q, k, v, ones({3, 5}, kInt64)), "expected attn_mask dtype to be bool or float");
}

namespace {

// MultiheadAttention by hand: per batch element and head, the projections' row blocks, the
// scaled scores with masks, softmax, and the output projection; returns [L, N, E] and the
// head-averaged weights [N, L, S].
std::pair<Tensor, Tensor> mha_ref(const nn::MultiheadAttention& m, const Tensor& query, const Tensor& key,
                                  const Tensor& value, const Tensor& key_padding, const Tensor& attn_mask) {
  int64_t L = query.sizes()[0], N = query.sizes()[1], E = m->options.embed_dim(), H = m->options.num_heads();
  int64_t S = key.sizes()[0], hd = E / H;
  Tensor Wq = m->_qkv_same_embed_dim ? m->in_proj_weight.narrow(0, 0, E) : m->q_proj_weight;
  Tensor Wk = m->_qkv_same_embed_dim ? m->in_proj_weight.narrow(0, E, E) : m->k_proj_weight;
  Tensor Wv = m->_qkv_same_embed_dim ? m->in_proj_weight.narrow(0, 2 * E, E) : m->v_proj_weight;
  Tensor b = m->in_proj_bias;
  Tensor out = zeros({L, N, E}, f64()), avg = zeros({N, L, S}, f64());
  for (int64_t n = 0; n < N; ++n) {
    Tensor heads = zeros({L, E}, f64());
    for (int64_t h = 0; h < H; ++h) {
      Tensor q = query.select(1, n).mm(Wq.narrow(0, h * hd, hd).t()) + b.narrow(0, h * hd, hd);
      Tensor k = key.select(1, n).mm(Wk.narrow(0, h * hd, hd).t()) + b.narrow(0, E + h * hd, hd);
      Tensor v = value.select(1, n).mm(Wv.narrow(0, h * hd, hd).t()) + b.narrow(0, 2 * E + h * hd, hd);
      auto w = attention_ref(
          values(q), values(k), values(v), static_cast<int>(L), static_cast<int>(S), static_cast<int>(hd),
          static_cast<int>(hd), 1 / std::sqrt(static_cast<double>(hd)),
          [&](int i, int j) {
            bool ok = !key_padding.defined() || !key_padding[n][j].item<bool>();
            if (attn_mask.defined() && attn_mask.dtype() == kBool) ok = ok && !attn_mask[i][j].item<bool>();
            return ok;
          },
          [&](int i, int j) {
            return attn_mask.defined() && attn_mask.dtype() != kBool ? attn_mask[i][j].item<double>() : 0.0;
          });
      heads.narrow(1, h * hd, hd).copy_(tensor(w, f64()).view({L, hd}));
      // weights: recompute softmax of the masked scores for the average
      Tensor sc = q.mm(k.t()) / std::sqrt(static_cast<double>(hd));
      if (attn_mask.defined()) sc = attn_mask.dtype() == kBool ? sc.masked_fill(attn_mask, -INFINITY) : sc + attn_mask;
      if (key_padding.defined()) sc = sc.masked_fill(key_padding[n].unsqueeze(0), -INFINITY);
      avg[n] += softmax(sc, -1) / static_cast<double>(H);
    }
    out.select(1, n).copy_(heads.mm(m->out_proj->weight.t()) + m->out_proj->bias);
  }
  return {out, avg};
}

}  // namespace

TEST(MultiheadAttention, ParametersAsLibtorch) {
  nn::MultiheadAttention m(8, 2);
  auto p = m->named_parameters();
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p.keys(), (std::vector<std::string>{"in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"}));
  EXPECT_EQ(m->in_proj_weight.sizes(), IntArrayRef({24, 8}));
  EXPECT_TRUE(m->in_proj_bias.equal(zeros({24})));
  EXPECT_TRUE(m->out_proj->bias.equal(zeros({8})));
  double bound = std::sqrt(6.0 / (8 + 24));  // xavier_uniform_ on [3E, E]
  EXPECT_LE(m->in_proj_weight.abs().max().item<double>(), bound);
  EXPECT_GT(m->in_proj_weight.abs().max().item<double>(), 0.8 * bound);
  nn::MultiheadAttention kv(nn::MultiheadAttentionOptions(8, 2).kdim(4).vdim(6).add_bias_kv(true).bias(false));
  EXPECT_EQ(kv->named_parameters().keys(),
            (std::vector<std::string>{"q_proj_weight", "k_proj_weight", "v_proj_weight", "bias_k", "bias_v", "out_proj.weight"}));
  EXPECT_EQ(kv->k_proj_weight.sizes(), IntArrayRef({8, 4}));
  EXPECT_EQ(kv->v_proj_weight.sizes(), IntArrayRef({8, 6}));
  EXPECT_EQ(kv->bias_k.sizes(), IntArrayRef({1, 1, 8}));
  auto c = std::dynamic_pointer_cast<nn::MultiheadAttentionImpl>(kv->clone());
  EXPECT_TRUE(c->k_proj_weight.equal(kv->k_proj_weight));
  EXPECT_EQ(c->parameters().size(), 6u);
  EXPECT_EMBER_ERROR((void)nn::MultiheadAttention(8, 3), "embed_dim must be divisible by num_heads");
}

TEST(MultiheadAttention, ForwardMatchesReferenceWithMasks) {
  manual_seed(5);
  nn::MultiheadAttention m(6, 2);
  m->to(kFloat64);
  {
    NoGradGuard g;
    m->in_proj_bias.normal_();
    m->out_proj->bias.normal_();
  }
  const int64_t L = 3, S = 4, N = 2, E = 6;
  Tensor x = randn({L, N, E}, f64()), mem = randn({S, N, E}, f64());
  // self-attention (the packed projection)
  auto [o1, w1] = m->forward(x, x, x);
  auto [r1, rw1] = mha_ref(m, x, x, x, {}, {});
  EXPECT_TRUE(close(o1, r1, 1e-10, 1e-12));
  EXPECT_TRUE(close(w1, rw1, 1e-10, 1e-12));
  // cross-attention with key padding and a bool attn mask (true = excluded)
  Tensor kpm = tensor({{false, false, true, false}, {false, true, false, true}});
  Tensor am = tensor({{false, true, false, false}, {false, false, false, true}, {true, false, false, false}});
  auto [o2, w2] = m->forward(x, mem, mem, kpm, true, am);
  auto [r2, rw2] = mha_ref(m, x, mem, mem, kpm, am);
  EXPECT_TRUE(close(o2, r2, 1e-10, 1e-12));
  EXPECT_TRUE(close(w2, rw2, 1e-10, 1e-12));
  // float attn mask, need_weights false, per-head weights
  Tensor fm = randn({L, S}, f64());
  auto [o3, w3] = m->forward(x, mem, mem, {}, false, fm);
  EXPECT_FALSE(w3.defined());
  EXPECT_TRUE(close(o3, mha_ref(m, x, mem, mem, {}, fm).first, 1e-10, 1e-12));
  auto [o4, w4] = m->forward(x, mem, mem, {}, true, {}, /*average_attn_weights=*/false);
  EXPECT_EQ(w4.sizes(), IntArrayRef({N, 2, L, S}));
  EXPECT_TRUE(close(w4.mean({1}), mha_ref(m, x, mem, mem, {}, {}).second, 1e-10, 1e-12));
  // unbatched input
  auto [o5, w5] = m->forward(x.select(1, 1), x.select(1, 1), x.select(1, 1));
  EXPECT_TRUE(close(o5, o1.select(1, 1), 1e-12, 1e-12));
  EXPECT_EQ(w5.sizes(), IntArrayRef({L, L}));
}

TEST(MultiheadAttention, KdimVdimBiasKvZeroAttn) {
  manual_seed(6);
  nn::MultiheadAttention m(nn::MultiheadAttentionOptions(4, 2).kdim(3).vdim(5));
  m->to(kFloat64);
  Tensor q = randn({2, 3, 4}, f64()), k = randn({5, 3, 3}, f64()), v = randn({5, 3, 5}, f64());
  auto [o, w] = m->forward(q, k, v);
  EXPECT_TRUE(close(o, mha_ref(m, q, k, v, {}, {}).first, 1e-10, 1e-12));
  // add_zero_attn: one extra all-zero key and value; bias_kv: one learned key and value.
  nn::MultiheadAttention z(nn::MultiheadAttentionOptions(4, 2).add_zero_attn(true).add_bias_kv(true));
  z->to(kFloat64);
  Tensor x = randn({3, 2, 4}, f64());
  auto [oz, wz] = z->forward(x, x, x, tensor({{false, false, true}, {false, false, false}}));
  EXPECT_EQ(wz.sizes(), IntArrayRef({2, 3, 5}));
  EXPECT_TRUE(close(wz.sum({-1}), ones({2, 3}, f64()), 1e-12, 1e-12));
  EXPECT_EQ(values(wz[0].select(1, 2)), std::vector<double>(3, 0.0));  // the padded key
  no_throw_gradcheck(
      [&](const TL& t) { return std::get<0>(z->forward(t[0], t[0], t[0])); },
      {randn({2, 1, 4}, f64()).requires_grad_()});
}

TEST(MultiheadAttention, GradcheckAndDropoutTrainEval) {
  manual_seed(7);
  nn::MultiheadAttention m(nn::MultiheadAttentionOptions(4, 2).dropout(0.5));
  m->to(kFloat64);
  m->eval();
  Tensor mem = randn({3, 2, 4}, f64());
  no_throw_gradcheck([&](const TL& t) { return std::get<0>(m->forward(t[0], mem, mem)); },
                     {randn({2, 2, 4}, f64()).requires_grad_()});
  no_throw_gradcheck(
      [&](const TL& t) {
        auto o = F::MultiheadAttentionForwardFuncOptions(4, 2, t[1], m->in_proj_bias, {}, {}, false, 0.0,
                                                         m->out_proj->weight, m->out_proj->bias);
        return std::get<0>(F::multi_head_attention_forward(t[0], t[0], t[0], o));
      },
      {randn({2, 2, 4}, f64()).requires_grad_(), m->in_proj_weight.detach().clone().requires_grad_()});
  Tensor x = randn({2, 2, 4}, f64());
  Tensor e1 = std::get<0>(m->forward(x, x, x)), e2 = std::get<0>(m->forward(x, x, x));
  EXPECT_TRUE(e1.equal(e2));  // eval: no dropout
  m->train();
  manual_seed(8);
  Tensor t1 = std::get<0>(m->forward(x, x, x));
  manual_seed(8);
  Tensor t2 = std::get<0>(m->forward(x, x, x));
  EXPECT_TRUE(t1.equal(t2));
  EXPECT_FALSE(close(t1, e1));
}

TEST(MultiheadAttention, Errors) {
  nn::MultiheadAttention m(4, 2);
  Tensor x = ones({3, 2, 4});
  EXPECT_EMBER_ERROR(m->forward(ones({3, 2, 5}), x, x), "was expecting embedding dimension of 4, but got 5");
  EXPECT_EMBER_ERROR(m->forward(x, x, x, ones({2, 4}, kBool)), "expecting key_padding_mask shape of (2, 3)");
  EXPECT_EMBER_ERROR(m->forward(x, x, x, {}, true, ones({3, 4}, kBool)), "The size of the 2D attn_mask is not correct.");
  EXPECT_EMBER_ERROR(m->forward(x, x, x, {}, true, ones({3, 3, 3}, kBool)), "The size of the 3D attn_mask is not correct.");
  EXPECT_EMBER_ERROR(m->forward(ones({2, 3, 2, 4}), x, x), "query should be unbatched 2D or batched 3D tensor");
}

TEST(MultiheadAttention, CompiledStepMatchesEager) {
  manual_seed(9);
  nn::MultiheadAttention a(8, 2), b(8, 2);
  {
    NoGradGuard g;
    for (size_t i = 0; i < a->parameters().size(); ++i) b->parameters()[i].copy_(a->parameters()[i]);
  }
  Tensor x = randn({5, 3, 8});
  Tensor kpm = tensor({{false, false, false, true, true}, {false, false, false, false, false},
                       {false, true, false, false, false}});
  auto step = [&](nn::MultiheadAttention& m, const Tensor& in) {
    Tensor loss = std::get<0>(m->forward(in, in, in, kpm, false)).pow(2).mean();
    loss.backward();
    return loss;
  };
  auto compiled = compile([&](const Tensor& in) { return step(b, in); });
  Tensor le = step(a, x), lc = compiled(x);
  EXPECT_TRUE(bitwise_equal(le, lc));
  for (size_t i = 0; i < a->parameters().size(); ++i)
    EXPECT_TRUE(close(a->parameters()[i].grad(), b->parameters()[i].grad(), 1e-6, 1e-7)) << i;
}

TEST(Attention, CudaMatchesCpu) {
  EMBER_REQUIRE_CUDA();
  manual_seed(10);
  Device cuda(kCUDA, 0);
  Tensor q = randn({2, 2, 5, 8}), k = randn({2, 2, 7, 8}), v = randn({2, 2, 7, 8});
  Tensor m = rand({5, 7}).gt(0.3);
  EXPECT_TRUE(close(scaled_dot_product_attention(q.to(cuda), k.to(cuda), v.to(cuda), m.to(cuda)),
                    scaled_dot_product_attention(q, k, v, m), 1e-4, 1e-5));
  EXPECT_TRUE(close(scaled_dot_product_attention(q.to(cuda), k.to(cuda), v.to(cuda), std::nullopt, 0, true),
                    scaled_dot_product_attention(q, k, v, std::nullopt, 0, true), 1e-4, 1e-5));
  manual_seed(11);
  Tensor dc = scaled_dot_product_attention(q, k, v, std::nullopt, 0.3);
  manual_seed(11);
  Tensor dg = scaled_dot_product_attention(q.to(cuda), k.to(cuda), v.to(cuda), std::nullopt, 0.3);
  EXPECT_TRUE(close(dc, dg, 1e-4, 1e-5));  // one seed, one dropout mask
  nn::MultiheadAttention mha(8, 2);
  Tensor x = randn({5, 3, 8});
  Tensor ref = std::get<0>(mha->forward(x, x, x));
  mha->to(cuda);
  EXPECT_TRUE(close(std::get<0>(mha->forward(x.to(cuda), x.to(cuda), x.to(cuda))), ref, 1e-4, 1e-5));
}
