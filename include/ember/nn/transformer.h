#pragma once
// TransformerEncoderLayer / TransformerDecoderLayer / TransformerEncoder / TransformerDecoder as
// libtorch's C++ API (sequence-first [S, N, E], options objects, submodule names), plus
// PyTorch's norm_first and layer_norm_eps options (libtorch's C++ options lack them; the
// defaults reproduce libtorch). Compositions of MultiheadAttention, Linear, Dropout and LayerNorm.
#include <functional>
#include <type_traits>

#include "ember/enum.h"
#include "ember/nn/any_module.h"
#include "ember/nn/arg.h"
#include "ember/nn/attention.h"
#include "ember/nn/cloneable.h"
#include "ember/nn/dropout.h"
#include "ember/nn/layers.h"
#include "ember/nn/module_list.h"
#include "ember/nn/normalization.h"

namespace ember::nn {

// libtorch's activation_t: torch::kReLU, torch::kGELU or a callable Tensor(const Tensor&).
class TransformerActivation {
 public:
  TransformerActivation(EnumToken<EnumName::ReLU>) : name_(EnumName::ReLU) {}
  TransformerActivation(EnumToken<EnumName::GELU>) : name_(EnumName::GELU) {}
  template <class Fn>
    requires(std::is_invocable_r_v<Tensor, Fn&, const Tensor&> &&
             !std::is_same_v<std::decay_t<Fn>, TransformerActivation>)
  TransformerActivation(Fn fn) : fn_(std::move(fn)) {}

  // kReLU or kGELU; None for a callable.
  EnumName name() const { return fn_ ? EnumName::None : name_; }
  const std::function<Tensor(const Tensor&)>& function() const { return fn_; }
  Tensor operator()(const Tensor& x) const;

 private:
  EnumName name_ = EnumName::ReLU;
  std::function<Tensor(const Tensor&)> fn_;
};
using activation_t = TransformerActivation;

struct TransformerEncoderLayerOptions {
  TransformerEncoderLayerOptions(int64_t d_model, int64_t nhead) : d_model_(d_model), nhead_(nhead) {}
  EMBER_ARG(int64_t, d_model);
  EMBER_ARG(int64_t, nhead);
  EMBER_ARG(int64_t, dim_feedforward) = 2048;
  EMBER_ARG(double, dropout) = 0.1;
  EMBER_ARG(activation_t, activation) = kReLU;
  // PyTorch's: LayerNorm before attention and feed-forward (pre-LN) instead of after.
  EMBER_ARG(bool, norm_first) = false;
  EMBER_ARG(double, layer_norm_eps) = 1e-5;
};

struct TransformerDecoderLayerOptions {
  TransformerDecoderLayerOptions(int64_t d_model, int64_t nhead) : d_model_(d_model), nhead_(nhead) {}
  EMBER_ARG(int64_t, d_model);
  EMBER_ARG(int64_t, nhead);
  EMBER_ARG(int64_t, dim_feedforward) = 2048;
  EMBER_ARG(double, dropout) = 0.1;
  EMBER_ARG(activation_t, activation) = kReLU;
  EMBER_ARG(bool, norm_first) = false;
  EMBER_ARG(double, layer_norm_eps) = 1e-5;
};

// src [S, N, E] (or unbatched [S, E]); src_mask [S, S] or [N * nhead, S, S] (bool: true is
// excluded; float: added); src_key_padding_mask [N, S] (true: padding).
class TransformerEncoderLayerImpl : public Cloneable<TransformerEncoderLayerImpl> {
 public:
  TransformerEncoderLayerImpl(int64_t d_model, int64_t nhead)
      : TransformerEncoderLayerImpl(TransformerEncoderLayerOptions(d_model, nhead)) {}
  explicit TransformerEncoderLayerImpl(TransformerEncoderLayerOptions options);
  Tensor forward(const Tensor& src, const Tensor& src_mask = {}, const Tensor& src_key_padding_mask = {});
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;

  TransformerEncoderLayerOptions options;
  MultiheadAttention self_attn = nullptr;
  Linear linear1 = nullptr;
  Dropout dropout = nullptr;
  Linear linear2 = nullptr;
  LayerNorm norm1 = nullptr;
  LayerNorm norm2 = nullptr;
  Dropout dropout1 = nullptr;
  Dropout dropout2 = nullptr;
};
EMBER_MODULE(TransformerEncoderLayer);

class TransformerDecoderLayerImpl : public Cloneable<TransformerDecoderLayerImpl> {
 public:
  TransformerDecoderLayerImpl(int64_t d_model, int64_t nhead)
      : TransformerDecoderLayerImpl(TransformerDecoderLayerOptions(d_model, nhead)) {}
  explicit TransformerDecoderLayerImpl(TransformerDecoderLayerOptions options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(Tensor tgt, const Tensor& memory, const Tensor& tgt_mask = {}, const Tensor& memory_mask = {},
                 const Tensor& tgt_key_padding_mask = {}, const Tensor& memory_key_padding_mask = {});

  TransformerDecoderLayerOptions options;
  MultiheadAttention self_attn = nullptr;
  Dropout dropout1 = nullptr;
  LayerNorm norm1 = nullptr;
  MultiheadAttention multihead_attn = nullptr;
  Dropout dropout2 = nullptr;
  LayerNorm norm2 = nullptr;
  Linear linear1 = nullptr;
  Dropout dropout = nullptr;
  Linear linear2 = nullptr;
  Dropout dropout3 = nullptr;
  LayerNorm norm3 = nullptr;

 protected:
  Tensor activation(const Tensor& input);
};
EMBER_MODULE(TransformerDecoderLayer);

struct TransformerEncoderOptions {
  // Keeps a handle to encoder_layer; each of the num_layers layers is a clone of it.
  TransformerEncoderOptions(TransformerEncoderLayer encoder_layer, int64_t num_layers)
      : encoder_layer_(std::move(encoder_layer)), num_layers_(num_layers) {}
  TransformerEncoderOptions(const TransformerEncoderLayerOptions& encoder_layer_options, int64_t num_layers)
      : encoder_layer_(encoder_layer_options), num_layers_(num_layers) {}
  EMBER_ARG(TransformerEncoderLayer, encoder_layer) = nullptr;
  EMBER_ARG(int64_t, num_layers);
  // An optional final norm (e.g. LayerNorm), cloned into the encoder.
  EMBER_ARG(AnyModule, norm);
};

struct TransformerDecoderOptions {
  TransformerDecoderOptions(TransformerDecoderLayer decoder_layer, int64_t num_layers)
      : decoder_layer_(std::move(decoder_layer)), num_layers_(num_layers) {}
  TransformerDecoderOptions(const TransformerDecoderLayerOptions& decoder_layer_options, int64_t num_layers)
      : decoder_layer_(decoder_layer_options), num_layers_(num_layers) {}
  EMBER_ARG(TransformerDecoderLayer, decoder_layer) = nullptr;
  EMBER_ARG(int64_t, num_layers);
  EMBER_ARG(AnyModule, norm);
};

class TransformerEncoderImpl : public Cloneable<TransformerEncoderImpl> {
 public:
  TransformerEncoderImpl(TransformerEncoderLayer encoder_layer, int64_t num_layers)
      : TransformerEncoderImpl(TransformerEncoderOptions(std::move(encoder_layer), num_layers)) {}
  explicit TransformerEncoderImpl(TransformerEncoderOptions options);
  Tensor forward(const Tensor& src, const Tensor& src_mask = {}, const Tensor& src_key_padding_mask = {});
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;

  TransformerEncoderOptions options;
  ModuleList layers = nullptr;
  AnyModule norm;
};
EMBER_MODULE(TransformerEncoder);

class TransformerDecoderImpl : public Cloneable<TransformerDecoderImpl> {
 public:
  TransformerDecoderImpl(TransformerDecoderLayer decoder_layer, int64_t num_layers)
      : TransformerDecoderImpl(TransformerDecoderOptions(std::move(decoder_layer), num_layers)) {}
  explicit TransformerDecoderImpl(TransformerDecoderOptions options);
  Tensor forward(const Tensor& tgt, const Tensor& memory, const Tensor& tgt_mask = {},
                 const Tensor& memory_mask = {}, const Tensor& tgt_key_padding_mask = {},
                 const Tensor& memory_key_padding_mask = {});
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;

  TransformerDecoderOptions options;
  ModuleList layers = nullptr;
  AnyModule norm;
};
EMBER_MODULE(TransformerDecoder);

// A float [sz, sz] mask with -inf above the diagonal and 0 elsewhere (libtorch's
// Transformer::generate_square_subsequent_mask), for src_mask / tgt_mask.
Tensor generate_square_subsequent_mask(int64_t sz, const TensorOptions& options = {});

}  // namespace ember::nn
