// Recurrent layers (include/ember/nn/rnn.h): values against a hand-written per-step reference
// in float64, gradcheck, shapes (multi-layer, bidirectional, batch_first, unbatched), initial
// states, dropout only in training, libtorch's errors and printing, compile() and CUDA.
#include <sstream>

#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {

auto f64() { return TensorOptions().dtype(kFloat64); }

Tensor sig(const Tensor& x) { return 1 / (1 + (-x).exp()); }

// x W^T + b, with the rows of gate k of W and b.
Tensor gate(const Tensor& x, const Tensor& w, const Tensor& b, int64_t k, int64_t h) {
  Tensor y = x.mm(w.narrow(0, k * h, h).t());
  return b.defined() ? y + b.narrow(0, k * h, h) : y;
}

enum class Kind { Tanh, Relu, Lstm, Gru };

struct RefOut {
  Tensor out, h, c;
};

// libtorch's documented equations, one time step, one gate at a time. x is [seq, batch, in];
// params in ATen's order; h0/c0 [layers * dirs, batch, *].
RefOut reference(Kind kind, Tensor x, const Tensor& h0, const Tensor& c0, const std::vector<Tensor>& params,
                 bool bias, int64_t layers, bool bidirectional, bool proj = false) {
  int64_t dirs = bidirectional ? 2 : 1;
  size_t stride = (bias ? 4 : 2) + (proj ? 1 : 0);
  std::vector<Tensor> hn, cn;
  for (int64_t l = 0; l < layers; ++l) {
    std::vector<Tensor> outs;
    for (int64_t d = 0; d < dirs; ++d) {
      size_t at = static_cast<size_t>(l * dirs + d) * stride;
      Tensor w_ih = params[at], w_hh = params[at + 1];
      Tensor b_ih = bias ? params[at + 2] : Tensor(), b_hh = bias ? params[at + 3] : Tensor();
      Tensor w_hr = proj ? params[at + stride - 1] : Tensor();
      Tensor h = h0[l * dirs + d], c = kind == Kind::Lstm ? c0[l * dirs + d] : Tensor();
      int64_t hs = kind == Kind::Lstm ? c.size(1) : h.size(1);
      int64_t seq = x.size(0);
      std::vector<Tensor> ys(static_cast<size_t>(seq));
      for (int64_t k = 0; k < seq; ++k) {
        int64_t t = d == 1 ? seq - 1 - k : k;
        Tensor xt = x[t];
        if (kind == Kind::Lstm) {
          Tensor i = sig(gate(xt, w_ih, b_ih, 0, hs) + gate(h, w_hh, b_hh, 0, hs));
          Tensor f = sig(gate(xt, w_ih, b_ih, 1, hs) + gate(h, w_hh, b_hh, 1, hs));
          Tensor g = (gate(xt, w_ih, b_ih, 2, hs) + gate(h, w_hh, b_hh, 2, hs)).tanh();
          Tensor o = sig(gate(xt, w_ih, b_ih, 3, hs) + gate(h, w_hh, b_hh, 3, hs));
          c = f * c + i * g;
          h = o * c.tanh();
          if (proj) h = h.mm(w_hr.t());
        } else if (kind == Kind::Gru) {
          Tensor r = sig(gate(xt, w_ih, b_ih, 0, hs) + gate(h, w_hh, b_hh, 0, hs));
          Tensor z = sig(gate(xt, w_ih, b_ih, 1, hs) + gate(h, w_hh, b_hh, 1, hs));
          Tensor n = (gate(xt, w_ih, b_ih, 2, hs) + r * gate(h, w_hh, b_hh, 2, hs)).tanh();
          h = (1 - z) * n + z * h;
        } else {
          Tensor pre = gate(xt, w_ih, b_ih, 0, hs) + gate(h, w_hh, b_hh, 0, hs);
          h = kind == Kind::Tanh ? pre.tanh() : pre.clamp_min(0);
        }
        ys[static_cast<size_t>(t)] = h;
      }
      outs.push_back(stack(ys, 0));
      hn.push_back(h);
      if (kind == Kind::Lstm) cn.push_back(c);
    }
    x = cat(outs, 2);
  }
  return {x, stack(hn, 0), kind == Kind::Lstm ? stack(cn, 0) : Tensor()};
}

struct Config {
  int64_t layers;
  bool bidirectional, batch_first, bias, initial;
};

std::string config_name(const ::testing::TestParamInfo<Config>& info) {
  const Config& c = info.param;
  return "L" + std::to_string(c.layers) + (c.bidirectional ? "_bi" : "") + (c.batch_first ? "_bf" : "") +
         (c.bias ? "" : "_nobias") + (c.initial ? "_h0" : "");
}

class RnnReference : public ::testing::TestWithParam<Config> {
 protected:
  void SetUp() override { manual_seed(3); }
};

constexpr int64_t kSeq = 5, kBatch = 3, kIn = 4, kHidden = 6;

Tensor input_for(const Config& c) {
  return c.batch_first ? randn({kBatch, kSeq, kIn}, f64()) : randn({kSeq, kIn, kIn}, f64()).narrow(1, 0, kBatch);
}
Tensor seq_first(const Config& c, const Tensor& x) { return c.batch_first ? x.transpose(0, 1) : x; }

}  // namespace

TEST_P(RnnReference, LstmMatchesTheStepByStepEquations) {
  Config c = GetParam();
  nn::LSTM m(nn::LSTMOptions(kIn, kHidden).num_layers(c.layers).bidirectional(c.bidirectional)
                 .batch_first(c.batch_first).bias(c.bias));
  m->to(kFloat64);
  int64_t states = c.layers * (c.bidirectional ? 2 : 1);
  Tensor x = input_for(c);
  Tensor h0 = c.initial ? randn({states, kBatch, kHidden}, f64()) : zeros({states, kBatch, kHidden}, f64());
  Tensor c0 = c.initial ? randn({states, kBatch, kHidden}, f64()) : zeros({states, kBatch, kHidden}, f64());
  auto [out, hc] = c.initial ? m->forward(x, std::make_tuple(h0, c0)) : m->forward(x);
  RefOut ref = reference(Kind::Lstm, seq_first(c, x), h0, c0, m->all_weights(), c.bias, c.layers, c.bidirectional);
  EXPECT_TRUE(close(seq_first(c, out), ref.out, 1e-12, 1e-13));
  EXPECT_TRUE(close(std::get<0>(hc), ref.h, 1e-12, 1e-13));
  EXPECT_TRUE(close(std::get<1>(hc), ref.c, 1e-12, 1e-13));
}

TEST_P(RnnReference, GruMatchesTheStepByStepEquations) {
  Config c = GetParam();
  nn::GRU m(nn::GRUOptions(kIn, kHidden).num_layers(c.layers).bidirectional(c.bidirectional)
                .batch_first(c.batch_first).bias(c.bias));
  m->to(kFloat64);
  int64_t states = c.layers * (c.bidirectional ? 2 : 1);
  Tensor x = input_for(c);
  Tensor h0 = c.initial ? randn({states, kBatch, kHidden}, f64()) : zeros({states, kBatch, kHidden}, f64());
  auto [out, hn] = m->forward(x, c.initial ? h0 : Tensor());
  RefOut ref = reference(Kind::Gru, seq_first(c, x), h0, {}, m->all_weights(), c.bias, c.layers, c.bidirectional);
  EXPECT_TRUE(close(seq_first(c, out), ref.out, 1e-12, 1e-13));
  EXPECT_TRUE(close(hn, ref.h, 1e-12, 1e-13));
}

TEST_P(RnnReference, RnnTanhAndReluMatchTheStepByStepEquations) {
  Config c = GetParam();
  for (bool relu : {false, true}) {
    nn::RNNOptions o(kIn, kHidden);
    o.num_layers(c.layers).bidirectional(c.bidirectional).batch_first(c.batch_first).bias(c.bias);
    if (relu) o.nonlinearity(ember::kReLU);
    nn::RNN m(o);
    m->to(kFloat64);
    int64_t states = c.layers * (c.bidirectional ? 2 : 1);
    Tensor x = input_for(c);
    Tensor h0 = c.initial ? randn({states, kBatch, kHidden}, f64()) : zeros({states, kBatch, kHidden}, f64());
    auto [out, hn] = m->forward(x, c.initial ? h0 : Tensor());
    RefOut ref = reference(relu ? Kind::Relu : Kind::Tanh, seq_first(c, x), h0, {}, m->all_weights(), c.bias,
                           c.layers, c.bidirectional);
    EXPECT_TRUE(close(seq_first(c, out), ref.out, 1e-12, 1e-13)) << "relu " << relu;
    EXPECT_TRUE(close(hn, ref.h, 1e-12, 1e-13)) << "relu " << relu;
  }
}

INSTANTIATE_TEST_SUITE_P(Configs, RnnReference,
                         ::testing::Values(Config{1, false, false, true, false}, Config{1, false, false, true, true},
                                           Config{2, false, false, true, true}, Config{1, true, false, true, true},
                                           Config{2, true, true, true, true}, Config{2, true, false, false, false},
                                           Config{3, false, true, true, false}),
                         config_name);

TEST(RnnModules, ParameterNamesShapesAndInitialisationAreLibtorchs) {
  nn::LSTM lstm(nn::LSTMOptions(3, 5).num_layers(2).bidirectional(true));
  std::vector<std::string> names;
  for (const auto& p : lstm->named_parameters()) names.push_back(p.key());
  std::vector<std::string> expected;
  for (std::string l : {"_l0", "_l1"})
    for (std::string d : {"", "_reverse"})
      for (std::string n : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) expected.push_back(n + l + d);
  EXPECT_EQ(names, expected);
  auto p = lstm->named_parameters();
  EXPECT_EQ(p["weight_ih_l0"].sizes(), IntArrayRef({20, 3}));
  EXPECT_EQ(p["weight_hh_l0_reverse"].sizes(), IntArrayRef({20, 5}));
  EXPECT_EQ(p["weight_ih_l1"].sizes(), IntArrayRef({20, 10}));
  EXPECT_EQ(p["bias_hh_l1_reverse"].sizes(), IntArrayRef({20}));
  double bound = 1 / std::sqrt(5.0);
  for (const Tensor& t : lstm->parameters()) {
    EXPECT_TRUE(t.requires_grad());
    EXPECT_LE(t.abs().max().item<double>(), bound);
    EXPECT_GT(t.abs().max().item<double>(), 0.5 * bound);
  }

  nn::GRU gru(nn::GRUOptions(3, 4).bias(false));
  EXPECT_EQ(gru->named_parameters().size(), 2u);
  EXPECT_EQ(gru->named_parameters()["weight_ih_l0"].sizes(), IntArrayRef({12, 3}));
  nn::RNN rnn(nn::RNNOptions(3, 4));
  EXPECT_EQ(rnn->named_parameters()["weight_hh_l0"].sizes(), IntArrayRef({4, 4}));

  nn::LSTM proj(nn::LSTMOptions(3, 6).proj_size(2));
  auto pp = proj->named_parameters();
  EXPECT_EQ(pp["weight_hh_l0"].sizes(), IntArrayRef({24, 2}));
  EXPECT_EQ(pp["weight_hr_l0"].sizes(), IntArrayRef({2, 6}));

  nn::LSTMCell cell(3, 5);
  EXPECT_EQ(cell->weight_ih.sizes(), IntArrayRef({20, 3}));
  EXPECT_EQ(cell->named_parameters()["bias_hh"].sizes(), IntArrayRef({20}));
  nn::GRUCell gcell(nn::GRUCellOptions(3, 5).bias(false));
  EXPECT_FALSE(gcell->bias_ih.defined());
  EXPECT_EQ(gcell->parameters().size(), 2u);
}

TEST(RnnModules, ShapesForLayersDirectionsBatchFirstAndUnbatched) {
  nn::LSTM m(nn::LSTMOptions(4, 6).num_layers(3).bidirectional(true).batch_first(true));
  auto [out, hc] = m->forward(randn({2, 7, 4}));
  EXPECT_EQ(out.sizes(), IntArrayRef({2, 7, 12}));
  EXPECT_EQ(std::get<0>(hc).sizes(), IntArrayRef({6, 2, 6}));
  EXPECT_EQ(std::get<1>(hc).sizes(), IntArrayRef({6, 2, 6}));

  nn::GRU g(nn::GRUOptions(4, 6).num_layers(2));
  auto [gout, gh] = g->forward(randn({7, 2, 4}));
  EXPECT_EQ(gout.sizes(), IntArrayRef({7, 2, 6}));
  EXPECT_EQ(gh.sizes(), IntArrayRef({2, 2, 6}));

  // Unbatched [seq, feature] inputs give the batch-of-one result without the batch dim.
  for (bool bf : {false, true}) {
    nn::LSTM u(nn::LSTMOptions(4, 6).num_layers(2).bidirectional(true).batch_first(bf));
    Tensor x = randn({7, 4});
    Tensor h0 = randn({4, 6}), c0 = randn({4, 6});
    auto [uo, uhc] = u->forward(x, std::make_tuple(h0, c0));
    EXPECT_EQ(uo.sizes(), IntArrayRef({7, 12}));
    auto [bo, bhc] = u->forward(x.unsqueeze(bf ? 0 : 1), std::make_tuple(h0.unsqueeze(1), c0.unsqueeze(1)));
    EXPECT_TRUE(bitwise_equal(uo, bo.squeeze(bf ? 0 : 1)));
    EXPECT_TRUE(bitwise_equal(std::get<1>(uhc), std::get<1>(bhc).squeeze(1)));
    nn::GRU ug(nn::GRUOptions(4, 6).batch_first(bf));
    auto [go, gh1] = ug->forward(x, randn({1, 6}));
    EXPECT_EQ(go.sizes(), IntArrayRef({7, 6}));
    EXPECT_EQ(gh1.sizes(), IntArrayRef({1, 6}));
  }

  // Projections: h has proj_size features, c hidden_size.
  nn::LSTM p(nn::LSTMOptions(4, 6).proj_size(3).num_layers(2).bidirectional(true));
  auto [po, phc] = p->forward(randn({5, 2, 4}));
  EXPECT_EQ(po.sizes(), IntArrayRef({5, 2, 6}));
  EXPECT_EQ(std::get<0>(phc).sizes(), IntArrayRef({4, 2, 3}));
  EXPECT_EQ(std::get<1>(phc).sizes(), IntArrayRef({4, 2, 6}));
}

TEST(RnnModules, LstmProjectionMatchesTheReference) {
  manual_seed(5);
  nn::LSTM m(nn::LSTMOptions(3, 5).proj_size(2).num_layers(2).bidirectional(true));
  m->to(kFloat64);
  Tensor x = randn({4, 2, 3}, f64()), h0 = randn({4, 2, 2}, f64()), c0 = randn({4, 2, 5}, f64());
  auto [out, hc] = m->forward(x, std::make_tuple(h0, c0));
  RefOut ref = reference(Kind::Lstm, x, h0, c0, m->all_weights(), true, 2, true, /*proj=*/true);
  EXPECT_TRUE(close(out, ref.out, 1e-12, 1e-13));
  EXPECT_TRUE(close(std::get<0>(hc), ref.h, 1e-12, 1e-13));
  EXPECT_TRUE(close(std::get<1>(hc), ref.c, 1e-12, 1e-13));
}

TEST(RnnCells, MatchTheReferenceAndTheOneStepModules) {
  manual_seed(9);
  Tensor x = randn({3, 4}, f64()), h = randn({3, 5}, f64()), c = randn({3, 5}, f64());
  nn::LSTMCell lc(4, 5);
  lc->to(kFloat64);
  auto [h1, c1] = lc->forward(x, std::make_tuple(h, c));
  std::vector<Tensor> lp = {lc->weight_ih, lc->weight_hh, lc->bias_ih, lc->bias_hh};
  RefOut lr = reference(Kind::Lstm, x.unsqueeze(0), h.unsqueeze(0), c.unsqueeze(0), lp, true, 1, false);
  EXPECT_TRUE(close(h1, lr.h[0], 1e-12, 1e-13));
  EXPECT_TRUE(close(c1, lr.c[0], 1e-12, 1e-13));
  auto [h0z, c0z] = lc->forward(x);  // zero states by default
  RefOut lz = reference(Kind::Lstm, x.unsqueeze(0), zeros({1, 3, 5}, f64()), zeros({1, 3, 5}, f64()), lp, true, 1, false);
  EXPECT_TRUE(close(h0z, lz.h[0], 1e-12, 1e-13));

  nn::GRUCell gc(nn::GRUCellOptions(4, 5).bias(false));
  gc->to(kFloat64);
  RefOut gr = reference(Kind::Gru, x.unsqueeze(0), h.unsqueeze(0), {}, {gc->weight_ih, gc->weight_hh}, false, 1, false);
  EXPECT_TRUE(close(gc->forward(x, h), gr.h[0], 1e-12, 1e-13));

  for (bool relu : {false, true}) {
    nn::RNNCellOptions o(4, 5);
    if (relu) o.nonlinearity(ember::kReLU);
    nn::RNNCell rc(o);
    rc->to(kFloat64);
    RefOut rr = reference(relu ? Kind::Relu : Kind::Tanh, x.unsqueeze(0), h.unsqueeze(0), {},
                          {rc->weight_ih, rc->weight_hh, rc->bias_ih, rc->bias_hh}, true, 1, false);
    EXPECT_TRUE(close(rc->forward(x, h), rr.h[0], 1e-12, 1e-13));
  }

  // Unbatched 1-D input and state.
  auto [uh, uc] = lc->forward(x[1], std::make_tuple(h[1], c[1]));
  EXPECT_EQ(uh.sizes(), IntArrayRef({5}));
  EXPECT_TRUE(close(uh, h1[1], 1e-15, 0));
  EXPECT_EQ(gc->forward(x[0]).sizes(), IntArrayRef({5}));
}

TEST(RnnGradcheck, LstmGruRnnAndCellsInFloat64) {
  manual_seed(11);
  auto rq = [](IntArrayRef s) { return (randn(s, f64()) * 0.5).requires_grad_(true); };
  const int64_t H = 2, I = 3, B = 2, T = 3;
  // Bidirectional, two layers, biases: every parameter and both initial states.
  std::vector<Tensor> in = {rq({T, B, I}), rq({4, B, H}), rq({4, B, H})};
  for (int64_t l = 0; l < 2; ++l)
    for (int d = 0; d < 2; ++d) {
      int64_t li = l == 0 ? I : 2 * H;
      for (Tensor t : {rq({4 * H, li}), rq({4 * H, H}), rq({4 * H}), rq({4 * H})}) in.push_back(t);
    }
  autograd::gradcheck(
      [](const std::vector<Tensor>& v) {
        std::vector<Tensor> params(v.begin() + 3, v.end());
        auto [out, h, c] = ember::lstm(v[0], {v[1], v[2]}, params, true, 2, 0.0, true, true, false);
        return cat({out.flatten(), h.flatten(), c.flatten()});
      },
      in);

  std::vector<Tensor> gin = {rq({B, T, I}), rq({1, B, H}), rq({3 * H, I}), rq({3 * H, H}), rq({3 * H}), rq({3 * H})};
  autograd::gradcheck(
      [](const std::vector<Tensor>& v) {
        auto [out, h] = ember::gru(v[0], v[1], {v[2], v[3], v[4], v[5]}, true, 1, 0.0, true, false, true);
        return cat({out.flatten(), h.flatten()});
      },
      gin);

  std::vector<Tensor> rin = {rq({T, B, I}), rq({2, B, H}), rq({H, I}), rq({H, H}), rq({H, I}), rq({H, H})};
  autograd::gradcheck(
      [](const std::vector<Tensor>& v) {
        auto [out, h] = ember::rnn_tanh(v[0], v[1], {v[2], v[3], v[4], v[5]}, false, 1, 0.0, true, true, false);
        return cat({out.flatten(), h.flatten()});
      },
      rin);

  // Cells, and an LSTM with projections.
  std::vector<Tensor> cin = {rq({B, I}), rq({B, H}), rq({B, H}), rq({4 * H, I}), rq({4 * H, H}), rq({4 * H}), rq({4 * H})};
  autograd::gradcheck(
      [](const std::vector<Tensor>& v) {
        auto [h, c] = ember::lstm_cell(v[0], {v[1], v[2]}, v[3], v[4], v[5], v[6]);
        Tensor g = ember::gru_cell(v[0], v[1], v[3].narrow(0, 0, 3 * H), v[4].narrow(0, 0, 3 * H),
                                   v[5].narrow(0, 0, 3 * H), v[6].narrow(0, 0, 3 * H));
        return cat({h.flatten(), c.flatten(), g.flatten()});
      },
      cin);
  std::vector<Tensor> pin = {rq({T, B, I}), rq({1, B, 1}), rq({1, B, H}), rq({4 * H, I}), rq({4 * H, 1}),
                             rq({4 * H}), rq({4 * H}), rq({1, H})};
  autograd::gradcheck(
      [](const std::vector<Tensor>& v) {
        std::vector<Tensor> params(v.begin() + 3, v.end());
        auto [out, h, c] = ember::lstm(v[0], {v[1], v[2]}, params, true, 1, 0.0, true, false, false);
        return cat({out.flatten(), h.flatten(), c.flatten()});
      },
      pin);
}

TEST(RnnDropout, OnlyBetweenLayersAndOnlyInTraining) {
  manual_seed(1);
  nn::LSTM m(nn::LSTMOptions(4, 8).num_layers(2).dropout(0.5));
  Tensor x = randn({6, 3, 4});
  // The same weights without dropout: what eval mode must give.
  nn::LSTM plain(nn::LSTMOptions(4, 8).num_layers(2));
  {
    NoGradGuard g;
    auto src = m->named_parameters();
    for (auto& p : plain->named_parameters()) p.value().copy_(src[p.key()]);
  }
  Tensor reference = std::get<0>(plain->forward(x));
  m->eval();
  EXPECT_TRUE(bitwise_equal(std::get<0>(m->forward(x)), reference));
  m->train();
  Tensor a = std::get<0>(m->forward(x)), b = std::get<0>(m->forward(x));
  EXPECT_FALSE(a.equal(reference));
  EXPECT_FALSE(a.equal(b));  // a fresh mask per call
  manual_seed(42);
  Tensor c1 = std::get<0>(m->forward(x));
  manual_seed(42);
  EXPECT_TRUE(bitwise_equal(std::get<0>(m->forward(x)), c1));  // a seed fixes the mask

  // One layer: nothing to drop between layers.
  nn::GRU one(nn::GRUOptions(4, 8).dropout(0.5));
  Tensor o1 = std::get<0>(one->forward(x));
  EXPECT_TRUE(bitwise_equal(std::get<0>(one->forward(x)), o1));
}

TEST(RnnErrors, LibtorchWordedMessages) {
  nn::LSTM m(nn::LSTMOptions(4, 6).num_layers(2));
  EXPECT_EMBER_ERROR(m->forward(randn({2, 3, 4, 1})), "LSTM: Expected input to be 2D or 3D, got 4D instead");
  EXPECT_EMBER_ERROR(m->forward(randn({5, 3, 7})), "input.size(-1) must be equal to input_size. Expected 4, got 7");
  EXPECT_EMBER_ERROR(m->forward(randn({5, 3, 4}), std::make_tuple(zeros({1, 3, 6}), zeros({2, 3, 6}))),
                     "Expected hidden[0] size [2, 3, 6], got [1, 3, 6]");
  EXPECT_EMBER_ERROR(m->forward(randn({5, 3, 4}), std::make_tuple(zeros({2, 3, 6}), zeros({2, 2, 6}))),
                     "Expected hidden[1] size [2, 3, 6], got [2, 2, 6]");
  EXPECT_EMBER_ERROR(m->forward(randn({5, 3, 4}), std::make_tuple(zeros({3, 6}), zeros({3, 6}))),
                     "For batched 3-D input, hx and cx should also be 3-D but got (2-D, 2-D) tensors");
  EXPECT_EMBER_ERROR(m->forward(randn({5, 4}), std::make_tuple(zeros({2, 1, 6}), zeros({2, 1, 6}))),
                     "For unbatched 2-D input, hx and cx should also be 2-D but got (3-D, 3-D) tensors");
  EXPECT_EMBER_ERROR(m->forward(randn({5, 3, 4}, f64())), "input must have the type torch.float32, got type torch.float64");
  EXPECT_EMBER_ERROR(m->forward(randn({5, 3, 4}), std::make_tuple(zeros({2, 3, 6}, f64()), zeros({2, 3, 6}))),
                     "hidden[0] must have the type torch.float32, got type torch.float64");
  nn::GRU g(4, 6);
  EXPECT_EMBER_ERROR(g->forward(randn({5, 3, 4}), zeros({1, 2, 6})), "Expected hidden size [1, 3, 6], got [1, 2, 6]");
  EXPECT_EMBER_ERROR(g->forward(randn({5, 4}), zeros({1, 1, 6})),
                     "For unbatched 2-D input, hx should also be 2-D but got 3-D tensor");
  EXPECT_EMBER_ERROR((void)nn::LSTM(nn::LSTMOptions(4, 6).proj_size(6)), "proj_size has to be smaller than hidden_size");
  EXPECT_EMBER_ERROR((void)nn::GRU(nn::GRUOptions(4, 6).dropout(1.5)), "dropout should be a number in range [0, 1]");

  nn::LSTMCell c(4, 6);
  EXPECT_EMBER_ERROR(c->forward(randn({2, 3, 4})), "LSTMCell: Expected input to be 1D or 2D, got 3D instead");
  EXPECT_EMBER_ERROR(c->forward(randn({2, 5})), "input has inconsistent input_size: got 5 expected 4");
  EXPECT_EMBER_ERROR(c->forward(randn({2, 4}), std::make_tuple(zeros({3, 6}), zeros({2, 6}))),
                     "Input batch size 2 doesn't match hidden[0] batch size 3");
  EXPECT_EMBER_ERROR(c->forward(randn({2, 4}), std::make_tuple(zeros({2, 6}), zeros({2, 5}))),
                     "hidden[1] has inconsistent hidden_size: got 5, expected 6");
  nn::GRUCell gc(4, 6);
  EXPECT_EMBER_ERROR(gc->forward(randn({2, 4}), zeros({2, 7})), "hidden has inconsistent hidden_size: got 7, expected 6");

  // The functional forms.
  auto p = m->all_weights();
  EXPECT_EMBER_ERROR(ember::lstm(randn({5, 3, 4}), {zeros({2, 3, 6}), zeros({2, 3, 6})},
                                 std::vector<Tensor>(p.begin(), p.begin() + 4), true, 2, 0.0, false, false, false),
                     "got an incorrect number of RNN parameters");
  EXPECT_EMBER_ERROR(ember::lstm(randn({5, 3, 4}), {zeros({2, 3, 6})}, p, true, 2, 0.0, false, false, false),
                     "lstm expects two hidden states");
}

TEST(RnnModules, PrettyPrintCloneAndSerialize) {
  std::ostringstream s;
  s << *nn::LSTM(nn::LSTMOptions(10, 20).num_layers(2).batch_first(true).bidirectional(true).dropout(0.1));
  EXPECT_EQ(s.str(), "torch::nn::LSTM(input_size=10, hidden_size=20, num_layers=2, bias=true, batch_first=true, "
                     "dropout=0.1, bidirectional=true)");
  s.str("");
  s << *nn::LSTM(nn::LSTMOptions(10, 20).proj_size(5));
  EXPECT_EQ(s.str(), "torch::nn::LSTM(input_size=10, hidden_size=20, num_layers=1, bias=true, batch_first=false, "
                     "dropout=0, bidirectional=false, proj_size=5)");
  s.str("");
  s << *nn::GRU(3, 4);
  EXPECT_EQ(s.str(), "torch::nn::GRU(input_size=3, hidden_size=4, num_layers=1, bias=true, batch_first=false, "
                     "dropout=0, bidirectional=false)");
  s.str("");
  s << *nn::RNNCell(nn::RNNCellOptions(3, 4).nonlinearity(ember::kReLU).bias(false));
  EXPECT_EQ(s.str(), "torch::nn::RNNCell(3, 4, bias=false, nonlinearity=kReLU)");
  s.str("");
  s << *nn::LSTMCell(3, 4);
  EXPECT_EQ(s.str(), "torch::nn::LSTMCell(3, 4)");

  nn::LSTM a(nn::LSTMOptions(3, 4).num_layers(2).bidirectional(true));
  auto b = std::dynamic_pointer_cast<nn::LSTMImpl>(a->clone());
  ASSERT_NE(b, nullptr);
  Tensor x = randn({5, 2, 3});
  EXPECT_TRUE(bitwise_equal(std::get<0>(a->forward(x)), std::get<0>(b->forward(x))));
  { NoGradGuard g; b->named_parameters()["weight_ih_l1_reverse"].add_(1); }  // independent copies
  EXPECT_FALSE(std::get<0>(a->forward(x)).equal(std::get<0>(b->forward(x))));

  std::string path = temp_file("ember_rnn_test.safetensors");
  save(a, path);
  nn::LSTM c(nn::LSTMOptions(3, 4).num_layers(2).bidirectional(true));
  load(c, path);
  EXPECT_TRUE(bitwise_equal(std::get<0>(a->forward(x)), std::get<0>(c->forward(x))));
  std::remove(path.c_str());
}

TEST(RnnCompile, LstmTrainingStepEqualsEagerBitwise) {
  for (double dropout : {0.0, 0.3}) {
    manual_seed(21);
    nn::LSTM a(nn::LSTMOptions(5, 8).num_layers(2).bidirectional(true).batch_first(true).dropout(dropout));
    nn::Linear ha(16, 3);
    auto b = nn::LSTM(std::dynamic_pointer_cast<nn::LSTMImpl>(a->clone()));
    auto hb = nn::Linear(std::dynamic_pointer_cast<nn::LinearImpl>(ha->clone()));
    auto params = [](nn::LSTM& m, nn::Linear& h) {
      auto p = m->parameters();
      for (auto& t : h->parameters()) p.push_back(t);
      return p;
    };
    optim::SGD oa(params(a, ha), optim::SGDOptions(0.1).momentum(0.9));
    optim::SGD ob(params(b, hb), optim::SGDOptions(0.1).momentum(0.9));
    auto step = [](nn::LSTM& m, nn::Linear& h, optim::Optimizer& opt, const Tensor& x, const Tensor& y) {
      opt.zero_grad();
      auto [out, hc] = m->forward(x);
      Tensor loss = (h->forward(out) - y).pow(2).mean() + std::get<1>(hc).pow(2).mean();
      loss.backward();
      opt.step();
      return loss.detach();
    };
    auto compiled = compile([&](const Tensor& x, const Tensor& y) { return step(b, hb, ob, x, y); });
    for (int s = 0; s < 4; ++s) {
      Tensor x = randn({3, 6, 5}), y = randn({3, 6, 3});
      uint64_t seed = 100 + s;
      manual_seed(seed);
      Tensor la = step(a, ha, oa, x, y);
      manual_seed(seed);
      Tensor lb = compiled(x, y);
      EXPECT_TRUE(bitwise_equal(la, lb)) << "dropout " << dropout << " step " << s << ": " << la.item<double>()
                                         << " vs " << lb.item<double>();
    }
    EXPECT_EQ(compiled.stats().compiles, 1);
    auto pa = a->named_parameters(), pb = b->named_parameters();
    for (const auto& p : pa) EXPECT_TRUE(bitwise_equal(p.value(), pb[p.key()])) << p.key();
  }
}

TEST(RnnCuda, LstmAndGruMatchTheCpuForwardAndBackward) {
  EMBER_REQUIRE_CUDA();
  manual_seed(4);
  Device gpu(kCUDA, 0);
  nn::LSTM a(nn::LSTMOptions(5, 8).num_layers(2).bidirectional(true));
  auto b = nn::LSTM(std::dynamic_pointer_cast<nn::LSTMImpl>(a->clone(gpu)));
  Tensor x = randn({7, 3, 5});
  auto [oa, hca] = a->forward(x);
  auto [ob, hcb] = b->forward(x.to(gpu));
  EXPECT_TRUE(ob.device().is_cuda());
  EXPECT_TRUE(close(ob, oa, 1e-5, 1e-6));
  EXPECT_TRUE(close(std::get<1>(hcb), std::get<1>(hca), 1e-5, 1e-6));
  (oa.pow(2).sum() + std::get<1>(hca).sum()).backward();
  (ob.pow(2).sum() + std::get<1>(hcb).sum()).backward();
  auto pa = a->named_parameters(), pb = b->named_parameters();
  for (const auto& p : pa) EXPECT_TRUE(close(pb[p.key()].grad(), p.value().grad(), 1e-4, 1e-5)) << p.key();

  nn::GRU g(nn::GRUOptions(5, 8).batch_first(true));
  auto g2 = nn::GRU(std::dynamic_pointer_cast<nn::GRUImpl>(g->clone(gpu)));
  Tensor xb = randn({3, 7, 5});
  EXPECT_TRUE(close(std::get<0>(g2->forward(xb.to(gpu))), std::get<0>(g->forward(xb)), 1e-5, 1e-6));

  // compiled on the GPU: the same losses as eager there.
  nn::LSTMCell cell(5, 8);
  cell->to(gpu);
  auto f = compile([&](const Tensor& xx) { return std::get<0>(cell->forward(xx)).sum(); });
  Tensor xc = randn({3, 5}, TensorOptions().device(gpu));
  EXPECT_TRUE(close(f(xc), std::get<0>(cell->forward(xc)).sum(), 1e-6, 1e-6));
}
