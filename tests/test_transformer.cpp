// Transformer layers and stacks: parameter names as libtorch's, forward against a hand-written
// float64 composition (post- and pre-norm, ReLU / GELU / callable), masks, gradcheck, dropout in
// train and eval, a compiled training step against eager, CUDA, errors.
#include <sstream>

#include "ember/nn/transformer.h"
#include "test_util.h"

using namespace ember;
using namespace ember::testing;
namespace F = ember::nn::functional;
using TL = std::vector<Tensor>;

namespace {

TensorOptions f64() { return TensorOptions().dtype(kFloat64); }

Tensor ln_ref(const Tensor& x, const nn::LayerNorm& n) {
  Tensor mu = x.mean({-1}, true);
  Tensor var = (x - mu).pow(2).mean({-1}, true);
  return (x - mu) / (var + 1e-5).sqrt() * n->weight + n->bias;
}

Tensor mha_of(nn::MultiheadAttention& m, const Tensor& q, const Tensor& kv, const Tensor& mask, const Tensor& kpm) {
  return std::get<0>(m->forward(q, kv, kv, kpm, false, mask));
}

Tensor ff_ref(const Tensor& x, const nn::Linear& l1, const nn::Linear& l2,
              const std::function<Tensor(const Tensor&)>& act) {
  return act(x.matmul(l1->weight.t()) + l1->bias).matmul(l2->weight.t()) + l2->bias;
}

Tensor encoder_ref(nn::TransformerEncoderLayer& l, const Tensor& src, const Tensor& mask, const Tensor& kpm,
                   const std::function<Tensor(const Tensor&)>& act, bool norm_first) {
  if (norm_first) {
    Tensor x = src + mha_of(l->self_attn, ln_ref(src, l->norm1), ln_ref(src, l->norm1), mask, kpm);
    return x + ff_ref(ln_ref(x, l->norm2), l->linear1, l->linear2, act);
  }
  Tensor x = ln_ref(src + mha_of(l->self_attn, src, src, mask, kpm), l->norm1);
  return ln_ref(x + ff_ref(x, l->linear1, l->linear2, act), l->norm2);
}

Tensor gelu_ref(const Tensor& x) { return x * 0.5 * (1 + (x / std::sqrt(2.0)).erf()); }
Tensor relu_ref(const Tensor& x) { return x.clamp_min(0); }

template <class M>
void randomise_biases(M& m) {
  NoGradGuard g;
  for (auto& p : m->named_parameters())
    if (p.key().find("bias") != std::string::npos || p.key().find("norm") != std::string::npos)
      p.value().copy_(randn(p.value().sizes(), p.value().options()) * 0.2 + (p.key().find("weight") != std::string::npos ? 1.0 : 0.0));
}

}  // namespace

TEST(Transformer, ParameterNamesAndCountsAsLibtorch) {
  nn::TransformerEncoderLayer enc(nn::TransformerEncoderLayerOptions(8, 2).dim_feedforward(16));
  std::vector<std::string> enc_names = {"self_attn.in_proj_weight", "self_attn.in_proj_bias",
                                        "self_attn.out_proj.weight", "self_attn.out_proj.bias",
                                        "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
                                        "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"};
  EXPECT_EQ(enc->named_parameters().keys(), enc_names);
  EXPECT_EQ(enc->linear1->weight.sizes(), IntArrayRef({16, 8}));
  EXPECT_EQ(enc->options.dropout(), 0.1);
  EXPECT_EQ(nn::TransformerEncoderLayerOptions(8, 2).dim_feedforward(), 2048);
  auto children = enc->named_children().keys();
  EXPECT_EQ(children, (std::vector<std::string>{"self_attn", "linear1", "dropout", "linear2", "norm1", "norm2",
                                                "dropout1", "dropout2"}));
  nn::TransformerDecoderLayer dec(nn::TransformerDecoderLayerOptions(8, 2).dim_feedforward(16));
  EXPECT_EQ(dec->named_children().keys(),
            (std::vector<std::string>{"self_attn", "dropout1", "norm1", "multihead_attn", "dropout2", "norm2",
                                      "linear1", "dropout", "linear2", "dropout3", "norm3"}));
  EXPECT_EQ(dec->parameters().size(), 18u);
  nn::TransformerEncoder stack(nn::TransformerEncoderOptions(enc, 3).norm(nn::AnyModule(nn::LayerNorm(nn::LayerNormOptions({8})))));
  auto names = stack->named_parameters().keys();
  EXPECT_EQ(names.size(), 3u * 12 + 2);
  EXPECT_EQ(names.front(), "layers.0.self_attn.in_proj_weight");
  EXPECT_EQ(names[12], "layers.1.self_attn.in_proj_weight");
  EXPECT_EQ(names.back(), "norm.bias");
  // The layers are clones: same values, separate storage.
  auto l0 = stack->layers->at<nn::TransformerEncoderLayerImpl>(0).self_attn->in_proj_weight;
  auto l1 = stack->layers->at<nn::TransformerEncoderLayerImpl>(1).self_attn->in_proj_weight;
  EXPECT_TRUE(l0.equal(enc->self_attn->in_proj_weight));
  EXPECT_TRUE(l0.equal(l1));
  EXPECT_NE(l0.data_ptr(), l1.data_ptr());
  nn::TransformerDecoder dstack(nn::TransformerDecoderOptions(nn::TransformerDecoderLayerOptions(8, 2).dim_feedforward(16), 2));
  EXPECT_EQ(dstack->parameters().size(), 36u);
  std::ostringstream os;
  os << *nn::TransformerEncoderLayer(nn::TransformerEncoderLayerOptions(8, 2).activation(kGELU));
  EXPECT_NE(os.str().find("torch::nn::TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=2048, dropout=0.1, "
                          "activation=kGELU"), std::string::npos) << os.str();
}

TEST(Transformer, EncoderLayerMatchesCompositionWithMasks) {
  manual_seed(1);
  const int64_t S = 5, N = 2, E = 8;
  Tensor src = randn({S, N, E}, f64());
  Tensor causal = nn::generate_square_subsequent_mask(S, f64());
  Tensor causal_bool = ones({S, S}, kBool).triu(1);
  Tensor kpm = tensor({{false, false, false, true, true}, {false, false, false, false, true}});
  struct Variant {
    nn::TransformerEncoderLayerOptions o;
    std::function<Tensor(const Tensor&)> ref;
  };
  auto base = [] { return nn::TransformerEncoderLayerOptions(8, 2).dim_feedforward(12).dropout(0.0); };
  std::vector<Variant> variants = {
      {base(), relu_ref},
      {base().activation(kGELU), gelu_ref},
      {base().activation([](const Tensor& x) { return x.tanh() * 2; }), [](const Tensor& x) { return x.tanh() * 2; }},
      {base().activation(kGELU).norm_first(true), gelu_ref},
  };
  for (auto& v : variants) {
    nn::TransformerEncoderLayer l(v.o);
    l->to(kFloat64);
    randomise_biases(l);
    for (auto [mask, pad] : std::vector<std::pair<Tensor, Tensor>>{{{}, {}}, {causal, kpm}, {causal_bool, {}}}) {
      Tensor out = l->forward(src, mask, pad);
      EXPECT_TRUE(close(out, encoder_ref(l, src, mask, pad, v.ref, v.o.norm_first()), 1e-10, 1e-12));
    }
  }
  // Causality and padding: outputs do not depend on future or padded positions.
  nn::TransformerEncoderLayer l(base());
  l->to(kFloat64);
  Tensor changed = src.clone();
  changed[4] += 3.0;  // the last position: future for all others, padded in both sequences
  Tensor a = l->forward(src, causal), b = l->forward(changed, causal);
  EXPECT_TRUE(close(a.narrow(0, 0, 4), b.narrow(0, 0, 4), 1e-12, 1e-12));
  Tensor c = l->forward(src, {}, kpm), d = l->forward(changed, {}, kpm);
  EXPECT_TRUE(close(c.narrow(0, 0, 4), d.narrow(0, 0, 4), 1e-12, 1e-12));
  // unbatched
  EXPECT_TRUE(close(l->forward(src.select(1, 0)), l->forward(src).select(1, 0), 1e-12, 1e-12));
}

TEST(Transformer, DecoderLayerAndStacksMatchComposition) {
  manual_seed(2);
  const int64_t T = 4, S = 6, N = 2;
  Tensor tgt = randn({T, N, 8}, f64()), mem = randn({S, N, 8}, f64());
  Tensor tmask = nn::generate_square_subsequent_mask(T, f64());
  Tensor mkpm = tensor({{false, false, false, false, true, true}, {false, false, false, false, false, false}});
  for (bool norm_first : {false, true}) {
    nn::TransformerDecoderLayer l(
        nn::TransformerDecoderLayerOptions(8, 2).dim_feedforward(12).dropout(0.0).norm_first(norm_first));
    l->to(kFloat64);
    randomise_biases(l);
    Tensor out = l->forward(tgt, mem, tmask, {}, {}, mkpm);
    Tensor x = tgt;
    if (norm_first) {
      Tensor n1 = ln_ref(x, l->norm1);
      x = x + mha_of(l->self_attn, n1, n1, tmask, {});
      x = x + mha_of(l->multihead_attn, ln_ref(x, l->norm2), mem, {}, mkpm);
      x = x + ff_ref(ln_ref(x, l->norm3), l->linear1, l->linear2, relu_ref);
    } else {
      x = ln_ref(x + mha_of(l->self_attn, x, x, tmask, {}), l->norm1);
      x = ln_ref(x + mha_of(l->multihead_attn, x, mem, {}, mkpm), l->norm2);
      x = ln_ref(x + ff_ref(x, l->linear1, l->linear2, relu_ref), l->norm3);
    }
    EXPECT_TRUE(close(out, x, 1e-10, 1e-12));
  }
  // Stacks: the layers in order, then the final norm.
  nn::TransformerEncoderLayer el(nn::TransformerEncoderLayerOptions(8, 2).dim_feedforward(12).dropout(0.0));
  nn::TransformerEncoder enc(nn::TransformerEncoderOptions(el, 2).norm(nn::AnyModule(nn::LayerNorm(nn::LayerNormOptions({8})))));
  enc->to(kFloat64);
  Tensor y = mem;
  for (auto& m : *enc->layers) y = m->as<nn::TransformerEncoderLayerImpl>()->forward(y);
  y = enc->norm.forward<Tensor>(y);
  EXPECT_TRUE(close(enc->forward(mem), y, 1e-12, 1e-12));
  nn::TransformerDecoder dec(nn::TransformerDecoderOptions(nn::TransformerDecoderLayerOptions(8, 2).dim_feedforward(12).dropout(0.0), 2));
  dec->to(kFloat64);
  Tensor z = tgt;
  for (auto& m : *dec->layers) z = m->as<nn::TransformerDecoderLayerImpl>()->forward(z, mem, tmask);
  EXPECT_TRUE(close(dec->forward(tgt, mem, tmask), z, 1e-12, 1e-12));
}

TEST(Transformer, GradcheckFloat64) {
  manual_seed(3);
  nn::TransformerEncoderLayer l(nn::TransformerEncoderLayerOptions(4, 2).dim_feedforward(6).dropout(0.0).activation(kGELU));
  l->to(kFloat64);
  Tensor mask = nn::generate_square_subsequent_mask(3, f64());
  try {
    autograd::gradcheck([&](const TL& t) { return l->forward(t[0], mask); }, {randn({3, 2, 4}, f64()).requires_grad_()});
    nn::TransformerDecoderLayer d(nn::TransformerDecoderLayerOptions(4, 2).dim_feedforward(6).dropout(0.0).norm_first(true));
    d->to(kFloat64);
    autograd::gradcheck([&](const TL& t) { return d->forward(t[0], t[1]); },
                        {randn({2, 1, 4}, f64()).requires_grad_(), randn({3, 1, 4}, f64()).requires_grad_()});
  } catch (const Error& e) {
    ADD_FAILURE() << e.what();
  }
}

TEST(Transformer, DropoutTrainEval) {
  manual_seed(4);
  nn::TransformerEncoderLayer l(nn::TransformerEncoderLayerOptions(8, 2).dim_feedforward(16).dropout(0.3));
  nn::TransformerEncoderLayer nodrop(nn::TransformerEncoderLayerOptions(8, 2).dim_feedforward(16).dropout(0.0));
  {
    NoGradGuard g;
    for (size_t i = 0; i < l->parameters().size(); ++i) nodrop->parameters()[i].copy_(l->parameters()[i]);
  }
  Tensor x = randn({5, 2, 8});
  l->eval();
  EXPECT_TRUE(l->forward(x).equal(nodrop->forward(x)));
  l->train();
  manual_seed(5);
  Tensor t1 = l->forward(x);
  manual_seed(5);
  Tensor t2 = l->forward(x);
  EXPECT_TRUE(t1.equal(t2));
  EXPECT_FALSE(close(t1, nodrop->forward(x)));
}

TEST(Transformer, CompiledTrainingStepMatchesEager) {
  manual_seed(6);
  auto make = [] {
    return nn::TransformerEncoderLayer(
        nn::TransformerEncoderLayerOptions(16, 4).dim_feedforward(32).dropout(0.1).activation(kGELU).norm_first(true));
  };
  nn::TransformerEncoderLayer a = make(), b = make();
  {
    NoGradGuard g;
    for (size_t i = 0; i < a->parameters().size(); ++i) b->parameters()[i].copy_(a->parameters()[i]);
  }
  optim::SGD oa(a->parameters(), optim::SGDOptions(0.05).momentum(0.9)), ob(b->parameters(), optim::SGDOptions(0.05).momentum(0.9));
  Tensor mask = nn::generate_square_subsequent_mask(6);
  Tensor kpm = tensor({{false, false, false, false, false, true}, {false, false, false, false, false, false},
                       {false, false, false, true, true, true}});
  auto step = [&](nn::TransformerEncoderLayer& l, optim::SGD& opt, const Tensor& x, const Tensor& y) {
    opt.zero_grad();
    Tensor loss = (l->forward(x, mask, kpm) - y).pow(2).mean();
    loss.backward();
    opt.step();
    return loss.detach();
  };
  auto compiled = compile([&](const Tensor& x, const Tensor& y) { return step(b, ob, x, y); });
  for (int s = 0; s < 3; ++s) {
    Tensor x = randn({6, 3, 16}), y = randn({6, 3, 16});
    uint64_t seed = 100 + s;
    manual_seed(seed);
    Tensor le = step(a, oa, x, y);
    manual_seed(seed);
    Tensor lc = compiled(x, y);
    EXPECT_TRUE(bitwise_equal(le, lc)) << "step " << s << ": " << le.item<float>() << " vs " << lc.item<float>();
    for (size_t i = 0; i < a->parameters().size(); ++i)
      EXPECT_TRUE(bitwise_equal(a->parameters()[i], b->parameters()[i])) << "step " << s << " parameter " << i;
  }
}

TEST(Transformer, Errors) {
  EXPECT_EMBER_ERROR((void)nn::TransformerEncoderLayer(nn::TransformerEncoderLayerOptions(8, 3)),
                     "embed_dim must be divisible by num_heads");
  EXPECT_EMBER_ERROR((void)nn::TransformerEncoder(nn::TransformerEncoderOptions(nn::TransformerEncoderLayer(nullptr), 2)),
                     "encoder_layer is empty");
  nn::TransformerEncoderLayer l(nn::TransformerEncoderLayerOptions(8, 2).dim_feedforward(16));
  EXPECT_EMBER_ERROR(l->forward(ones({5, 2, 6})), "was expecting embedding dimension of 8, but got 6");
  EXPECT_EMBER_ERROR(l->forward(ones({5, 2, 8}), ones({4, 4})), "The size of the 2D attn_mask is not correct.");
}

TEST(Transformer, CudaMatchesCpu) {
  EMBER_REQUIRE_CUDA();
  manual_seed(7);
  Device cuda(kCUDA, 0);
  nn::TransformerEncoderLayer l(nn::TransformerEncoderLayerOptions(16, 4).dim_feedforward(32).dropout(0.0).activation(kGELU));
  Tensor x = randn({6, 2, 16}).requires_grad_();
  Tensor mask = nn::generate_square_subsequent_mask(6);
  Tensor out = l->forward(x, mask);
  out.pow(2).sum().backward();
  Tensor gw = l->linear1->weight.grad().clone(), gx = x.grad().clone();
  l->zero_grad();
  l->to(cuda);
  Tensor xc = x.detach().to(cuda).requires_grad_();
  Tensor oc = l->forward(xc, mask.to(cuda));
  oc.pow(2).sum().backward();
  EXPECT_TRUE(close(oc, out, 1e-4, 1e-5));
  EXPECT_TRUE(close(xc.grad(), gx, 1e-3, 1e-4));
  EXPECT_TRUE(close(l->linear1->weight.grad(), gw, 1e-3, 1e-4));
}
