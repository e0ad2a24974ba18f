// The recurrent modules (include/ember/nn/rnn.h): parameters, initialisation, printing and
// libtorch's input checks around the functional forms in rnn.cpp.
#include <cmath>
#include <iostream>
#include <sstream>

#include "ember/functional.h"
#include "ember/grad_mode.h"
#include "ember/nn/init.h"
#include "ember/nn/rnn.h"
#include "frontend/torch_type_names.h"

namespace ember::nn {

namespace detail {

namespace {

int64_t gate_multiplier(EnumName mode) {
  switch (mode) {
    case EnumName::LSTM: return 4;
    case EnumName::GRU: return 3;
    default: return 1;
  }
}

// "torch::nn::LSTMImpl" -> "torch::nn::LSTM"
std::string without_impl(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, "Impl") == 0 ? name.substr(0, name.size() - 4) : name;
}

std::string torch_dtype(ScalarType t) { return std::string("torch.") + dtype_name(t); }

}  // namespace

template <class Derived>
RNNImplBase<Derived>::RNNImplBase(const RNNOptionsBase& o) : options_base(o) {
  EMBER_CHECK(o.dropout() >= 0 && o.dropout() <= 1, "dropout should be a number in range [0, 1] representing the "
              "probability of an element being zeroed");
  if (o.dropout() > 0 && o.num_layers() == 1)
    std::cerr << "Warning: dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                 "expects num_layers greater than 1, but got dropout=" << o.dropout()
              << " and num_layers=" << o.num_layers() << "\n";
  EMBER_CHECK(o.input_size() > 0, "input_size must be greater than zero");
  EMBER_CHECK(o.hidden_size() > 0, "hidden_size must be greater than zero");
  EMBER_CHECK(o.num_layers() > 0, "num_layers must be greater than zero");
  EMBER_CHECK(o.proj_size() >= 0, "proj_size should be a positive integer or zero to disable projections");
  EMBER_CHECK(o.proj_size() < o.hidden_size(), "proj_size has to be smaller than hidden_size");
  EMBER_CHECK(o.proj_size() == 0 || o.mode() == kLSTM, "proj_size argument is only supported for LSTM, not RNN or GRU");
  reset();
}

template <class Derived>
void RNNImplBase<Derived>::reset() {
  const RNNOptionsBase& o = options_base;
  int64_t dirs = o.bidirectional() ? 2 : 1;
  int64_t gate_size = gate_multiplier(o.mode().name()) * o.hidden_size();
  int64_t real_hidden = o.proj_size() > 0 ? o.proj_size() : o.hidden_size();
  flat_weights_names_.clear();
  for (int64_t layer = 0; layer < o.num_layers(); ++layer) {
    for (int64_t d = 0; d < dirs; ++d) {
      int64_t layer_input = layer == 0 ? o.input_size() : real_hidden * dirs;
      std::string suffix = "_l" + std::to_string(layer) + (d == 1 ? "_reverse" : "");
      auto add = [&](const std::string& name, IntArrayRef shape) {
        this->register_parameter(name + suffix, empty(shape));
        flat_weights_names_.push_back(name + suffix);
      };
      add("weight_ih", {gate_size, layer_input});
      add("weight_hh", {gate_size, real_hidden});
      if (o.bias()) {
        add("bias_ih", {gate_size});
        add("bias_hh", {gate_size});
      }
      if (o.proj_size() > 0) add("weight_hr", {o.proj_size(), o.hidden_size()});
    }
  }
  reset_parameters();
}

template <class Derived>
void RNNImplBase<Derived>::reset_parameters() {
  NoGradGuard no_grad;
  double stdv = 1.0 / std::sqrt(static_cast<double>(options_base.hidden_size()));
  for (const auto& name : flat_weights_names_) init::uniform_(this->parameters_[name], -stdv, stdv);
}

template <class Derived>
std::vector<Tensor> RNNImplBase<Derived>::flat_weights() const {
  std::vector<Tensor> w;
  w.reserve(flat_weights_names_.size());
  for (const auto& name : flat_weights_names_) w.push_back(this->parameters_[name]);
  return w;
}

template <class Derived>
std::vector<Tensor> RNNImplBase<Derived>::all_weights() const {
  return flat_weights();
}

template <class Derived>
void RNNImplBase<Derived>::pretty_print(std::ostream& os) const {
  const RNNOptionsBase& o = options_base;
  os << std::boolalpha << without_impl(this->name()) << "(input_size=" << o.input_size()
     << ", hidden_size=" << o.hidden_size() << ", num_layers=" << o.num_layers() << ", bias=" << o.bias()
     << ", batch_first=" << o.batch_first() << ", dropout=" << o.dropout()
     << ", bidirectional=" << o.bidirectional();
  if (o.proj_size() > 0) os << ", proj_size=" << o.proj_size();
  os << ")";
}

template <class Derived>
void RNNImplBase<Derived>::check_input(const Tensor& input) const {
  EMBER_CHECK(input.dim() == 3, "input must have 3 dimensions, got ", input.dim());
  EMBER_CHECK(options_base.input_size() == input.size(-1), "input.size(-1) must be equal to input_size. Expected ",
              options_base.input_size(), ", got ", input.size(-1));
  const Tensor& w = this->parameters_[flat_weights_names_.front()];
  EMBER_CHECK(input.dtype() == w.dtype(), "input must have the type ", torch_dtype(w.dtype()), ", got type ",
              torch_dtype(input.dtype()));
}

template <class Derived>
void RNNImplBase<Derived>::check_hidden_size(const Tensor& hx, IntArrayRef expected, const char* what) const {
  EMBER_CHECK(hx.sizes() == expected, "Expected ", what, " size ", shape_str(expected), ", got ",
              shape_str(hx.sizes()));
  const Tensor& w = this->parameters_[flat_weights_names_.front()];
  EMBER_CHECK(hx.dtype() == w.dtype(), what, " must have the type ", torch_dtype(w.dtype()), ", got type ",
              torch_dtype(hx.dtype()));
}

template class RNNImplBase<RNNImpl>;
template class RNNImplBase<LSTMImpl>;
template class RNNImplBase<GRUImpl>;

// ----- cells

template <class Derived>
RNNCellImplBase<Derived>::RNNCellImplBase(const RNNCellOptionsBase& o) : options_base(o) {
  EMBER_CHECK(o.input_size() > 0, "input_size must be greater than zero");
  EMBER_CHECK(o.hidden_size() > 0, "hidden_size must be greater than zero");
  reset();
}

template <class Derived>
void RNNCellImplBase<Derived>::reset() {
  const RNNCellOptionsBase& o = options_base;
  int64_t gates = o.num_chunks() * o.hidden_size();
  weight_ih = this->register_parameter("weight_ih", empty({gates, o.input_size()}));
  weight_hh = this->register_parameter("weight_hh", empty({gates, o.hidden_size()}));
  if (o.bias()) {
    bias_ih = this->register_parameter("bias_ih", empty({gates}));
    bias_hh = this->register_parameter("bias_hh", empty({gates}));
  } else {
    bias_ih = this->register_parameter("bias_ih", Tensor(), /*requires_grad=*/false);
    bias_hh = this->register_parameter("bias_hh", Tensor(), /*requires_grad=*/false);
  }
  reset_parameters();
}

template <class Derived>
void RNNCellImplBase<Derived>::reset_parameters() {
  NoGradGuard no_grad;
  double stdv = 1.0 / std::sqrt(static_cast<double>(options_base.hidden_size()));
  for (auto& p : this->parameters_)
    if (p.value().defined()) init::uniform_(p.value(), -stdv, stdv);
}

template <class Derived>
void RNNCellImplBase<Derived>::pretty_print(std::ostream& os) const {
  os << without_impl(this->name()) << "(" << options_base.input_size() << ", " << options_base.hidden_size();
  if (!options_base.bias()) os << ", bias=" << std::boolalpha << false;
  std::string nonlinearity = get_nonlinearity_str();
  if (!nonlinearity.empty() && nonlinearity != "kTanh") os << ", nonlinearity=" << nonlinearity;
  os << ")";
}

template <class Derived>
void RNNCellImplBase<Derived>::check_forward_input(const Tensor& input, const char* name) const {
  EMBER_CHECK(input.size(1) == options_base.input_size(), name, " has inconsistent input_size: got ", input.size(1),
              " expected ", options_base.input_size());
  EMBER_CHECK(input.dtype() == weight_ih.dtype(), name, " must have the type ", torch_dtype(weight_ih.dtype()),
              ", got type ", torch_dtype(input.dtype()));
}

template <class Derived>
void RNNCellImplBase<Derived>::check_forward_hidden(const Tensor& input, const Tensor& hx,
                                                    const char* hidden_label) const {
  EMBER_CHECK(hx.dim() == 2, "hidden", hidden_label, " must be 2-D for a 2-D input, got ", hx.dim(), "-D");
  EMBER_CHECK(input.size(0) == hx.size(0), "Input batch size ", input.size(0), " doesn't match hidden",
              hidden_label, " batch size ", hx.size(0));
  EMBER_CHECK(hx.size(1) == options_base.hidden_size(), "hidden", hidden_label,
              " has inconsistent hidden_size: got ", hx.size(1), ", expected ", options_base.hidden_size());
  EMBER_CHECK(hx.dtype() == input.dtype(), "hidden", hidden_label, " must have the type ", torch_dtype(input.dtype()),
              ", got type ", torch_dtype(hx.dtype()));
}

template class RNNCellImplBase<RNNCellImpl>;
template class RNNCellImplBase<LSTMCellImpl>;
template class RNNCellImplBase<GRUCellImpl>;

}  // namespace detail

namespace {

// Unbatched inputs gain a batch dim of 1 (at 1, or 0 with batch_first), as in libtorch.
struct Batched {
  Tensor input;
  bool unbatched;
  int64_t batch_dim;
};

Batched batched(const char* name, const Tensor& input, bool batch_first) {
  EMBER_CHECK(input.dim() == 2 || input.dim() == 3, name, ": Expected input to be 2D or 3D, got ", input.dim(),
              "D instead");
  int64_t batch_dim = batch_first ? 0 : 1;
  bool unbatched = input.dim() == 2;
  return {unbatched ? input.unsqueeze(batch_dim) : input, unbatched, batch_dim};
}

// RNN and GRU: hx checked and given its batch dim, or zeros.
Tensor batched_hidden(const Batched& b, const Tensor& hx, int64_t states, int64_t hidden) {
  if (!hx.defined())
    return zeros({states, b.input.size(b.batch_dim), hidden}, b.input.options());
  if (b.unbatched) {
    EMBER_CHECK(hx.dim() == 2, "For unbatched 2-D input, hx should also be 2-D but got ", hx.dim(), "-D tensor");
    return hx.unsqueeze(1);
  }
  EMBER_CHECK(hx.dim() == 3, "For batched 3-D input, hx should also be 3-D but got ", hx.dim(), "-D tensor");
  return hx;
}

}  // namespace

RNNImpl::RNNImpl(const RNNOptions& o)
    : RNNImplBase(detail::RNNOptionsBase(o.nonlinearity() == kTanh ? detail::RNNOptionsBase::rnn_options_base_mode_t(kRNN_TANH)
                                                                   : detail::RNNOptionsBase::rnn_options_base_mode_t(kRNN_RELU),
                                         o.input_size(), o.hidden_size())
                      .num_layers(o.num_layers())
                      .bias(o.bias())
                      .batch_first(o.batch_first())
                      .dropout(o.dropout())
                      .bidirectional(o.bidirectional())),
      options(o) {}

std::tuple<Tensor, Tensor> RNNImpl::forward(const Tensor& input, Tensor hx) {
  Batched b = batched("RNN", input, options.batch_first());
  int64_t dirs = options.bidirectional() ? 2 : 1;
  Tensor h0 = batched_hidden(b, hx, options.num_layers() * dirs, options.hidden_size());
  check_input(b.input);
  check_hidden_size(h0, {options.num_layers() * dirs, b.input.size(b.batch_dim), options.hidden_size()}, "hidden");
  auto run = options.nonlinearity() == kTanh ? &ember::rnn_tanh : &ember::rnn_relu;
  auto [out, hn] = run(b.input, h0, flat_weights(), options.bias(), options.num_layers(), options.dropout(),
                       is_training(), options.bidirectional(), options.batch_first());
  if (b.unbatched) return {out.squeeze(b.batch_dim), hn.squeeze(1)};
  return {out, hn};
}

LSTMImpl::LSTMImpl(const LSTMOptions& o)
    : RNNImplBase(detail::RNNOptionsBase(kLSTM, o.input_size(), o.hidden_size())
                      .num_layers(o.num_layers())
                      .bias(o.bias())
                      .batch_first(o.batch_first())
                      .dropout(o.dropout())
                      .bidirectional(o.bidirectional())
                      .proj_size(o.proj_size())),
      options(o) {}

std::tuple<Tensor, std::tuple<Tensor, Tensor>> LSTMImpl::forward(const Tensor& input,
                                                                 std::optional<std::tuple<Tensor, Tensor>> hx_opt) {
  Batched b = batched("LSTM", input, options.batch_first());
  int64_t dirs = options.bidirectional() ? 2 : 1;
  int64_t states = options.num_layers() * dirs, batch = b.input.size(b.batch_dim);
  int64_t real_hidden = options.proj_size() > 0 ? options.proj_size() : options.hidden_size();
  Tensor h0, c0;
  if (!hx_opt) {
    h0 = zeros({states, batch, real_hidden}, b.input.options());
    c0 = zeros({states, batch, options.hidden_size()}, b.input.options());
  } else {
    std::tie(h0, c0) = *hx_opt;
    if (b.unbatched) {
      EMBER_CHECK(h0.dim() == 2 && c0.dim() == 2, "For unbatched 2-D input, hx and cx should also be 2-D but got (",
                  h0.dim(), "-D, ", c0.dim(), "-D) tensors");
      h0 = h0.unsqueeze(1);
      c0 = c0.unsqueeze(1);
    } else {
      EMBER_CHECK(h0.dim() == 3 && c0.dim() == 3, "For batched 3-D input, hx and cx should also be 3-D but got (",
                  h0.dim(), "-D, ", c0.dim(), "-D) tensors");
    }
  }
  check_input(b.input);
  check_hidden_size(h0, {states, batch, real_hidden}, "hidden[0]");
  check_hidden_size(c0, {states, batch, options.hidden_size()}, "hidden[1]");
  auto [out, hn, cn] = ember::lstm(b.input, {h0, c0}, flat_weights(), options.bias(), options.num_layers(),
                                   options.dropout(), is_training(), options.bidirectional(), options.batch_first());
  if (b.unbatched) return {out.squeeze(b.batch_dim), {hn.squeeze(1), cn.squeeze(1)}};
  return {out, {hn, cn}};
}

GRUImpl::GRUImpl(const GRUOptions& o)
    : RNNImplBase(detail::RNNOptionsBase(kGRU, o.input_size(), o.hidden_size())
                      .num_layers(o.num_layers())
                      .bias(o.bias())
                      .batch_first(o.batch_first())
                      .dropout(o.dropout())
                      .bidirectional(o.bidirectional())),
      options(o) {}

std::tuple<Tensor, Tensor> GRUImpl::forward(const Tensor& input, Tensor hx) {
  Batched b = batched("GRU", input, options.batch_first());
  int64_t dirs = options.bidirectional() ? 2 : 1;
  Tensor h0 = batched_hidden(b, hx, options.num_layers() * dirs, options.hidden_size());
  check_input(b.input);
  check_hidden_size(h0, {options.num_layers() * dirs, b.input.size(b.batch_dim), options.hidden_size()}, "hidden");
  auto [out, hn] = ember::gru(b.input, h0, flat_weights(), options.bias(), options.num_layers(), options.dropout(),
                              is_training(), options.bidirectional(), options.batch_first());
  if (b.unbatched) return {out.squeeze(b.batch_dim), hn.squeeze(1)};
  return {out, hn};
}

// ----- cells

namespace {

struct CellInput {
  Tensor input;
  bool unbatched;
};

CellInput cell_input(const char* name, const Tensor& input) {
  EMBER_CHECK(input.dim() == 1 || input.dim() == 2, name, ": Expected input to be 1D or 2D, got ", input.dim(),
              "D instead");
  return {input.dim() == 1 ? input.unsqueeze(0) : input, input.dim() == 1};
}

Tensor cell_hidden(const char* name, const CellInput& in, const Tensor& hx, int64_t hidden) {
  if (!hx.defined()) return zeros({in.input.size(0), hidden}, in.input.options());
  if (in.unbatched) {
    EMBER_CHECK(hx.dim() == 1, name, ": Expected hidden to be 1D for a 1D input, got ", hx.dim(), "D instead");
    return hx.unsqueeze(0);
  }
  return hx;
}

}  // namespace

RNNCellImpl::RNNCellImpl(const RNNCellOptions& o)
    : RNNCellImplBase(detail::RNNCellOptionsBase(o.input_size(), o.hidden_size(), o.bias(), 1)), options(o) {}

std::string RNNCellImpl::get_nonlinearity_str() const { return std::string(enum_name(options.nonlinearity().name())); }

Tensor RNNCellImpl::forward(const Tensor& input, Tensor hx) {
  CellInput in = cell_input("RNNCell", input);
  Tensor h = cell_hidden("RNNCell", in, hx, options.hidden_size());
  check_forward_input(in.input, "input");
  check_forward_hidden(in.input, h, "");
  Tensor out = options.nonlinearity() == kTanh
                   ? ember::rnn_tanh_cell(in.input, h, weight_ih, weight_hh, bias_ih, bias_hh)
                   : ember::rnn_relu_cell(in.input, h, weight_ih, weight_hh, bias_ih, bias_hh);
  return in.unbatched ? out.squeeze(0) : out;
}

LSTMCellImpl::LSTMCellImpl(const LSTMCellOptions& o)
    : RNNCellImplBase(detail::RNNCellOptionsBase(o.input_size(), o.hidden_size(), o.bias(), 4)), options(o) {}

std::tuple<Tensor, Tensor> LSTMCellImpl::forward(const Tensor& input, std::optional<std::tuple<Tensor, Tensor>> hx_opt) {
  CellInput in = cell_input("LSTMCell", input);
  Tensor h, c;
  if (hx_opt) {
    h = cell_hidden("LSTMCell", in, std::get<0>(*hx_opt), options.hidden_size());
    c = cell_hidden("LSTMCell", in, std::get<1>(*hx_opt), options.hidden_size());
  } else {
    h = c = zeros({in.input.size(0), options.hidden_size()}, in.input.options());
  }
  check_forward_input(in.input, "input");
  check_forward_hidden(in.input, h, "[0]");
  check_forward_hidden(in.input, c, "[1]");
  auto [h1, c1] = ember::lstm_cell(in.input, {h, c}, weight_ih, weight_hh, bias_ih, bias_hh);
  if (in.unbatched) return {h1.squeeze(0), c1.squeeze(0)};
  return {h1, c1};
}

GRUCellImpl::GRUCellImpl(const GRUCellOptions& o)
    : RNNCellImplBase(detail::RNNCellOptionsBase(o.input_size(), o.hidden_size(), o.bias(), 3)), options(o) {}

Tensor GRUCellImpl::forward(const Tensor& input, Tensor hx) {
  CellInput in = cell_input("GRUCell", input);
  Tensor h = cell_hidden("GRUCell", in, hx, options.hidden_size());
  check_forward_input(in.input, "input");
  check_forward_hidden(in.input, h, "");
  Tensor out = ember::gru_cell(in.input, h, weight_ih, weight_hh, bias_ih, bias_hh);
  return in.unbatched ? out.squeeze(0) : out;
}

}  // namespace ember::nn
