// Gradients against libtorch: each program runs in ember (eager and compiled, on every
// device) and in libtorch on the same float64 inputs, and the outputs and all input
// gradients must agree. Built only when libtorch is found (EMBER_TORCH).
#include "../test_util.h"
#include "torch_programs.h"
#include "ember/nn/attention.h"
#include "ember/nn/transformer.h"

#include <limits>
#include <functional>

namespace ember::testing {
namespace {

namespace F = nn::functional;
using Inputs = std::vector<Tensor>;

// How one input is made (all from ember's generator, then handed to libtorch as values).
struct InputSpec {
  enum class Gen { Normal, Positive, Index, Mask, Values } gen = Gen::Normal;
  Shape shape;
  int64_t bound = 0;             // Index: values in [0, bound)
  std::vector<double> values;    // Values: these, as int64
  double scale = 1;              // Normal: the standard deviation
};
InputSpec N(Shape s, double scale = 1) { return {InputSpec::Gen::Normal, std::move(s), 0, {}, scale}; }
InputSpec P(Shape s) { return {InputSpec::Gen::Positive, std::move(s)}; }
InputSpec Idx(Shape s, int64_t bound) { return {InputSpec::Gen::Index, std::move(s), bound}; }
InputSpec Mask(Shape s) { return {InputSpec::Gen::Mask, std::move(s)}; }
InputSpec Ints(Shape s, std::vector<double> v) { return {InputSpec::Gen::Values, std::move(s), 0, std::move(v)}; }

struct Case {
  std::string name;
  std::vector<InputSpec> inputs;
  std::function<Tensor(const Inputs&)> fn;
  std::string eager_only;  // why the program is not compiled, if it is not
  double rtol = 1e-10;
};

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b) { return F::linear(x, w, b); }

std::vector<Tensor> rest(const Inputs& in, size_t first) { return std::vector<Tensor>(in.begin() + first, in.end()); }

// x, the states, then per layer and direction w_ih, w_hh, b_ih, b_hh (gates * hidden rows).
std::vector<InputSpec> rnn_inputs(Shape x, std::vector<InputSpec> states, int64_t gates, int64_t in, int64_t hidden,
                                  int64_t layers, bool bidirectional, bool) {
  std::vector<InputSpec> v = {N(std::move(x))};
  for (auto& s : states) v.push_back(std::move(s));
  int64_t dirs = bidirectional ? 2 : 1;
  for (int64_t l = 0; l < layers; ++l)
    for (int64_t d = 0; d < dirs; ++d) {
      v.push_back(N({gates * hidden, l == 0 ? in : hidden * dirs}, 0.5));
      v.push_back(N({gates * hidden, hidden}, 0.5));
      v.push_back(N({gates * hidden}, 0.5));
      v.push_back(N({gates * hidden}, 0.5));
    }
  return v;
}

// The notes' programs 1, 5 and 7 for a few float64 steps (see torch_programs.cpp).
Tensor train_two_layer_sgd(const Inputs& in) {
  Tensor x = in[0].detach(), y = in[1].detach();
  Tensor w1 = in[2].detach().clone().requires_grad_(true), w2 = in[3].detach().clone().requires_grad_(true);
  std::vector<Tensor> losses;
  for (int t = 0; t < 30; ++t) {
    Tensor loss = (x.mm(w1).clamp(0).mm(w2) - y).pow(2).sum();
    losses.push_back(loss.detach().reshape({1}));
    loss.backward();
    NoGradGuard no_grad;
    w1 -= 1e-6 * w1.grad();
    w2 -= 1e-6 * w2.grad();
    w1.grad().zero_();
    w2.grad().zero_();
  }
  losses.push_back(w2.detach().flatten());
  return cat(losses);
}

std::vector<Tensor> fresh_parameters(const Inputs& in, size_t first) {
  std::vector<Tensor> params;
  for (size_t i = first; i < in.size(); ++i) params.push_back(in[i].detach().clone().requires_grad_(true));
  return params;
}

Tensor train_nn_adam(const Inputs& in) {
  Tensor x = in[0].detach(), y = in[1].detach();
  auto p = fresh_parameters(in, 2);
  optim::Adam adam(p, optim::AdamOptions(1e-4));
  std::vector<Tensor> losses;
  for (int t = 0; t < 30; ++t) {
    Tensor loss = F::mse_loss(linear(linear(x, p[0], p[1]).relu(), p[2], p[3]), y, kSum);
    losses.push_back(loss.detach().reshape({1}));
    adam.zero_grad();
    loss.backward();
    adam.step();
  }
  losses.push_back(p[2].detach().flatten());
  return cat(losses);
}

Tensor train_dynamic_momentum(const Inputs& in) {
  Tensor x = in[0].detach(), y = in[1].detach();
  auto p = fresh_parameters(in, 2);
  optim::SGD sgd(p, optim::SGDOptions(1e-4).momentum(0.9));
  std::vector<Tensor> losses;
  for (int t = 0; t < 30; ++t) {
    Tensor h = linear(x, p[0], p[1]).clamp_min(0);
    for (int k = 0; k < t % 4; ++k) h = linear(h, p[2], p[3]).clamp_min(0);
    Tensor loss = F::mse_loss(linear(h, p[4], p[5]), y, kSum);
    losses.push_back(loss.detach().reshape({1}));
    // libtorch 1.13 zeroes grads (2.x sets them to none, as ember does by default): the
    // shared layer, unused on some steps, keeps moving with its momentum only with zeroes.
    sgd.zero_grad(/*set_to_none=*/false);
    loss.backward();
    sgd.step();
  }
  losses.push_back(p[4].detach().flatten());
  return cat(losses);
}

template <class Opt>
Tensor train_nn_with(const Inputs& in, Opt& opt, const std::vector<Tensor>& p) {
  Tensor x = in[0].detach(), y = in[1].detach();
  std::vector<Tensor> losses;
  for (int t = 0; t < 30; ++t) {
    Tensor loss = F::mse_loss(linear(linear(x, p[0], p[1]).relu(), p[2], p[3]), y, kSum);
    losses.push_back(loss.detach().reshape({1}));
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  losses.push_back(p[2].detach().flatten());
  return cat(losses);
}

Tensor train_nn_adagrad(const Inputs& in) {
  auto p = fresh_parameters(in, 2);
  optim::Adagrad opt(p, optim::AdagradOptions(1e-2).lr_decay(0.01).weight_decay(1e-3).initial_accumulator_value(0.1));
  return train_nn_with(in, opt, p);
}

Tensor train_nn_rmsprop(const Inputs& in) {
  auto p = fresh_parameters(in, 2);
  optim::RMSprop opt(p, optim::RMSpropOptions(1e-3).alpha(0.9).momentum(0.5).centered(true).weight_decay(1e-3));
  return train_nn_with(in, opt, p);
}

// scaled_dot_product_attention, multi_head_attention_forward and a TransformerEncoderLayer
// (GELU, causal float mask, key padding) whose weights are the inputs.
Tensor sdpa(const Inputs& i, bool causal) {
  if (causal) return scaled_dot_product_attention(i[0], i[1], i[2], std::nullopt, 0.0, true);
  return scaled_dot_product_attention(i[0], i[1], i[2], i[3]);
}

Tensor mha_self(const Inputs& i) {
  auto o = F::MultiheadAttentionForwardFuncOptions(4, 2, i[1], i[2], {}, {}, false, 0.0, i[3], i[4])
               .key_padding_mask(i[5].to(kBool))
               .need_weights(false);
  return std::get<0>(F::multi_head_attention_forward(i[0], i[0], i[0], o));
}

Tensor encoder_layer(const Inputs& i) {
  nn::TransformerEncoderLayer layer(
      nn::TransformerEncoderLayerOptions(8, 2).dim_feedforward(16).dropout(0.0).activation(kGELU));
  auto& l = *layer;
  l.self_attn->in_proj_weight = i[1];
  l.self_attn->in_proj_bias = i[2];
  l.self_attn->out_proj->weight = i[3];
  l.self_attn->out_proj->bias = i[4];
  l.linear1->weight = i[5];
  l.linear1->bias = i[6];
  l.linear2->weight = i[7];
  l.linear2->bias = i[8];
  l.norm1->weight = i[9];
  l.norm1->bias = i[10];
  l.norm2->weight = i[11];
  l.norm2->bias = i[12];
  Tensor mask = nn::generate_square_subsequent_mask(5, TensorOptions().dtype(kFloat64).device(i[0].device()));
  return l.forward(i[0], mask, i[13].to(kBool));
}

const char* kOwnLoop = "runs its own training loop";
const char* kDataDependent = "a shape depends on values (compile() refuses it)";

std::vector<Case> cases() {
  constexpr int64_t n = 64, d_in = 1000, h = 100, d_out = 10;  // the notes' sizes
  auto unary = [](std::string name, std::function<Tensor(const Tensor&)> f, bool positive = false) {
    return Case{std::move(name), {positive ? P({3, 4}) : N({3, 4})}, [f](const Inputs& i) { return f(i[0]); }};
  };
  std::vector<Case> c = {
      unary("neg", [](const Tensor& x) { return x.neg(); }),
      unary("abs", [](const Tensor& x) { return x.abs(); }),
      unary("exp", [](const Tensor& x) { return x.exp(); }),
      unary("log", [](const Tensor& x) { return x.log(); }, true),
      unary("sqrt", [](const Tensor& x) { return x.sqrt(); }, true),
      unary("rsqrt", [](const Tensor& x) { return x.rsqrt(); }, true),
      unary("reciprocal", [](const Tensor& x) { return x.reciprocal(); }, true),
      unary("relu", [](const Tensor& x) { return x.relu(); }),
      unary("sigmoid", [](const Tensor& x) { return x.sigmoid(); }),
      unary("tanh", [](const Tensor& x) { return x.tanh(); }),
      unary("sin", [](const Tensor& x) { return x.sin(); }),
      unary("cos", [](const Tensor& x) { return x.cos(); }),
      unary("erf", [](const Tensor& x) { return x.erf(); }),
      unary("gelu", [](const Tensor& x) { return F::gelu(x); }),
      unary("clamp", [](const Tensor& x) { return x.clamp(-0.5, 0.5); }),
      unary("clamp_min", [](const Tensor& x) { return x.clamp_min(0); }),
      unary("clamp_max", [](const Tensor& x) { return x.clamp_max(0.3); }),
      unary("pow2", [](const Tensor& x) { return x.pow(2); }),
      unary("pow3", [](const Tensor& x) { return x.pow(3); }),
      unary("pow_frac", [](const Tensor& x) { return x.pow(2.5); }, true),
      unary("pow_neg", [](const Tensor& x) { return x.pow(-1.5); }, true),
      unary("scalar_arith", [](const Tensor& x) { return (x * 3 - 1) / 2 + 0.5; }),

      {"add_alpha", {N({3, 4}), N({4})}, [](const Inputs& i) { return i[0].add(i[1], 2.5); }},
      {"sub_alpha", {N({3, 1}), N({1, 4})}, [](const Inputs& i) { return i[0].sub(i[1], 0.5); }},
      {"mul_broadcast", {N({2, 3, 4}), N({3, 1})}, [](const Inputs& i) { return i[0] * i[1]; }},
      {"div", {N({3, 4}), P({3, 4})}, [](const Inputs& i) { return i[0] / i[1]; }},
      {"div_broadcast", {N({4}), P({3, 4})}, [](const Inputs& i) { return i[0] / i[1]; }},
      {"pow_tensor", {P({3, 4}), N({4})}, [](const Inputs& i) { return i[0].pow(i[1]); }},
      {"maximum", {N({3, 4}), N({3, 4})}, [](const Inputs& i) { return maximum(i[0], i[1]); }},
      {"minimum", {N({3, 4}), N({4})}, [](const Inputs& i) { return minimum(i[0], i[1]); }},
      {"where", {N({3, 4}), N({4})}, [](const Inputs& i) { return where(i[0] > i[1], i[0], i[1] * 2); }},
      {"masked_fill", {N({3, 4}), Mask({3, 4})}, [](const Inputs& i) { return i[0].masked_fill(i[1], 1.5); }},
      {"clamp_tensor", {N({3, 4}), N({4}), N({3, 1})},
       [](const Inputs& i) { return i[0].clamp(std::optional<Tensor>(i[1]), std::optional<Tensor>(i[2])); }},

      {"sum_all", {N({3, 4, 5})}, [](const Inputs& i) { return i[0].sum(); }},
      {"sum_dims", {N({3, 4, 5})}, [](const Inputs& i) { return i[0].sum({0, 2}); }},
      {"sum_keepdim", {N({3, 4, 5})}, [](const Inputs& i) { return i[0].sum({1}, true); }},
      {"mean_all", {N({3, 4, 5})}, [](const Inputs& i) { return i[0].mean(); }},
      {"mean_dim", {N({3, 4, 5})}, [](const Inputs& i) { return i[0].mean({-1}); }},
      {"prod_all", {P({2, 3})}, [](const Inputs& i) { return i[0].prod(); }},
      {"prod_dim", {N({3, 4})}, [](const Inputs& i) { return i[0].prod(1); }},
      {"max_all", {N({3, 4, 5})}, [](const Inputs& i) { return i[0].max(); }},
      {"min_all", {N({3, 4, 5})}, [](const Inputs& i) { return i[0].min(); }},
      {"amax", {N({3, 4, 5})}, [](const Inputs& i) { return i[0].amax({2}); }},
      {"amin", {N({3, 4, 5})}, [](const Inputs& i) { return i[0].amin({0, 1}, true); }},
      {"max_dim", {N({3, 4, 5})}, [](const Inputs& i) { return std::get<0>(i[0].max(1)); }},
      {"min_dim", {N({3, 4, 5})}, [](const Inputs& i) { return std::get<0>(i[0].min(2, true)); }},
      {"softmax", {N({3, 4, 5})}, [](const Inputs& i) { return F::softmax(i[0], 1); }},
      {"log_softmax", {N({3, 4, 5})}, [](const Inputs& i) { return F::log_softmax(i[0], 0); }},

      {"mm", {N({5, 3}), N({3, 4})}, [](const Inputs& i) { return i[0].mm(i[1]); }},
      {"mm_transposed", {N({3, 5}), N({3, 4})}, [](const Inputs& i) { return i[0].t().mm(i[1]); }},
      {"mv", {N({5, 3}), N({3})}, [](const Inputs& i) { return i[0].mv(i[1]); }},
      {"dot", {N({6}), N({6})}, [](const Inputs& i) { return i[0].dot(i[1]); }},
      {"bmm", {N({2, 3, 4}), N({2, 4, 5})}, [](const Inputs& i) { return i[0].bmm(i[1]); }},
      {"matmul_nd", {N({2, 3, 4}), N({4, 5})}, [](const Inputs& i) { return i[0].matmul(i[1]); }},
      {"matmul_broadcast", {N({2, 1, 3, 4}), N({3, 4, 2})}, [](const Inputs& i) { return i[0].matmul(i[1]); }},
      {"matmul_vector", {N({4}), N({2, 4, 3})}, [](const Inputs& i) { return i[0].matmul(i[1]); }},
      {"addmm", {N({4}), N({5, 3}), N({3, 4})}, [](const Inputs& i) { return i[0].addmm(i[1], i[2], 0.5, 2); }},
      {"linear", {N({5, 3}), N({4, 3}), N({4})}, [](const Inputs& i) { return linear(i[0], i[1], i[2]); }},

      {"view", {N({3, 4})}, [](const Inputs& i) { return i[0].view({2, 6}); }},
      {"reshape_transposed", {N({3, 4})}, [](const Inputs& i) { return i[0].t().reshape({12}); }},
      {"permute", {N({2, 3, 4})}, [](const Inputs& i) { return i[0].permute({2, 0, 1}); }},
      {"expand", {N({3, 1})}, [](const Inputs& i) { return i[0].expand({2, 3, 4}); }},
      {"flatten", {N({2, 3, 4})}, [](const Inputs& i) { return i[0].flatten(1); }},
      {"squeeze_unsqueeze", {N({3, 1, 4})}, [](const Inputs& i) { return i[0].squeeze(1).unsqueeze(0); }},
      {"slice_step", {N({6, 4})}, [](const Inputs& i) { return i[0].slice(0, 1, 5, 2); }},
      {"select", {N({3, 4})}, [](const Inputs& i) { return i[0].select(1, 2); }},
      {"narrow", {N({3, 4})}, [](const Inputs& i) { return i[0].narrow(0, 1, 2); }},
      {"transpose_contiguous", {N({3, 4, 5})}, [](const Inputs& i) { return i[0].transpose(0, 2).contiguous(); }},
      {"cat", {N({3, 2}), N({3, 4})}, [](const Inputs& i) { return cat({i[0], i[1]}, 1); }},
      {"stack", {N({3, 4}), N({3, 4})}, [](const Inputs& i) { return stack({i[0], i[1]}, 0); }},
      {"split", {N({6, 4})}, [](const Inputs& i) { auto s = i[0].split(2); return s[1] * 2 + s[2]; }},
      {"chunk", {N({3, 4})}, [](const Inputs& i) { auto c = i[0].chunk(2, 1); return c[0] - c[1] * 3; }},
      {"repeat", {N({2, 3})}, [](const Inputs& i) { return i[0].repeat({2, 1, 2}); }},
      {"remainder", {N({3, 4}), P({3, 4})}, [](const Inputs& i) { return i[0].remainder(i[1]); }},
      {"fmod", {N({3, 4}), P({3, 4})}, [](const Inputs& i) { return i[0].fmod(i[1]); }},
      {"remainder_scalar", {N({3, 4})}, [](const Inputs& i) { return i[0].remainder(-0.7); }},
      {"flip", {N({2, 3, 4})}, [](const Inputs& i) { return i[0].flip({0, 2}); }},
      {"roll", {N({3, 4})}, [](const Inputs& i) { return i[0].roll({1, -3}, {0, 1}); }},
      {"roll_flat", {N({3, 4})}, [](const Inputs& i) { return i[0].roll({5}); }},
      {"tril_triu", {N({2, 3, 4})}, [](const Inputs& i) { return i[0].tril(1) * 2 + i[0].triu(-1); }},
      {"cumsum", {N({3, 5})}, [](const Inputs& i) { return i[0].cumsum(1); }},
      {"cumprod", {N({3, 5})}, [](const Inputs& i) { return i[0].cumprod(0); }},
      {"sort", {N({3, 5})}, [](const Inputs& i) { return std::get<0>(i[0].sort(1, true)) * std::get<1>(i[0].sort(1, true)); }},
      {"topk", {N({3, 5})}, [](const Inputs& i) { return std::get<0>(i[0].topk(2, 0)); }},
      {"std_biased", {N({3, 4})}, [](const Inputs& i) { return i[0].std({1}, false); }},
      {"norm_p3", {N({3, 4})}, [](const Inputs& i) { return i[0].norm(3, {1}); }},
      {"norm_inf", {N({3, 4})}, [](const Inputs& i) { return i[0].norm(std::numeric_limits<double>::infinity(), {0}); }},
      {"logsumexp", {N({3, 4})}, [](const Inputs& i) { return i[0].logsumexp({1}, true); }},
      {"index_select", {N({5, 4}), Idx({7}, 5)}, [](const Inputs& i) { return i[0].index_select(0, i[1]); }},
      {"conv2d_groups", {N({2, 4, 7, 6}), N({6, 2, 3, 2}), N({6})}, [](const Inputs& i) { return conv2d(i[0], i[1], i[2], {2, 1}, 1, {1, 2}, 2); }},
      {"conv2d_same", {N({1, 3, 6, 5}), N({4, 3, 4, 3})}, [](const Inputs& i) { return conv2d(i[0], i[1], {}, 1, "same", {2, 1}); }},
      {"conv1d", {N({2, 3, 9}), N({4, 3, 3}), N({4})}, [](const Inputs& i) { return conv1d(i[0], i[1], i[2], 2, 1, 2); }},
      {"conv3d", {N({1, 2, 4, 5, 4}), N({3, 2, 2, 3, 2})}, [](const Inputs& i) { return conv3d(i[0], i[1], {}, 1, {1, 0, 1}); }},
      {"conv_transpose2d", {N({2, 4, 5, 4}), N({4, 3, 3, 2}), N({6})}, [](const Inputs& i) { return conv_transpose2d(i[0], i[1], i[2], 2, 1, 1, 2, 1); }},
      {"conv_transpose2d_dilated", {N({1, 2, 4, 4}), N({2, 3, 3, 3})}, [](const Inputs& i) { return conv_transpose2d(i[0], i[1], {}, 1, 0, 1, 1, 2); }},
      {"conv_transpose1d", {N({2, 2, 6}), N({2, 3, 3})}, [](const Inputs& i) { return conv_transpose1d(i[0], i[1], {}, 2, 1, 1); }},
      // recurrent layers (ATen's forms, the weights as inputs): output, h_n (and c_n) in one
      {"lstm_bidirectional_2layer", rnn_inputs({4, 2, 3}, {N({4, 2, 3}), N({4, 2, 3})}, 4, 3, 3, 2, true, false),
       [](const Inputs& i) {
         auto [out, h, c] = lstm(i[0], {i[1], i[2]}, rest(i, 3), true, 2, 0.0, false, true, false);
         return cat({out.flatten(), h.flatten(), c.flatten()});
       }},
      {"lstm_proj", {N({3, 2, 3}), N({1, 2, 2}), N({1, 2, 4}), N({16, 3}), N({16, 2}), N({16}), N({16}), N({2, 4})},
       [](const Inputs& i) {
         auto [out, h, c] = lstm(i[0], {i[1], i[2]}, rest(i, 3), true, 1, 0.0, false, false, false);
         return cat({out.flatten(), h.flatten(), c.flatten()});
       }},
      {"gru_batch_first_2layer", rnn_inputs({2, 4, 3}, {N({2, 2, 3})}, 3, 3, 3, 2, false, true),
       [](const Inputs& i) {
         auto [out, h] = gru(i[0], i[1], rest(i, 2), true, 2, 0.0, false, false, true);
         return cat({out.flatten(), h.flatten()});
       }},
      {"rnn_tanh_bidirectional", rnn_inputs({4, 2, 3}, {N({2, 2, 3})}, 1, 3, 3, 1, true, false),
       [](const Inputs& i) {
         auto [out, h] = rnn_tanh(i[0], i[1], rest(i, 2), true, 1, 0.0, false, true, false);
         return cat({out.flatten(), h.flatten()});
       }},
      {"lstm_cell", {N({2, 3}), N({2, 4}), N({2, 4}), N({16, 3}), N({16, 4}), N({16}), N({16})},
       [](const Inputs& i) {
         auto [h, c] = lstm_cell(i[0], {i[1], i[2]}, i[3], i[4], i[5], i[6]);
         return cat({h.flatten(), c.flatten()});
       }},
      {"gru_cell", {N({2, 3}), N({2, 4}), N({12, 3}), N({12, 4}), N({12}), N({12})},
       [](const Inputs& i) { return gru_cell(i[0], i[1], i[2], i[3], i[4], i[5]); }},
      {"max_pool2d_ceil", {N({2, 3, 9, 8})}, [](const Inputs& i) { return max_pool2d(i[0], 3, 2, 1, 1, true); }},
      {"max_pool2d_dilated", {N({2, 3, 9, 8})}, [](const Inputs& i) { return max_pool2d(i[0], {2, 3}, 1, {1, 0}, 2); }},
      {"max_pool1d", {N({2, 3, 10})}, [](const Inputs& i) { return max_pool1d(i[0], 3, 2, 1); }},
      {"avg_pool2d_ceil_exclude_pad", {N({2, 3, 9, 8})}, [](const Inputs& i) { return avg_pool2d(i[0], 3, 2, 1, true, false); }},
      {"avg_pool2d_divisor", {N({2, 3, 9, 8})}, [](const Inputs& i) { return avg_pool2d(i[0], {3, 2}, {2, 1}, {1, 0}, false, true, 5); }},
      {"avg_pool3d", {N({1, 2, 4, 5, 6})}, [](const Inputs& i) { return avg_pool3d(i[0], 2, {1, 2, 2}, 1); }},
      {"adaptive_avg_pool2d", {N({2, 3, 9, 7})}, [](const Inputs& i) { return adaptive_avg_pool2d(i[0], {4, 3}); }},
      {"adaptive_max_pool2d", {N({2, 3, 9, 7})}, [](const Inputs& i) { return std::get<0>(adaptive_max_pool2d(i[0], {4, 3})); }},
      {"max_unpool2d", {N({1, 2, 4, 6})}, [](const Inputs& i) { return max_unpool2d(std::get<0>(max_pool2d_with_indices(i[0], 2)) * 2, std::get<1>(max_pool2d_with_indices(i[0], 2)), {4, 6}); }},
      {"pad_reflect", {N({1, 2, 5, 6})}, [](const Inputs& i) { return F::pad(i[0], F::PadFuncOptions({2, 1, 1, 3}).mode(kReflect)); }},
      {"pad_replicate", {N({1, 2, 5, 6})}, [](const Inputs& i) { return F::pad(i[0], F::PadFuncOptions({2, 1, 1, 3}).mode(kReplicate)); }},
      {"pad_circular", {N({1, 2, 5, 6})}, [](const Inputs& i) { return F::pad(i[0], F::PadFuncOptions({2, 1, 1, 3}).mode(kCircular)); }},
      {"pad_constant_crop", {N({2, 5, 6})}, [](const Inputs& i) { return F::pad(i[0], F::PadFuncOptions({2, -1, -2, 3}).value(0.5)); }},
      {"gather", {N({3, 4}), Idx({3, 5}, 4)}, [](const Inputs& i) { return i[0].gather(1, i[1]); }},
      // scatter with distinct indices per row: which duplicate wins is unspecified in both.
      {"scatter", {N({3, 4}), Ints({3, 2}, {0, 2, 3, 1, 1, 0}), N({3, 2})},
       [](const Inputs& i) { return i[0].scatter(1, i[1], i[2]); }},
      {"scatter_add", {N({3, 4}), Idx({3, 5}, 4), N({3, 5})},
       [](const Inputs& i) { return i[0].scatter_add(1, i[1], i[2]); }},
      {"index_add", {N({5, 3}), Idx({4}, 5), N({4, 3})}, [](const Inputs& i) { return i[0].index_add(0, i[1], i[2]); }},
      {"masked_select", {N({3, 4}), Mask({3, 4})}, [](const Inputs& i) { return i[0].masked_select(i[1]); },
       kDataDependent},
      {"masked_scatter", {N({3, 4}), Mask({3, 4}), N({12})},  // its backward is a masked_select
       [](const Inputs& i) { return i[0].masked_scatter(i[1], i[2]); }, kDataDependent},
      {"index_put_mask", {N({3, 4})},
       [](const Inputs& i) {
         Tensor y = i[0].clone();
         y.index_put_({i[0] > 0.3}, 0.0);
         return y;
       }},

      {"mse_mean", {N({4, 5}), N({4, 5})}, [](const Inputs& i) { return F::mse_loss(i[0], i[1]); }},
      {"mse_sum", {N({4, 5}), N({4, 5})}, [](const Inputs& i) { return F::mse_loss(i[0], i[1], kSum); }},
      {"l1_sum", {N({4, 5}), N({4, 5})}, [](const Inputs& i) { return F::l1_loss(i[0], i[1], kSum); }},
      {"cross_entropy", {N({4, 5}), Idx({4}, 5)}, [](const Inputs& i) { return F::cross_entropy(i[0], i[1]); }},
      {"nll_log_softmax", {N({4, 5}), Idx({4}, 5)},
       [](const Inputs& i) { return F::nll_loss(F::log_softmax(i[0], 1), i[1]); }},
      {"nll_weight_ignore", {N({6, 5}), Idx({6}, 5)},
       [](const Inputs& i) {
         return F::nll_loss(F::log_softmax(i[0], 1), i[1], F::NLLLossFuncOptions().weight(tensor(TensorData(std::vector<double>{1.0, 2.0, 0.5, 1.5, 0.8}), TensorOptions().dtype(kFloat64).device(i[0].device()))).ignore_index(1));
       }},
      {"cross_entropy_weight_smoothing", {N({6, 5}), Idx({6}, 5)},
       [](const Inputs& i) {
         return F::cross_entropy(i[0], i[1], F::CrossEntropyFuncOptions().weight(tensor(TensorData(std::vector<double>{1.0, 2.0, 0.5, 1.5, 0.8}), TensorOptions().dtype(kFloat64).device(i[0].device()))).label_smoothing(0.2)
                                                 .ignore_index(3).reduction(kSum));
       }},

      // issue 11: activations, math rows and losses
      {"act_silu_mish", {N({3, 4}, 2)}, [](const Inputs& i) { return F::silu(i[0]) + F::mish(i[0]) * 2; }},
      {"act_elu_selu_celu", {N({3, 4}, 2)},
       [](const Inputs& i) {
         return F::elu(i[0], F::ELUFuncOptions().alpha(0.7)) + F::selu(i[0]) - F::celu(i[0], F::CELUFuncOptions().alpha(1.5));
       }},
      {"act_leaky_hardtanh_relu6", {N({3, 4}, 3)},
       [](const Inputs& i) {
         return F::leaky_relu(i[0], F::LeakyReLUFuncOptions().negative_slope(0.2)) *
                    F::hardtanh(i[0], F::HardtanhFuncOptions().min_val(-1.5).max_val(2)) +
                F::relu6(i[0] * 3);
       }},
      {"act_shrink_softsign_logsigmoid", {N({3, 4}, 2)},
       [](const Inputs& i) {
         return F::hardshrink(i[0], F::HardshrinkFuncOptions().lambda(0.3)) + F::softshrink(i[0], 0.4) +
                F::tanhshrink(i[0]) + F::softsign(i[0]) + F::logsigmoid(i[0]);
       }},
      // libtorch 1.13's hardsigmoid_backward multiplies by 1.0f / 6.0f, a float constant:
      // ember's exact 1/6 differs by 1.5e-8 absolute (more relative where terms cancel).
      {"act_hardswish_hardsigmoid", {N({3, 4}, 3)},
       [](const Inputs& i) { return F::hardswish(i[0]) + F::hardsigmoid(i[0]) * 3; }, "", 1e-6},
      {"act_prelu", {N({2, 3, 4}), N({3})}, [](const Inputs& i) { return F::prelu(i[0], i[1]); }},
      {"act_glu_softmin", {N({4, 6})},
       [](const Inputs& i) { return F::glu(i[0]) + F::softmin(i[0].narrow(1, 0, 3), 1); }},
      {"math_rows", {P({3, 4})},
       [](const Inputs& i) {
         const Tensor& x = i[0];
         return x.log1p() + (x * 0.3).expm1() + x.log2() + x.log10() + x.exp2() + x.atan() + (x * 0.5).sinh() +
                (x * 0.5).cosh() + (x / (x + 1)).asin() + (x / (x + 2)).acos() + (x / 4).tan() + (x * 3).frac() +
                x.floor() + x.ceil() + x.round() + x.trunc();
       }},
      {"math_lerp_addc_atan2", {N({3, 4}), N({3, 4}), N({3, 4})},
       [](const Inputs& i) {
         return i[0].lerp(i[1], 0.3) + i[0].lerp(i[1], i[2]) + i[0].addcmul(i[1], i[2], 0.5) +
                i[0].addcdiv(i[1], i[2].exp(), -2) + i[0].atan2(i[1]);
       },
       "", 1e-7},  // libtorch 1.13's lerp backward rounds a scalar weight to float (1 - 0.3f)
      {"bce", {N({4, 3}), N({4, 3})},
       [](const Inputs& i) { return F::binary_cross_entropy(i[0].sigmoid(), i[1].sigmoid()); }},
      {"bce_logits_pos_weight", {N({4, 3}, 3), N({4, 3}), P({3})},
       [](const Inputs& i) {
         return F::binary_cross_entropy_with_logits(i[0], i[1].sigmoid(),
                                                    F::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(i[2].detach()));
       },  // libtorch 1.13 refuses a pos_weight that requires grad
       "compile() gives an input detached inside the function a gradient (eager: none); a compiler issue"},
      {"smooth_l1_huber", {N({4, 3}), N({4, 3})},
       [](const Inputs& i) {
         return F::smooth_l1_loss(i[0], i[1]) + F::huber_loss(i[0], i[1], F::HuberLossFuncOptions().delta(0.5));
       }},
      {"kl_div", {N({4, 5}), N({4, 5})},
       [](const Inputs& i) {
         Tensor lp = F::log_softmax(i[0], 1);
         return F::kl_div(lp, F::softmax(i[1], 1), F::KLDivFuncOptions(kBatchMean)) +
                F::kl_div(lp, F::log_softmax(i[1], 1), F::KLDivFuncOptions(kSum).log_target(true));
       }},
      {"margin_losses", {N({5}), N({5}), Ints({5}, {1, -1, 1, 1, -1})},
       [](const Inputs& i) {
         Tensor t = i[2].to(kFloat64);
         return F::margin_ranking_loss(i[0], i[1], t, F::MarginRankingLossFuncOptions().margin(0.1)) +
                F::hinge_embedding_loss(i[0], t) + F::soft_margin_loss(i[0], t);
       }},
      {"multilabel_soft_margin", {N({3, 4}), N({3, 4})},
       [](const Inputs& i) { return F::multilabel_soft_margin_loss(i[0], i[1].sigmoid()); }},
      {"multilabel_margin", {N({2, 4}), Ints({2, 4}, {3, 0, -1, 1, 1, -1, 2, 0})},
       [](const Inputs& i) { return F::multilabel_margin_loss(i[0], i[1]); }},
      {"cosine_embedding", {N({4, 5}), N({4, 5}), Ints({4}, {1, -1, 1, -1})},
       [](const Inputs& i) {
         return F::cosine_embedding_loss(i[0], i[1], i[2].to(kFloat64), F::CosineEmbeddingLossFuncOptions().margin(0.2));
       }},
      {"triplet_margin", {N({3, 4}), N({3, 4}), N({3, 4})},
       [](const Inputs& i) {
         return F::triplet_margin_loss(i[0], i[1], i[2], F::TripletMarginLossFuncOptions().swap(true));
       }},
      {"poisson_nll_full", {N({4}), P({4})},
       [](const Inputs& i) {
         return F::poisson_nll_loss(i[0], i[1] * 3, F::PoissonNLLLossFuncOptions().full(true));
       }},
      {"cross_entropy_probs", {N({4, 5}), N({4, 5})},
       [](const Inputs& i) {
         return F::cross_entropy(i[0], F::softmax(i[1], 1), F::CrossEntropyFuncOptions().label_smoothing(0.1));
       }},
      {"cosine_pairwise_normalize", {N({3, 4}), N({3, 4})},
       [](const Inputs& i) {
         return F::cosine_similarity(i[0], i[1]) + F::pairwise_distance(i[0], i[1]) + F::normalize(i[0]).sum({1});
       }},
      {"two_layer_net", {N({n, d_in}), N({n, d_out}), N({d_in, h}), N({h, d_out})},
       [](const Inputs& i) { return (i[0].mm(i[2]).clamp(0).mm(i[3]) - i[1]).pow(2).sum(); }},
      {"nn_two_layer", {N({n, d_in}), N({n, d_out}), N({h, d_in}), N({h}), N({d_out, h}), N({d_out})},
       [](const Inputs& i) {
         return F::mse_loss(linear(linear(i[0], i[2], i[3]).relu(), i[4], i[5]), i[1], kSum);
       }},
      {"dynamic_net",
       {N({n, d_in}), N({n, d_out}), N({h, d_in}), N({h}), N({h, h}), N({h}), N({d_out, h}), N({d_out})},
       [](const Inputs& i) {
         Tensor x = linear(i[0], i[2], i[3]).clamp_min(0);
         for (int k = 0; k < 3; ++k) x = linear(x, i[4], i[5]).clamp_min(0);
         return F::mse_loss(linear(x, i[6], i[7]), i[1], kSum);
       }},
      {"sdpa_float_mask", {N({2, 2, 3, 4}), N({2, 2, 5, 4}), N({2, 2, 5, 3}), N({3, 5})},
       [](const Inputs& i) { return sdpa(i, false); }},
      {"sdpa_causal", {N({2, 3, 4}), N({2, 3, 4}), N({2, 3, 2})}, [](const Inputs& i) { return sdpa(i, true); }},
      {"mha_self_key_padding",
       {N({3, 2, 4}), N({12, 4}, 0.5), N({12}, 0.1), N({4, 4}, 0.5), N({4}, 0.1), Ints({2, 3}, {0, 0, 1, 0, 1, 0})},
       mha_self},
      {"transformer_encoder_layer",
       {N({5, 2, 8}), N({24, 8}, 0.3), N({24}, 0.1), N({8, 8}, 0.3), N({8}, 0.1), N({16, 8}, 0.3), N({16}, 0.1),
        N({8, 16}, 0.3), N({8}, 0.1), N({8}), N({8}), N({8}), N({8}), Ints({2, 5}, {0, 0, 0, 0, 1, 0, 0, 0, 1, 1})},
       encoder_layer, "", 1e-9},
      {"train_two_layer_sgd", {N({n, d_in}), N({n, d_out}), N({d_in, h}), N({h, d_out})}, train_two_layer_sgd,
       kOwnLoop, 1e-9},
      {"train_nn_adam", {N({n, d_in}), N({n, d_out}), N({h, d_in}), N({h}), N({d_out, h}), N({d_out})},
       train_nn_adam, kOwnLoop, 1e-9},
      {"train_nn_adagrad", {N({n, d_in}), N({n, d_out}), N({h, d_in}), N({h}), N({d_out, h}), N({d_out})},
       train_nn_adagrad, kOwnLoop, 1e-9},
      {"train_nn_rmsprop", {N({n, d_in}), N({n, d_out}), N({h, d_in}), N({h}), N({d_out, h}), N({d_out})},
       train_nn_rmsprop, kOwnLoop, 1e-9},
      {"train_dynamic_momentum",  // weights at nn::Linear's scale, so 3 shared layers stay finite
       {N({n, d_in}), N({n, d_out}), N({h, d_in}, 0.03), N({h}, 0.03), N({h, h}, 0.1), N({h}, 0.1),
        N({d_out, h}, 0.1), N({d_out}, 0.1)},
       train_dynamic_momentum, kOwnLoop, 1e-9},
  };
  return c;
}

torch_parity::Array to_array(const Tensor& t, torch_parity::Array::Kind kind) {
  return {t.sizes(), values(t), kind};
}

Tensor make_input(const InputSpec& s, Device device) {
  auto f64 = TensorOptions().dtype(kFloat64).device(device);
  switch (s.gen) {
    case InputSpec::Gen::Normal: return randn(s.shape, f64) * s.scale;
    case InputSpec::Gen::Positive: return rand(s.shape, f64) * 1.5 + 0.5;
    case InputSpec::Gen::Index: return randint(s.bound, s.shape, f64.dtype(kInt64));
    case InputSpec::Gen::Mask: return rand(s.shape, f64) < 0.5;
    case InputSpec::Gen::Values: return tensor(s.values, f64).to(kInt64).reshape(s.shape);
  }
  return {};
}

::testing::AssertionResult same(const std::string& what, const Tensor& ours, const torch_parity::Array& theirs,
                                double rtol) {
  if (ours.sizes() != theirs.shape)
    return ::testing::AssertionFailure() << what << ": shape " << shape_str(ours.sizes()) << " vs libtorch "
                                         << shape_str(theirs.shape);
  auto v = values(ours);
  double scale = 0;
  for (double x : theirs.values) scale = std::max(scale, std::fabs(x));
  for (size_t k = 0; k < v.size(); ++k) {
    if (v[k] == theirs.values[k]) continue;  // also equal infinities
    double diff = std::fabs(v[k] - theirs.values[k]);
    // Relative to the element, with a floor relative to the tensor's largest value (sums of
    // many terms cancel to small values whose last bits depend on the order of summation).
    if (!(diff <= rtol * std::fabs(theirs.values[k]) + rtol * 1e-2 * scale))
      return ::testing::AssertionFailure() << what << ": element " << k << " is " << v[k] << ", libtorch "
                                           << theirs.values[k];
  }
  return ::testing::AssertionSuccess();
}

enum class Mode { Eager, Compiled };
using Param = std::tuple<Device, Mode, std::string>;

class TorchParity : public ::testing::TestWithParam<Param> {};

TEST_P(TorchParity, OutputAndGradientsMatchLibtorch) {
  auto [device, mode, name] = GetParam();
  if (device.is_cuda()) EMBER_REQUIRE_CUDA();
  Case c;
  for (Case& k : cases())
    if (k.name == name) c = k;
  if (mode == Mode::Compiled && !c.eager_only.empty()) GTEST_SKIP() << name << ": " << c.eager_only;

  manual_seed(0);
  std::vector<Tensor> in;
  std::vector<torch_parity::Array> arrays;
  for (const InputSpec& s : c.inputs) {
    Tensor t = make_input(s, device);
    auto kind = t.dtype() == kFloat64 ? torch_parity::Array::Kind::Float64
                : t.dtype() == kBool  ? torch_parity::Array::Kind::Bool
                                      : torch_parity::Array::Kind::Int64;
    arrays.push_back(to_array(t, kind));
    if (t.dtype() == kFloat64) t.requires_grad_(true);
    in.push_back(t);
  }
  Tensor out;
  if (mode == Mode::Compiled) {
    auto fn = compile([&](const std::vector<Tensor>& x) { return c.fn(x); });
    out = fn(in);
  } else {
    out = c.fn(in);
  }
  Tensor upstream = randn(out.sizes(), TensorOptions().dtype(kFloat64).device(device));
  if (out.requires_grad()) out.backward(upstream);

  auto theirs = torch_parity::run(name, arrays, to_array(upstream, torch_parity::Array::Kind::Float64));
  EXPECT_TRUE(same("output", out, theirs.output, c.rtol));
  for (size_t k = 0; k < in.size(); ++k) {
    bool has = in[k].requires_grad() && in[k].grad().defined();
    ASSERT_EQ(has, theirs.has_grad[k]) << "input " << k << ": gradient defined in only one library";
    if (has) EXPECT_TRUE(same("grad of input " + std::to_string(k), in[k].grad(), theirs.grads[k], c.rtol));
  }
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const Case& c : cases()) names.push_back(c.name);
  return names;
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  const auto& [device, mode, name] = info.param;
  return std::string(device.is_cpu() ? "cpu_" : "cuda_") + (mode == Mode::Eager ? "eager_" : "compiled_") + name;
}

INSTANTIATE_TEST_SUITE_P(Programs, TorchParity,
                         ::testing::Combine(::testing::ValuesIn(all_devices()),
                                            ::testing::Values(Mode::Eager, Mode::Compiled),
                                            ::testing::ValuesIn(case_names())),
                         param_name);

// The notes' program 0: hand-written gradients agree with libtorch's autograd.
TEST(TorchParityManual, NotesHandWrittenGradientsMatchLibtorchAutograd) {
  manual_seed(0);
  auto f64 = TensorOptions().dtype(kFloat64);
  Tensor x = randn({64, 1000}, f64), y = randn({64, 10}, f64);
  Tensor w1 = randn({1000, 100}, f64), w2 = randn({100, 10}, f64);
  Tensor h = x.mm(w1), h_relu = h.clamp(0), y_pred = h_relu.mm(w2);
  Tensor grad_y_pred = 2.0 * (y_pred - y);
  Tensor grad_w2 = h_relu.t().mm(grad_y_pred);
  Tensor grad_h = grad_y_pred.mm(w2.t()).clone();
  grad_h.index_put_({h < 0}, 0);
  Tensor grad_w1 = x.t().mm(grad_h);

  using K = torch_parity::Array::Kind;
  auto theirs = torch_parity::run("two_layer_net",
                                  {to_array(x, K::Float64), to_array(y, K::Float64), to_array(w1, K::Float64),
                                   to_array(w2, K::Float64)},
                                  to_array(tensor(1.0, f64), K::Float64));
  EXPECT_TRUE(same("loss", (y_pred - y).pow(2).sum(), theirs.output, 1e-10));
  EXPECT_TRUE(same("grad w1", grad_w1, theirs.grads[2], 1e-10));
  EXPECT_TRUE(same("grad w2", grad_w2, theirs.grads[3], 1e-10));
}

}  // namespace
}  // namespace ember::testing
