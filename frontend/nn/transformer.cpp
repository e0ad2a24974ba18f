// The transformer layers and stacks (include/ember/nn/transformer.h).
#include "ember/nn/transformer.h"

#include <limits>
#include <ostream>

#include "ember/functional.h"
#include "ember/grad_mode.h"

namespace ember::nn {

Tensor TransformerActivation::operator()(const Tensor& x) const {
  if (fn_) return fn_(x);
  return name_ == EnumName::GELU ? functional::gelu(x) : functional::relu(x);
}

namespace {
const char* activation_name(const TransformerActivation& a) {
  switch (a.name()) {
    case EnumName::ReLU: return "kReLU";
    case EnumName::GELU: return "kGELU";
    default: return "<function>";
  }
}
}  // namespace

// ----- encoder layer

TransformerEncoderLayerImpl::TransformerEncoderLayerImpl(TransformerEncoderLayerOptions o) : options(std::move(o)) {
  reset();
}

void TransformerEncoderLayerImpl::reset() {
  const auto& o = options;
  self_attn = register_module("self_attn", MultiheadAttention(MultiheadAttentionOptions(o.d_model(), o.nhead()).dropout(o.dropout())));
  linear1 = register_module("linear1", Linear(o.d_model(), o.dim_feedforward()));
  dropout = register_module("dropout", Dropout(o.dropout()));
  linear2 = register_module("linear2", Linear(o.dim_feedforward(), o.d_model()));
  norm1 = register_module("norm1", LayerNorm(LayerNormOptions({o.d_model()}).eps(o.layer_norm_eps())));
  norm2 = register_module("norm2", LayerNorm(LayerNormOptions({o.d_model()}).eps(o.layer_norm_eps())));
  dropout1 = register_module("dropout1", Dropout(o.dropout()));
  dropout2 = register_module("dropout2", Dropout(o.dropout()));
}

void TransformerEncoderLayerImpl::reset_parameters() {
  self_attn->_reset_parameters();
  linear1->reset_parameters();
  linear2->reset_parameters();
  norm1->reset_parameters();
  norm2->reset_parameters();
}

void TransformerEncoderLayerImpl::pretty_print(std::ostream& os) const {
  os << std::boolalpha << "torch::nn::TransformerEncoderLayer(d_model=" << options.d_model()
     << ", nhead=" << options.nhead() << ", dim_feedforward=" << options.dim_feedforward()
     << ", dropout=" << options.dropout() << ", activation=" << activation_name(options.activation())
     << ", norm_first=" << options.norm_first() << ")";
}

Tensor TransformerEncoderLayerImpl::forward(const Tensor& src, const Tensor& src_mask,
                                            const Tensor& src_key_padding_mask) {
  auto attend = [&](const Tensor& x) {
    return dropout1->forward(std::get<0>(self_attn->forward(x, x, x, src_key_padding_mask, false, src_mask)));
  };
  auto feed_forward = [&](const Tensor& x) {
    return dropout2->forward(linear2->forward(dropout->forward(options.activation()(linear1->forward(x)))));
  };
  if (options.norm_first()) {
    Tensor x = src + attend(norm1->forward(src));
    return x + feed_forward(norm2->forward(x));
  }
  Tensor x = norm1->forward(src + attend(src));
  return norm2->forward(x + feed_forward(x));
}

// ----- decoder layer

TransformerDecoderLayerImpl::TransformerDecoderLayerImpl(TransformerDecoderLayerOptions o) : options(std::move(o)) {
  reset();
}

void TransformerDecoderLayerImpl::reset() {
  const auto& o = options;
  auto mha = [&] { return MultiheadAttention(MultiheadAttentionOptions(o.d_model(), o.nhead()).dropout(o.dropout())); };
  auto ln = [&] { return LayerNorm(LayerNormOptions({o.d_model()}).eps(o.layer_norm_eps())); };
  self_attn = register_module("self_attn", mha());
  dropout1 = register_module("dropout1", Dropout(o.dropout()));
  norm1 = register_module("norm1", ln());
  multihead_attn = register_module("multihead_attn", mha());
  dropout2 = register_module("dropout2", Dropout(o.dropout()));
  norm2 = register_module("norm2", ln());
  linear1 = register_module("linear1", Linear(o.d_model(), o.dim_feedforward()));
  dropout = register_module("dropout", Dropout(o.dropout()));
  linear2 = register_module("linear2", Linear(o.dim_feedforward(), o.d_model()));
  dropout3 = register_module("dropout3", Dropout(o.dropout()));
  norm3 = register_module("norm3", ln());
}

void TransformerDecoderLayerImpl::reset_parameters() {
  self_attn->_reset_parameters();
  multihead_attn->_reset_parameters();
  linear1->reset_parameters();
  linear2->reset_parameters();
  norm1->reset_parameters();
  norm2->reset_parameters();
  norm3->reset_parameters();
}

void TransformerDecoderLayerImpl::pretty_print(std::ostream& os) const {
  os << std::boolalpha << "torch::nn::TransformerDecoderLayer(d_model=" << options.d_model()
     << ", nhead=" << options.nhead() << ", dim_feedforward=" << options.dim_feedforward()
     << ", dropout=" << options.dropout() << ", activation=" << activation_name(options.activation())
     << ", norm_first=" << options.norm_first() << ")";
}

Tensor TransformerDecoderLayerImpl::activation(const Tensor& input) { return options.activation()(input); }

Tensor TransformerDecoderLayerImpl::forward(Tensor tgt, const Tensor& memory, const Tensor& tgt_mask,
                                            const Tensor& memory_mask, const Tensor& tgt_key_padding_mask,
                                            const Tensor& memory_key_padding_mask) {
  auto self_block = [&](const Tensor& x) {
    return dropout1->forward(std::get<0>(self_attn->forward(x, x, x, tgt_key_padding_mask, false, tgt_mask)));
  };
  auto cross_block = [&](const Tensor& x) {
    return dropout2->forward(
        std::get<0>(multihead_attn->forward(x, memory, memory, memory_key_padding_mask, false, memory_mask)));
  };
  auto ff_block = [&](const Tensor& x) {
    return dropout3->forward(linear2->forward(dropout->forward(activation(linear1->forward(x)))));
  };
  if (options.norm_first()) {
    tgt = tgt + self_block(norm1->forward(tgt));
    tgt = tgt + cross_block(norm2->forward(tgt));
    return tgt + ff_block(norm3->forward(tgt));
  }
  tgt = norm1->forward(tgt + self_block(tgt));
  tgt = norm2->forward(tgt + cross_block(tgt));
  return norm3->forward(tgt + ff_block(tgt));
}

// ----- stacks

TransformerEncoderImpl::TransformerEncoderImpl(TransformerEncoderOptions o) : options(std::move(o)) { reset(); }

void TransformerEncoderImpl::reset() {
  EMBER_CHECK(!options.encoder_layer().is_empty(), "TransformerEncoder: encoder_layer is empty");
  layers = register_module("layers", ModuleList());
  for (int64_t i = 0; i < options.num_layers(); ++i) layers->push_back(options.encoder_layer()->clone());
  if (!options.norm().is_empty()) {
    norm = options.norm().clone();
    register_module("norm", norm.ptr());
  }
}

void TransformerEncoderImpl::reset_parameters() {
  for (auto& m : *layers) m->as<TransformerEncoderLayerImpl>()->reset_parameters();
  // A final norm is reset by its own type's reset_parameters (not reachable through AnyModule).
}

void TransformerEncoderImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::TransformerEncoderImpl(num_layers=" << options.num_layers() << ")";
}

Tensor TransformerEncoderImpl::forward(const Tensor& src, const Tensor& src_mask, const Tensor& src_key_padding_mask) {
  Tensor out = src;
  for (auto& m : *layers) out = m->as<TransformerEncoderLayerImpl>()->forward(out, src_mask, src_key_padding_mask);
  if (!norm.is_empty()) out = norm.forward<Tensor>(out);
  return out;
}

TransformerDecoderImpl::TransformerDecoderImpl(TransformerDecoderOptions o) : options(std::move(o)) { reset(); }

void TransformerDecoderImpl::reset() {
  EMBER_CHECK(!options.decoder_layer().is_empty(), "TransformerDecoder: decoder_layer is empty");
  layers = register_module("layers", ModuleList());
  for (int64_t i = 0; i < options.num_layers(); ++i) layers->push_back(options.decoder_layer()->clone());
  if (!options.norm().is_empty()) {
    norm = options.norm().clone();
    register_module("norm", norm.ptr());
  }
}

void TransformerDecoderImpl::reset_parameters() {
  for (auto& m : *layers) m->as<TransformerDecoderLayerImpl>()->reset_parameters();
}

void TransformerDecoderImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::TransformerDecoderImpl(num_layers=" << options.num_layers() << ")";
}

Tensor TransformerDecoderImpl::forward(const Tensor& tgt, const Tensor& memory, const Tensor& tgt_mask,
                                       const Tensor& memory_mask, const Tensor& tgt_key_padding_mask,
                                       const Tensor& memory_key_padding_mask) {
  Tensor out = tgt;
  for (auto& m : *layers)
    out = m->as<TransformerDecoderLayerImpl>()->forward(out, memory, tgt_mask, memory_mask, tgt_key_padding_mask,
                                                        memory_key_padding_mask);
  if (!norm.is_empty()) out = norm.forward<Tensor>(out);
  return out;
}

Tensor generate_square_subsequent_mask(int64_t sz, const TensorOptions& options) {
  EMBER_CHECK(sz >= 0, "Input size must be non-negative to generate a valid square subsequent mask, but got ", sz);
  Tensor above = ones({sz, sz}, TensorOptions().dtype(kBool).device(options.device())).triu(1);
  TensorOptions o = options;
  if (!options.has_dtype()) o = o.dtype(kFloat32);
  return zeros({sz, sz}, o).masked_fill(above, -std::numeric_limits<double>::infinity());
}

}  // namespace ember::nn
