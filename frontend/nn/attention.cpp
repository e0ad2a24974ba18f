// scaled_dot_product_attention and MultiheadAttention (include/ember/nn/attention.h).
#include "ember/nn/attention.h"

#include <cmath>
#include <limits>
#include <ostream>

#include "ember/functional.h"
#include "ember/grad_mode.h"
#include "ember/nn/dropout.h"
#include "ember/nn/init.h"

namespace ember {

namespace {
constexpr double kNegInf = -std::numeric_limits<double>::infinity();
}

Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const std::optional<Tensor>& attn_mask, double dropout_p,
                                    bool is_causal, std::optional<double> scale) {
  EMBER_CHECK(query.dim() >= 2 && key.dim() >= 2 && value.dim() >= 2,
              "scaled_dot_product_attention: expected query, key and value of at least 2 dims, got ",
              query.dim(), ", ", key.dim(), " and ", value.dim());
  int64_t L = query.sizes()[query.dim() - 1 - 1], S = key.sizes()[key.dim() - 2];
  int64_t E = query.sizes()[query.dim() - 1];
  EMBER_CHECK(key.sizes()[key.dim() - 1] == E, "scaled_dot_product_attention: query's last dim (", E,
              ") and key's (", key.sizes()[key.dim() - 1], ") must match");
  EMBER_CHECK(value.sizes()[value.dim() - 2] == S, "scaled_dot_product_attention: key has ", S,
              " positions but value has ", value.sizes()[value.dim() - 2]);
  EMBER_CHECK(dropout_p >= 0 && dropout_p <= 1, "dropout probability has to be between 0 and 1, but got ",
              dropout_p);
  bool masked = attn_mask && attn_mask->defined();
  EMBER_CHECK(!(masked && is_causal),
              "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True");
  double s = scale ? *scale : 1.0 / std::sqrt(static_cast<double>(E));
  Tensor scores = query.matmul(key.transpose(-2, -1)) * s;
  if (is_causal) {
    Tensor above = ones({L, S}, TensorOptions().dtype(kBool).device(query.device())).triu(1);
    scores = scores.masked_fill(above, kNegInf);
  } else if (masked) {
    const Tensor& m = *attn_mask;
    if (m.dtype() == kBool) scores = scores.masked_fill(m.logical_not(), kNegInf);
    else {
      EMBER_CHECK(m.is_floating_point(), "scaled_dot_product_attention: expected attn_mask dtype to be bool "
                  "or float or to match query dtype, but got attn_mask.dtype: ", dtype_name(m.dtype()));
      scores = scores + m;
    }
  }
  Tensor weights = ember::softmax(scores, -1);
  if (dropout_p > 0) weights = dropout(weights, dropout_p, /*train=*/true);
  return weights.matmul(value);
}

namespace nn {
namespace functional {

Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const std::optional<Tensor>& attn_mask, double dropout_p,
                                    bool is_causal, std::optional<double> scale) {
  return ember::scaled_dot_product_attention(query, key, value, attn_mask, dropout_p, is_causal, scale);
}

namespace {

Tensor rows(const Tensor& t, int64_t start, int64_t n) { return t.defined() ? t.narrow(0, start, n) : Tensor(); }

// A zero column appended to a mask's last dim (bias_k / add_zero_attn add one key).
Tensor pad_key(const Tensor& mask) {
  if (!mask.defined()) return mask;
  DimVector shape = mask.sizes();
  shape.back() = 1;
  return cat({mask, zeros(shape, mask.options())}, -1);
}

// Scores with a mask applied: bool true excludes, floating adds.
Tensor apply_mask(const Tensor& scores, const Tensor& mask) {
  if (mask.dtype() == kBool) return scores.masked_fill(mask, kNegInf);
  EMBER_CHECK(mask.is_floating_point(), "multi_head_attention_forward: only bool and floating types of masks "
              "are supported, got ", dtype_name(mask.dtype()));
  return scores + mask;
}

}  // namespace

std::tuple<Tensor, Tensor> multi_head_attention_forward(const Tensor& query_in, const Tensor& key_in,
                                                        const Tensor& value_in,
                                                        const MultiheadAttentionForwardFuncOptions& o) {
  bool unbatched = query_in.dim() == 2;
  EMBER_CHECK(query_in.dim() == 3 || unbatched, "multi_head_attention_forward: query should be unbatched 2D "
              "or batched 3D tensor but received ", query_in.dim(), "-D query tensor");
  Tensor query = unbatched ? query_in.unsqueeze(1) : query_in;
  Tensor key = unbatched ? key_in.unsqueeze(1) : key_in;
  Tensor value = unbatched ? value_in.unsqueeze(1) : value_in;
  Tensor key_padding_mask = o.key_padding_mask();
  if (unbatched && key_padding_mask.defined()) key_padding_mask = key_padding_mask.unsqueeze(0);
  EMBER_CHECK(key.dim() == 3 && value.dim() == 3, "multi_head_attention_forward: key and value must have the "
              "same number of dims as query");
  const int64_t tgt_len = query.sizes()[0], bsz = query.sizes()[1], embed_dim = query.sizes()[2];
  const int64_t H = o.num_heads();
  EMBER_CHECK(embed_dim == o.embed_dim_to_check(), "was expecting embedding dimension of ",
              o.embed_dim_to_check(), ", but got ", embed_dim);
  const int64_t head_dim = embed_dim / H;
  EMBER_CHECK(head_dim * H == embed_dim, "embed_dim must be divisible by num_heads");
  EMBER_CHECK(key.sizes()[0] == value.sizes()[0] && key.sizes()[1] == value.sizes()[1],
              "key shape ", shape_str(key.sizes()), " does not match value shape ", shape_str(value.sizes()));
  const double scaling = 1.0 / std::sqrt(static_cast<double>(head_dim));

  // Input projections.
  Tensor q, k, v;
  const Tensor& b = o.in_proj_bias();
  if (!o.use_separate_proj_weight()) {
    const Tensor& w = o.in_proj_weight();
    EMBER_CHECK(w.defined(), "multi_head_attention_forward: in_proj_weight is undefined while "
                "use_separate_proj_weight is false");
    if (query.is_same(key) && key.is_same(value)) {
      auto qkv = linear(query, w, b).chunk(3, -1);
      q = qkv[0], k = qkv[1], v = qkv[2];
    } else if (key.is_same(value)) {
      q = linear(query, rows(w, 0, embed_dim), rows(b, 0, embed_dim));
      auto kv = linear(key, rows(w, embed_dim, 2 * embed_dim), rows(b, embed_dim, 2 * embed_dim)).chunk(2, -1);
      k = kv[0], v = kv[1];
    } else {
      q = linear(query, rows(w, 0, embed_dim), rows(b, 0, embed_dim));
      k = linear(key, rows(w, embed_dim, embed_dim), rows(b, embed_dim, embed_dim));
      v = linear(value, rows(w, 2 * embed_dim, embed_dim), rows(b, 2 * embed_dim, embed_dim));
    }
  } else {
    EMBER_CHECK(o.q_proj_weight().defined() && o.k_proj_weight().defined() && o.v_proj_weight().defined(),
                "multi_head_attention_forward: use_separate_proj_weight needs q_proj_weight, k_proj_weight "
                "and v_proj_weight");
    q = linear(query, o.q_proj_weight(), rows(b, 0, embed_dim));
    k = linear(key, o.k_proj_weight(), rows(b, embed_dim, embed_dim));
    v = linear(value, o.v_proj_weight(), rows(b, 2 * embed_dim, embed_dim));
  }
  q = q * scaling;

  Tensor attn_mask = o.attn_mask();
  if (attn_mask.defined()) {
    if (attn_mask.dim() == 2) {
      EMBER_CHECK(attn_mask.sizes()[0] == tgt_len && attn_mask.sizes()[1] == key.sizes()[0],
                  "The size of the 2D attn_mask is not correct.");
      attn_mask = attn_mask.unsqueeze(0);
    } else if (attn_mask.dim() == 3) {
      EMBER_CHECK(attn_mask.sizes()[0] == bsz * H && attn_mask.sizes()[1] == tgt_len &&
                      attn_mask.sizes()[2] == key.sizes()[0],
                  "The size of the 3D attn_mask is not correct.");
    } else {
      EMBER_CHECK(false, "attn_mask's dimension ", attn_mask.dim(), " is not supported");
    }
  }
  if (o.bias_k().defined() && o.bias_v().defined()) {
    EMBER_CHECK(!o.static_k().defined() && !o.static_v().defined(), "bias cannot be added to static key/value.");
    k = cat({k, o.bias_k().repeat({1, bsz, 1})});
    v = cat({v, o.bias_v().repeat({1, bsz, 1})});
    attn_mask = pad_key(attn_mask);
    key_padding_mask = pad_key(key_padding_mask);
  } else {
    EMBER_CHECK(!o.bias_k().defined() && !o.bias_v().defined(), "bias_k and bias_v must both be given or neither");
  }
  // [len, N, E] -> [N * H, len, head_dim]
  q = q.contiguous().view({tgt_len, bsz * H, head_dim}).transpose(0, 1);
  if (o.static_k().defined()) {
    EMBER_CHECK(o.static_k().sizes()[0] == bsz * H && o.static_k().sizes()[2] == head_dim,
                "static_k should have shape [bsz * num_heads, S, head_dim]");
    k = o.static_k();
  } else {
    k = k.contiguous().view({-1, bsz * H, head_dim}).transpose(0, 1);
  }
  if (o.static_v().defined()) {
    EMBER_CHECK(o.static_v().sizes()[0] == bsz * H && o.static_v().sizes()[2] == head_dim,
                "static_v should have shape [bsz * num_heads, S, head_dim]");
    v = o.static_v();
  } else {
    v = v.contiguous().view({-1, bsz * H, head_dim}).transpose(0, 1);
  }
  if (o.add_zero_attn()) {
    k = cat({k, zeros({bsz * H, 1, head_dim}, k.options())}, 1);
    v = cat({v, zeros({bsz * H, 1, head_dim}, v.options())}, 1);
    attn_mask = pad_key(attn_mask);
    key_padding_mask = pad_key(key_padding_mask);
  }
  const int64_t src_len = k.sizes()[1];
  if (key_padding_mask.defined()) {
    EMBER_CHECK(key_padding_mask.dim() == 2 && key_padding_mask.sizes()[0] == bsz &&
                    key_padding_mask.sizes()[1] == src_len,
                "expecting key_padding_mask shape of (", bsz, ", ", src_len, "), but got ",
                shape_str(key_padding_mask.sizes()));
  }

  Tensor scores = q.bmm(k.transpose(1, 2));  // [N * H, L, S]
  if (attn_mask.defined()) scores = apply_mask(scores, attn_mask);
  if (key_padding_mask.defined()) {
    scores = apply_mask(scores.view({bsz, H, tgt_len, src_len}), key_padding_mask.unsqueeze(1).unsqueeze(2))
                 .view({bsz * H, tgt_len, src_len});
  }
  Tensor weights = ember::softmax(scores, -1);
  weights = ember::dropout(weights, o.dropout_p(), o.training());
  Tensor out = weights.bmm(v);  // [N * H, L, head_dim]
  out = out.transpose(0, 1).contiguous().view({tgt_len, bsz, embed_dim});
  out = linear(out, o.out_proj_weight(), o.out_proj_bias());
  if (unbatched) out = out.squeeze(1);
  if (!o.need_weights()) return {out, Tensor()};
  Tensor w = weights.view({bsz, H, tgt_len, src_len});
  if (o.average_attn_weights()) w = w.sum({1}) / static_cast<double>(H);
  if (unbatched) w = w.squeeze(0);
  return {out, w};
}

}  // namespace functional

MultiheadAttentionImpl::MultiheadAttentionImpl(const MultiheadAttentionOptions& o) : options(o) { reset(); }

void MultiheadAttentionImpl::reset() {
  const int64_t E = options.embed_dim();
  EMBER_CHECK(E > 0 && options.num_heads() > 0, "MultiheadAttention: embed_dim and num_heads must be positive");
  _qkv_same_embed_dim = options.kdim() == E && options.vdim() == E;
  head_dim = E / options.num_heads();
  EMBER_CHECK(head_dim * options.num_heads() == E, "embed_dim must be divisible by num_heads");
  if (!_qkv_same_embed_dim) {
    q_proj_weight = register_parameter("q_proj_weight", empty({E, E}));
    k_proj_weight = register_parameter("k_proj_weight", empty({E, options.kdim()}));
    v_proj_weight = register_parameter("v_proj_weight", empty({E, options.vdim()}));
    in_proj_weight = register_parameter("in_proj_weight", Tensor(), /*requires_grad=*/false);
  } else {
    in_proj_weight = register_parameter("in_proj_weight", empty({3 * E, E}));
    q_proj_weight = register_parameter("q_proj_weight", Tensor(), false);
    k_proj_weight = register_parameter("k_proj_weight", Tensor(), false);
    v_proj_weight = register_parameter("v_proj_weight", Tensor(), false);
  }
  if (options.bias()) in_proj_bias = register_parameter("in_proj_bias", empty({3 * E}));
  else in_proj_bias = register_parameter("in_proj_bias", Tensor(), false);
  out_proj = register_module("out_proj", Linear(LinearOptions(E, E).bias(options.bias())));
  if (options.add_bias_kv()) {
    bias_k = register_parameter("bias_k", empty({1, 1, E}));
    bias_v = register_parameter("bias_v", empty({1, 1, E}));
  } else {
    bias_k = Tensor();
    bias_v = Tensor();
  }
  _reset_parameters();
}

void MultiheadAttentionImpl::_reset_parameters() {
  if (_qkv_same_embed_dim) {
    init::xavier_uniform_(in_proj_weight);
  } else {
    init::xavier_uniform_(q_proj_weight);
    init::xavier_uniform_(k_proj_weight);
    init::xavier_uniform_(v_proj_weight);
  }
  if (in_proj_bias.defined()) {
    init::constant_(in_proj_bias, 0.);
    init::constant_(out_proj->bias, 0.);
  }
  if (bias_k.defined()) init::xavier_normal_(bias_k);
  if (bias_v.defined()) init::xavier_normal_(bias_v);
}

void MultiheadAttentionImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::MultiheadAttention(embed_dim=" << options.embed_dim() << ", num_heads=" << options.num_heads()
     << ", dropout=" << options.dropout() << std::boolalpha << ", bias=" << options.bias()
     << ", add_bias_kv=" << options.add_bias_kv() << ", add_zero_attn=" << options.add_zero_attn()
     << ", kdim=" << options.kdim() << ", vdim=" << options.vdim() << ")";
}

std::tuple<Tensor, Tensor> MultiheadAttentionImpl::forward(const Tensor& query, const Tensor& key,
                                                           const Tensor& value, const Tensor& key_padding_mask,
                                                           bool need_weights, const Tensor& attn_mask,
                                                           bool average_attn_weights) {
  functional::MultiheadAttentionForwardFuncOptions o(options.embed_dim(), options.num_heads(), in_proj_weight,
                                                     in_proj_bias, bias_k, bias_v, options.add_zero_attn(),
                                                     options.dropout(), out_proj->weight, out_proj->bias);
  o.training(is_training()).key_padding_mask(key_padding_mask).need_weights(need_weights).attn_mask(attn_mask)
      .average_attn_weights(average_attn_weights);
  if (!_qkv_same_embed_dim) {
    o.use_separate_proj_weight(true).q_proj_weight(q_proj_weight).k_proj_weight(k_proj_weight)
        .v_proj_weight(v_proj_weight);
  }
  return functional::multi_head_attention_forward(query, key, value, o);
}

}  // namespace nn
}  // namespace ember
