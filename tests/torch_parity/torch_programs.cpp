// libtorch's side of the gradient-parity tests: the same programs as test_torch_parity.cpp,
// by name. Compiled as C++17 against Debian's libtorch.
#include "torch_programs.h"

#include <torch/torch.h>

#include <functional>
#include <limits>
#include <map>
#include <stdexcept>

namespace ember::torch_parity {

namespace {

using torch::Tensor;
using Inputs = std::vector<Tensor>;
using Program = std::function<Tensor(const Inputs&)>;
namespace F = torch::nn::functional;

Tensor to_torch(const Array& a) {
  auto values = torch::tensor(a.values, torch::kFloat64).reshape(a.shape);
  switch (a.kind) {
    case Array::Kind::Int64: return values.to(torch::kInt64);
    case Array::Kind::Bool: return values.to(torch::kBool);
    case Array::Kind::Float64: break;
  }
  return values.clone().requires_grad_(true);
}

Array from_torch(const Tensor& t) {
  Tensor c = t.detach().to(torch::kFloat64).contiguous();
  Array a;
  a.shape = c.sizes().vec();
  a.values.assign(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
  return a;
}

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b) { return F::linear(x, w, b); }

std::vector<Tensor> rest(const Inputs& in, size_t first) { return std::vector<Tensor>(in.begin() + first, in.end()); }

// The notes' programs 1 (autograd, manual SGD), 5 (nn + Adam) and 7 (DynamicNet + momentum),
// trained for a few steps in float64; the output is the losses and one final weight.
Tensor train_two_layer_sgd(const Inputs& in) {
  Tensor x = in[0].detach(), y = in[1].detach();
  Tensor w1 = in[2].detach().clone().requires_grad_(true), w2 = in[3].detach().clone().requires_grad_(true);
  std::vector<Tensor> losses;
  for (int t = 0; t < 30; ++t) {
    Tensor loss = (x.mm(w1).clamp(0).mm(w2) - y).pow(2).sum();
    losses.push_back(loss.detach().reshape({1}));
    loss.backward();
    torch::NoGradGuard no_grad;
    w1 -= 1e-6 * w1.grad();
    w2 -= 1e-6 * w2.grad();
    w1.grad().zero_();
    w2.grad().zero_();
  }
  losses.push_back(w2.detach().flatten());
  return torch::cat(losses);
}

std::vector<Tensor> fresh_parameters(const Inputs& in, size_t first) {
  std::vector<Tensor> params;
  for (size_t i = first; i < in.size(); ++i) params.push_back(in[i].detach().clone().requires_grad_(true));
  return params;
}

Tensor train_nn_adam(const Inputs& in) {
  Tensor x = in[0].detach(), y = in[1].detach();
  auto p = fresh_parameters(in, 2);
  torch::optim::Adam adam(p, torch::optim::AdamOptions(1e-4));
  std::vector<Tensor> losses;
  for (int t = 0; t < 30; ++t) {
    Tensor pred = linear(linear(x, p[0], p[1]).relu(), p[2], p[3]);
    Tensor loss = F::mse_loss(pred, y, F::MSELossFuncOptions().reduction(torch::kSum));
    losses.push_back(loss.detach().reshape({1}));
    adam.zero_grad();
    loss.backward();
    adam.step();
  }
  losses.push_back(p[2].detach().flatten());
  return torch::cat(losses);
}

Tensor train_dynamic_momentum(const Inputs& in) {
  Tensor x = in[0].detach(), y = in[1].detach();
  auto p = fresh_parameters(in, 2);
  torch::optim::SGD sgd(p, torch::optim::SGDOptions(1e-4).momentum(0.9));
  std::vector<Tensor> losses;
  for (int t = 0; t < 30; ++t) {
    Tensor h = linear(x, p[0], p[1]).clamp_min(0);
    for (int k = 0; k < t % 4; ++k) h = linear(h, p[2], p[3]).clamp_min(0);
    Tensor loss = F::mse_loss(linear(h, p[4], p[5]), y, F::MSELossFuncOptions().reduction(torch::kSum));
    losses.push_back(loss.detach().reshape({1}));
    sgd.zero_grad();
    loss.backward();
    sgd.step();
  }
  losses.push_back(p[4].detach().flatten());
  return torch::cat(losses);
}

template <class Opt>
Tensor train_nn_with(const Inputs& in, Opt& opt, const std::vector<Tensor>& p) {
  Tensor x = in[0].detach(), y = in[1].detach();
  std::vector<Tensor> losses;
  for (int t = 0; t < 30; ++t) {
    Tensor pred = linear(linear(x, p[0], p[1]).relu(), p[2], p[3]);
    Tensor loss = F::mse_loss(pred, y, F::MSELossFuncOptions().reduction(torch::kSum));
    losses.push_back(loss.detach().reshape({1}));
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  losses.push_back(p[2].detach().flatten());
  return torch::cat(losses);
}

// Attention and a transformer encoder layer with the inputs as the weights (so their gradients
// are the inputs' gradients): the same programs as test_torch_parity.cpp.
Tensor sdpa(const Inputs& i, bool causal) {
  c10::optional<Tensor> mask;
  if (!causal) mask = i[3];
  return std::get<0>(at::_scaled_dot_product_attention(i[0], i[1], i[2], mask, 0.0, false, causal));
}

Tensor mha_self(const Inputs& i) {
  auto o = F::MultiheadAttentionForwardFuncOptions(4, 2, i[1], i[2], {}, {}, false, 0.0, i[3], i[4])
               .key_padding_mask(i[5].to(torch::kBool))
               .need_weights(false);
  return std::get<0>(F::multi_head_attention_forward(i[0], i[0], i[0], o));
}

Tensor encoder_layer(const Inputs& i) {
  torch::nn::TransformerEncoderLayer layer(
      torch::nn::TransformerEncoderLayerOptions(8, 2).dim_feedforward(16).dropout(0.0).activation(torch::kGELU));
  layer->to(torch::kFloat64);
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
  Tensor mask = torch::full({5, 5}, -std::numeric_limits<double>::infinity(), torch::kFloat64).triu(1);
  return l.forward(i[0], mask, i[13].to(torch::kBool));
}

Tensor train_nn_adagrad(const Inputs& in) {
  auto p = fresh_parameters(in, 2);
  torch::optim::Adagrad opt(p, torch::optim::AdagradOptions(1e-2).lr_decay(0.01).weight_decay(1e-3)
                                   .initial_accumulator_value(0.1));
  return train_nn_with(in, opt, p);
}

Tensor train_nn_rmsprop(const Inputs& in) {
  auto p = fresh_parameters(in, 2);
  torch::optim::RMSprop opt(p, torch::optim::RMSpropOptions(1e-3).alpha(0.9).momentum(0.5).centered(true)
                                   .weight_decay(1e-3));
  return train_nn_with(in, opt, p);
}

const std::map<std::string, Program>& programs() {
  static const std::map<std::string, Program> table = {
      // unary
      {"neg", [](const Inputs& i) { return i[0].neg(); }},
      {"abs", [](const Inputs& i) { return i[0].abs(); }},
      {"exp", [](const Inputs& i) { return i[0].exp(); }},
      {"log", [](const Inputs& i) { return i[0].log(); }},
      {"sqrt", [](const Inputs& i) { return i[0].sqrt(); }},
      {"rsqrt", [](const Inputs& i) { return i[0].rsqrt(); }},
      {"reciprocal", [](const Inputs& i) { return i[0].reciprocal(); }},
      {"relu", [](const Inputs& i) { return i[0].relu(); }},
      {"sigmoid", [](const Inputs& i) { return i[0].sigmoid(); }},
      {"tanh", [](const Inputs& i) { return i[0].tanh(); }},
      {"sin", [](const Inputs& i) { return i[0].sin(); }},
      {"cos", [](const Inputs& i) { return i[0].cos(); }},
      {"erf", [](const Inputs& i) { return i[0].erf(); }},
      {"gelu", [](const Inputs& i) { return F::gelu(i[0]); }},
      {"clamp", [](const Inputs& i) { return i[0].clamp(-0.5, 0.5); }},
      {"clamp_min", [](const Inputs& i) { return i[0].clamp_min(0); }},
      {"clamp_max", [](const Inputs& i) { return i[0].clamp_max(0.3); }},
      {"pow2", [](const Inputs& i) { return i[0].pow(2); }},
      {"pow3", [](const Inputs& i) { return i[0].pow(3); }},
      {"pow_frac", [](const Inputs& i) { return i[0].pow(2.5); }},
      {"pow_neg", [](const Inputs& i) { return i[0].pow(-1.5); }},
      {"scalar_arith", [](const Inputs& i) { return (i[0] * 3 - 1) / 2 + 0.5; }},
      // binary, broadcasting
      {"add_alpha", [](const Inputs& i) { return i[0].add(i[1], 2.5); }},
      {"sub_alpha", [](const Inputs& i) { return i[0].sub(i[1], 0.5); }},
      {"mul_broadcast", [](const Inputs& i) { return i[0] * i[1]; }},
      {"div", [](const Inputs& i) { return i[0] / i[1]; }},
      {"div_broadcast", [](const Inputs& i) { return i[0] / i[1]; }},
      {"pow_tensor", [](const Inputs& i) { return i[0].pow(i[1]); }},
      {"maximum", [](const Inputs& i) { return torch::maximum(i[0], i[1]); }},
      {"minimum", [](const Inputs& i) { return torch::minimum(i[0], i[1]); }},
      {"where", [](const Inputs& i) { return torch::where(i[0] > i[1], i[0], i[1] * 2); }},
      {"masked_fill", [](const Inputs& i) { return i[0].masked_fill(i[1], 1.5); }},
      {"clamp_tensor", [](const Inputs& i) { return i[0].clamp(i[1], i[2]); }},
      // reductions
      {"sum_all", [](const Inputs& i) { return i[0].sum(); }},
      {"sum_dims", [](const Inputs& i) { return i[0].sum(torch::IntArrayRef{0, 2}); }},
      {"sum_keepdim", [](const Inputs& i) { return i[0].sum(torch::IntArrayRef{1}, true); }},
      {"mean_all", [](const Inputs& i) { return i[0].mean(); }},
      {"mean_dim", [](const Inputs& i) { return i[0].mean(torch::IntArrayRef{-1}); }},
      {"prod_all", [](const Inputs& i) { return i[0].prod(); }},
      {"prod_dim", [](const Inputs& i) { return i[0].prod(1); }},
      {"max_all", [](const Inputs& i) { return i[0].max(); }},
      {"min_all", [](const Inputs& i) { return i[0].min(); }},
      {"amax", [](const Inputs& i) { return i[0].amax({2}); }},
      {"amin", [](const Inputs& i) { return i[0].amin({0, 1}, true); }},
      {"max_dim", [](const Inputs& i) { return std::get<0>(i[0].max(1)); }},
      {"min_dim", [](const Inputs& i) { return std::get<0>(i[0].min(2, true)); }},
      {"softmax", [](const Inputs& i) { return i[0].softmax(1); }},
      {"log_softmax", [](const Inputs& i) { return i[0].log_softmax(0); }},
      // linear algebra
      {"mm", [](const Inputs& i) { return i[0].mm(i[1]); }},
      {"mm_transposed", [](const Inputs& i) { return i[0].t().mm(i[1]); }},
      {"mv", [](const Inputs& i) { return i[0].mv(i[1]); }},
      {"dot", [](const Inputs& i) { return i[0].dot(i[1]); }},
      {"bmm", [](const Inputs& i) { return i[0].bmm(i[1]); }},
      {"matmul_nd", [](const Inputs& i) { return i[0].matmul(i[1]); }},
      {"matmul_broadcast", [](const Inputs& i) { return i[0].matmul(i[1]); }},
      {"matmul_vector", [](const Inputs& i) { return i[0].matmul(i[1]); }},
      {"addmm", [](const Inputs& i) { return i[0].addmm(i[1], i[2], 0.5, 2); }},
      {"linear", [](const Inputs& i) { return linear(i[0], i[1], i[2]); }},
      // shape and indexing
      {"view", [](const Inputs& i) { return i[0].view({2, 6}); }},
      {"reshape_transposed", [](const Inputs& i) { return i[0].t().reshape({12}); }},
      {"permute", [](const Inputs& i) { return i[0].permute({2, 0, 1}); }},
      {"expand", [](const Inputs& i) { return i[0].expand({2, 3, 4}); }},
      {"flatten", [](const Inputs& i) { return i[0].flatten(1); }},
      {"squeeze_unsqueeze", [](const Inputs& i) { return i[0].squeeze(1).unsqueeze(0); }},
      {"slice_step", [](const Inputs& i) { return i[0].slice(0, 1, 5, 2); }},
      {"select", [](const Inputs& i) { return i[0].select(1, 2); }},
      {"narrow", [](const Inputs& i) { return i[0].narrow(0, 1, 2); }},
      {"transpose_contiguous", [](const Inputs& i) { return i[0].transpose(0, 2).contiguous(); }},
      {"cat", [](const Inputs& i) { return torch::cat({i[0], i[1]}, 1); }},
      {"stack", [](const Inputs& i) { return torch::stack({i[0], i[1]}, 0); }},
      {"split", [](const Inputs& i) { auto s = i[0].split(2); return s[1] * 2 + s[2]; }},
      {"chunk", [](const Inputs& i) { auto c = i[0].chunk(2, 1); return c[0] - c[1] * 3; }},
      {"repeat", [](const Inputs& i) { return i[0].repeat({2, 1, 2}); }},
      {"remainder", [](const Inputs& i) { return i[0].remainder(i[1]); }},
      {"fmod", [](const Inputs& i) { return i[0].fmod(i[1]); }},
      {"remainder_scalar", [](const Inputs& i) { return i[0].remainder(-0.7); }},
      {"flip", [](const Inputs& i) { return i[0].flip({0, 2}); }},
      {"roll", [](const Inputs& i) { return i[0].roll({1, -3}, {0, 1}); }},
      {"roll_flat", [](const Inputs& i) { return i[0].roll({5}); }},
      {"tril_triu", [](const Inputs& i) { return i[0].tril(1) * 2 + i[0].triu(-1); }},
      {"cumsum", [](const Inputs& i) { return i[0].cumsum(1); }},
      {"cumprod", [](const Inputs& i) { return i[0].cumprod(0); }},
      {"sort", [](const Inputs& i) { return std::get<0>(i[0].sort(1, true)) * std::get<1>(i[0].sort(1, true)); }},
      {"topk", [](const Inputs& i) { return std::get<0>(i[0].topk(2, 0)); }},
      {"std_biased", [](const Inputs& i) { return i[0].std({1}, false); }},
      {"norm_p3", [](const Inputs& i) { return i[0].norm(3, {1}); }},
      {"norm_inf", [](const Inputs& i) { return i[0].norm(std::numeric_limits<double>::infinity(), {0}); }},
      {"logsumexp", [](const Inputs& i) { return i[0].logsumexp({1}, true); }},
      {"index_select", [](const Inputs& i) { return i[0].index_select(0, i[1]); }},
      {"conv2d_groups", [](const Inputs& i) { return torch::conv2d(i[0], i[1], i[2], {2, 1}, 1, {1, 2}, 2); }},
      {"conv2d_same", [](const Inputs& i) { return torch::conv2d(i[0], i[1], {}, 1, "same", {2, 1}); }},
      {"conv1d", [](const Inputs& i) { return torch::conv1d(i[0], i[1], i[2], 2, 1, 2); }},
      {"conv3d", [](const Inputs& i) { return torch::conv3d(i[0], i[1], {}, 1, {1, 0, 1}); }},
      {"conv_transpose2d", [](const Inputs& i) { return torch::conv_transpose2d(i[0], i[1], i[2], 2, 1, 1, 2, 1); }},
      {"conv_transpose2d_dilated", [](const Inputs& i) { return torch::conv_transpose2d(i[0], i[1], {}, 1, 0, 1, 1, 2); }},
      {"conv_transpose1d", [](const Inputs& i) { return torch::conv_transpose1d(i[0], i[1], {}, 2, 1, 1); }},
      {"lstm_bidirectional_2layer",
       [](const Inputs& i) {
         auto r = torch::lstm(i[0], {i[1], i[2]}, rest(i, 3), true, 2, 0.0, false, true, false);
         return torch::cat({std::get<0>(r).flatten(), std::get<1>(r).flatten(), std::get<2>(r).flatten()});
       }},
      {"lstm_proj",
       [](const Inputs& i) {
         auto r = torch::lstm(i[0], {i[1], i[2]}, rest(i, 3), true, 1, 0.0, false, false, false);
         return torch::cat({std::get<0>(r).flatten(), std::get<1>(r).flatten(), std::get<2>(r).flatten()});
       }},
      {"gru_batch_first_2layer",
       [](const Inputs& i) {
         auto r = torch::gru(i[0], i[1], rest(i, 2), true, 2, 0.0, false, false, true);
         return torch::cat({std::get<0>(r).flatten(), std::get<1>(r).flatten()});
       }},
      {"rnn_tanh_bidirectional",
       [](const Inputs& i) {
         auto r = torch::rnn_tanh(i[0], i[1], rest(i, 2), true, 1, 0.0, false, true, false);
         return torch::cat({std::get<0>(r).flatten(), std::get<1>(r).flatten()});
       }},
      {"lstm_cell",
       [](const Inputs& i) {
         auto r = torch::lstm_cell(i[0], {i[1], i[2]}, i[3], i[4], i[5], i[6]);
         return torch::cat({std::get<0>(r).flatten(), std::get<1>(r).flatten()});
       }},
      {"gru_cell", [](const Inputs& i) { return torch::gru_cell(i[0], i[1], i[2], i[3], i[4], i[5]); }},
      {"max_pool2d_ceil", [](const Inputs& i) { return torch::max_pool2d(i[0], 3, 2, 1, 1, true); }},
      {"max_pool2d_dilated", [](const Inputs& i) { return torch::max_pool2d(i[0], {2, 3}, 1, {1, 0}, 2); }},
      {"max_pool1d", [](const Inputs& i) { return torch::max_pool1d(i[0], 3, 2, 1); }},
      {"avg_pool2d_ceil_exclude_pad", [](const Inputs& i) { return torch::avg_pool2d(i[0], 3, 2, 1, true, false); }},
      {"avg_pool2d_divisor", [](const Inputs& i) { return torch::avg_pool2d(i[0], {3, 2}, {2, 1}, {1, 0}, false, true, 5); }},
      {"avg_pool3d", [](const Inputs& i) { return torch::avg_pool3d(i[0], 2, {1, 2, 2}, 1); }},
      {"adaptive_avg_pool2d", [](const Inputs& i) { return torch::adaptive_avg_pool2d(i[0], {4, 3}); }},
      {"adaptive_max_pool2d", [](const Inputs& i) { return std::get<0>(torch::adaptive_max_pool2d(i[0], {4, 3})); }},
      {"max_unpool2d", [](const Inputs& i) { return torch::max_unpool2d(std::get<0>(torch::max_pool2d_with_indices(i[0], 2)) * 2, std::get<1>(torch::max_pool2d_with_indices(i[0], 2)), {4, 6}); }},
      {"pad_reflect", [](const Inputs& i) { return F::pad(i[0], F::PadFuncOptions({2, 1, 1, 3}).mode(torch::kReflect)); }},
      {"pad_replicate", [](const Inputs& i) { return F::pad(i[0], F::PadFuncOptions({2, 1, 1, 3}).mode(torch::kReplicate)); }},
      {"pad_circular", [](const Inputs& i) { return F::pad(i[0], F::PadFuncOptions({2, 1, 1, 3}).mode(torch::kCircular)); }},
      {"pad_constant_crop", [](const Inputs& i) { return F::pad(i[0], F::PadFuncOptions({2, -1, -2, 3}).value(0.5)); }},
      {"gather", [](const Inputs& i) { return i[0].gather(1, i[1]); }},
      {"scatter", [](const Inputs& i) { return i[0].scatter(1, i[1], i[2]); }},
      {"scatter_add", [](const Inputs& i) { return i[0].scatter_add(1, i[1], i[2]); }},
      {"index_add", [](const Inputs& i) { return i[0].index_add(0, i[1], i[2]); }},
      {"masked_select", [](const Inputs& i) { return i[0].masked_select(i[1]); }},
      {"masked_scatter", [](const Inputs& i) { return i[0].masked_scatter(i[1], i[2]); }},
      {"index_put_mask",
       [](const Inputs& i) {
         Tensor y = i[0].clone();
         y.index_put_({i[0] > 0.3}, 0.0);
         return y;
       }},
      // losses
      {"mse_mean", [](const Inputs& i) { return F::mse_loss(i[0], i[1]); }},
      {"mse_sum",
       [](const Inputs& i) { return F::mse_loss(i[0], i[1], F::MSELossFuncOptions().reduction(torch::kSum)); }},
      {"l1_sum",
       [](const Inputs& i) { return F::l1_loss(i[0], i[1], F::L1LossFuncOptions().reduction(torch::kSum)); }},
      {"cross_entropy", [](const Inputs& i) { return F::cross_entropy(i[0], i[1]); }},
      {"nll_log_softmax", [](const Inputs& i) { return F::nll_loss(i[0].log_softmax(1), i[1]); }},
      {"nll_weight_ignore",
       [](const Inputs& i) {
         return F::nll_loss(i[0].log_softmax(1), i[1], F::NLLLossFuncOptions().weight(torch::tensor({1.0, 2.0, 0.5, 1.5, 0.8}, torch::kFloat64)).ignore_index(1));
       }},
      {"cross_entropy_weight_smoothing",
       [](const Inputs& i) {
         return F::cross_entropy(i[0], i[1], F::CrossEntropyFuncOptions().weight(torch::tensor({1.0, 2.0, 0.5, 1.5, 0.8}, torch::kFloat64)).label_smoothing(0.2)
                                                 .ignore_index(3).reduction(torch::kSum));
       }},
      // issue 11: activations, math rows and losses
      {"act_silu_mish", [](const Inputs& i) { return F::silu(i[0]) + F::mish(i[0]) * 2; }},
      {"act_elu_selu_celu",
       [](const Inputs& i) {
         return F::elu(i[0], F::ELUFuncOptions().alpha(0.7)) + F::selu(i[0]) - F::celu(i[0], F::CELUFuncOptions().alpha(1.5));
       }},
      {"act_leaky_hardtanh_relu6",
       [](const Inputs& i) {
         return F::leaky_relu(i[0], F::LeakyReLUFuncOptions().negative_slope(0.2)) *
                    F::hardtanh(i[0], F::HardtanhFuncOptions().min_val(-1.5).max_val(2)) +
                F::relu6(i[0] * 3);
       }},
      {"act_shrink_softsign_logsigmoid",
       [](const Inputs& i) {
         return F::hardshrink(i[0], F::HardshrinkFuncOptions().lambda(0.3)) +
                F::softshrink(i[0], F::SoftshrinkFuncOptions(0.4)) + F::tanhshrink(i[0]) + F::softsign(i[0]) +
                F::logsigmoid(i[0]);
       }},
      {"act_hardswish_hardsigmoid", [](const Inputs& i) { return torch::hardswish(i[0]) + torch::hardsigmoid(i[0]) * 3; }},
      {"act_prelu", [](const Inputs& i) { return F::prelu(i[0], i[1]); }},
      {"act_glu_softmin",
       [](const Inputs& i) { return F::glu(i[0]) + F::softmin(i[0].narrow(1, 0, 3), F::SoftminFuncOptions(1)); }},
      {"math_rows",
       [](const Inputs& i) {
         const Tensor& x = i[0];
         return x.log1p() + (x * 0.3).expm1() + x.log2() + x.log10() + x.exp2() + x.atan() + (x * 0.5).sinh() +
                (x * 0.5).cosh() + (x / (x + 1)).asin() + (x / (x + 2)).acos() + (x / 4).tan() + (x * 3).frac() +
                x.floor() + x.ceil() + x.round() + x.trunc();
       }},
      {"math_lerp_addc_atan2",
       [](const Inputs& i) {
         return i[0].lerp(i[1], 0.3) + i[0].lerp(i[1], i[2]) + i[0].addcmul(i[1], i[2], 0.5) +
                i[0].addcdiv(i[1], i[2].exp(), -2) + i[0].atan2(i[1]);
       }},
      {"bce", [](const Inputs& i) { return F::binary_cross_entropy(i[0].sigmoid(), i[1].sigmoid()); }},
      {"bce_logits_pos_weight",
       [](const Inputs& i) {
         return F::binary_cross_entropy_with_logits(i[0], i[1].sigmoid(),
                                                    F::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(i[2].detach()));
       }},
      {"smooth_l1_huber",
       [](const Inputs& i) {
         return F::smooth_l1_loss(i[0], i[1]) + F::huber_loss(i[0], i[1], F::HuberLossFuncOptions().delta(0.5));
       }},
      {"kl_div",
       [](const Inputs& i) {
         Tensor lp = i[0].log_softmax(1);
         return F::kl_div(lp, i[1].softmax(1), F::KLDivFuncOptions(torch::kBatchMean)) +
                F::kl_div(lp, i[1].log_softmax(1), F::KLDivFuncOptions(torch::kSum).log_target(true));
       }},
      {"margin_losses",
       [](const Inputs& i) {
         Tensor t = i[2].to(torch::kFloat64);
         return F::margin_ranking_loss(i[0], i[1], t, F::MarginRankingLossFuncOptions().margin(0.1)) +
                F::hinge_embedding_loss(i[0], t) + F::soft_margin_loss(i[0], t);
       }},
      {"multilabel_soft_margin", [](const Inputs& i) { return F::multilabel_soft_margin_loss(i[0], i[1].sigmoid()); }},
      {"multilabel_margin", [](const Inputs& i) { return F::multilabel_margin_loss(i[0], i[1]); }},
      {"cosine_embedding",
       [](const Inputs& i) {
         return F::cosine_embedding_loss(i[0], i[1], i[2].to(torch::kFloat64),
                                         F::CosineEmbeddingLossFuncOptions().margin(0.2));
       }},
      {"triplet_margin",
       [](const Inputs& i) { return F::triplet_margin_loss(i[0], i[1], i[2], F::TripletMarginLossFuncOptions().swap(true)); }},
      {"poisson_nll_full",
       [](const Inputs& i) { return F::poisson_nll_loss(i[0], i[1] * 3, F::PoissonNLLLossFuncOptions().full(true)); }},
      {"cross_entropy_probs",
       [](const Inputs& i) {
         return F::cross_entropy(i[0], i[1].softmax(1), F::CrossEntropyFuncOptions().label_smoothing(0.1));
       }},
      {"cosine_pairwise_normalize",
       [](const Inputs& i) {
         return F::cosine_similarity(i[0], i[1]) + F::pairwise_distance(i[0], i[1]) + F::normalize(i[0]).sum(1);
       }},
      // the notes' networks: one loss and its gradients, then a few training steps
      {"two_layer_net", [](const Inputs& i) { return (i[0].mm(i[2]).clamp(0).mm(i[3]) - i[1]).pow(2).sum(); }},
      {"nn_two_layer",
       [](const Inputs& i) {
         Tensor pred = linear(linear(i[0], i[2], i[3]).relu(), i[4], i[5]);
         return F::mse_loss(pred, i[1], F::MSELossFuncOptions().reduction(torch::kSum));
       }},
      {"dynamic_net",
       [](const Inputs& i) {
         Tensor h = linear(i[0], i[2], i[3]).clamp_min(0);
         for (int k = 0; k < 3; ++k) h = linear(h, i[4], i[5]).clamp_min(0);
         return F::mse_loss(linear(h, i[6], i[7]), i[1], F::MSELossFuncOptions().reduction(torch::kSum));
       }},
      {"sdpa_float_mask", [](const Inputs& i) { return sdpa(i, false); }},
      {"sdpa_causal", [](const Inputs& i) { return sdpa(i, true); }},
      {"mha_self_key_padding", mha_self},
      {"transformer_encoder_layer", encoder_layer},
      {"train_two_layer_sgd", train_two_layer_sgd},
      {"train_nn_adam", train_nn_adam},
      {"train_nn_adagrad", train_nn_adagrad},
      {"train_nn_rmsprop", train_nn_rmsprop},
      {"train_dynamic_momentum", train_dynamic_momentum},
  };
  return table;
}

}  // namespace

Result run(const std::string& program, const std::vector<Array>& inputs, const Array& upstream) {
  auto it = programs().find(program);
  if (it == programs().end()) throw std::runtime_error("no libtorch program named '" + program + "'");
  torch::manual_seed(0);
  std::vector<Tensor> in;
  for (const Array& a : inputs) in.push_back(to_torch(a));
  Tensor out = it->second(in);
  if (out.requires_grad()) out.backward(to_torch(upstream).detach());
  Result r;
  r.output = from_torch(out);
  for (const Tensor& t : in) {
    bool has = t.requires_grad() && t.grad().defined();
    r.has_grad.push_back(has);
    r.grads.push_back(has ? from_torch(t.grad()) : Array{});
  }
  return r;
}

std::string torch_version() { return TORCH_VERSION; }

}  // namespace ember::torch_parity
