#pragma once
// Recurrent layers as libtorch's: RNNCell, LSTMCell, GRUCell and the multi-layer RNN, LSTM and
// GRU (bidirectional, batch_first, dropout between layers, initial states, unbatched inputs,
// LSTM proj_size), with libtorch's parameter names (weight_ih_l0, bias_hh_l1_reverse, ...),
// gate orders (LSTM i, f, g, o; GRU r, z, n) and initialisation (uniform in +-1/sqrt(hidden)).
// Each step is a composition of ember ops (addmm, chunk, sigmoid, tanh, stack): autograd,
// CUDA and compile() come with them. Also ATen's functional forms (torch::lstm, torch::gru,
// torch::rnn_tanh, torch::lstm_cell, ...), which the modules call.
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "ember/array_ref.h"
#include "ember/nn/cloneable.h"
#include "ember/nn/module.h"
#include "ember/nn/rnn_options.h"

namespace ember {

// ATen's forms. `params` holds, per layer and direction (forward first), w_ih, w_hh, then
// b_ih, b_hh when has_biases, then (LSTM with projections) w_hr. The input is 3-D:
// [seq, batch, feature], or [batch, seq, feature] with batch_first; hidden states are
// [num_layers * num_directions, batch, hidden] whatever batch_first says.
// Returns (output, h_n, c_n).
std::tuple<Tensor, Tensor, Tensor> lstm(const Tensor& input, ArrayRef<Tensor> hx, ArrayRef<Tensor> params,
                                        bool has_biases, int64_t num_layers, double dropout, bool train,
                                        bool bidirectional, bool batch_first);
// Returns (output, h_n).
std::tuple<Tensor, Tensor> gru(const Tensor& input, const Tensor& hx, ArrayRef<Tensor> params, bool has_biases,
                               int64_t num_layers, double dropout, bool train, bool bidirectional, bool batch_first);
std::tuple<Tensor, Tensor> rnn_tanh(const Tensor& input, const Tensor& hx, ArrayRef<Tensor> params,
                                    bool has_biases, int64_t num_layers, double dropout, bool train,
                                    bool bidirectional, bool batch_first);
std::tuple<Tensor, Tensor> rnn_relu(const Tensor& input, const Tensor& hx, ArrayRef<Tensor> params,
                                    bool has_biases, int64_t num_layers, double dropout, bool train,
                                    bool bidirectional, bool batch_first);

// One step on [batch, input_size] (or 1-D) inputs. lstm_cell returns (h', c').
std::tuple<Tensor, Tensor> lstm_cell(const Tensor& input, ArrayRef<Tensor> hx, const Tensor& w_ih,
                                     const Tensor& w_hh, const Tensor& b_ih = {}, const Tensor& b_hh = {});
Tensor gru_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                const Tensor& b_ih = {}, const Tensor& b_hh = {});
Tensor rnn_tanh_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                     const Tensor& b_ih = {}, const Tensor& b_hh = {});
Tensor rnn_relu_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                     const Tensor& b_ih = {}, const Tensor& b_hh = {});

namespace nn {

namespace detail {

// The multi-layer modules' common part: parameters, initialisation, printing, input checks.
template <class Derived>
class RNNImplBase : public Cloneable<Derived> {
 public:
  explicit RNNImplBase(const RNNOptionsBase& options_);

  // (Re)creates the parameters: per layer and direction weight_ih_l{k}[_reverse],
  // weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, weight_hr_l{k} (proj_size > 0).
  void reset() override;
  // uniform(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) for every parameter, as libtorch.
  void reset_parameters();
  // libtorch packs the weights for cuDNN here; ember keeps them as they are.
  void flatten_parameters() {}
  void pretty_print(std::ostream& stream) const override;
  // The parameters in ATen's order (what torch::lstm etc. take).
  std::vector<Tensor> all_weights() const;

  RNNOptionsBase options_base;

 protected:
  std::vector<std::string> flat_weights_names_;
  // "[2, 3, 20]"-worded checks, as libtorch's check_input / check_hidden_size.
  void check_input(const Tensor& input) const;
  void check_hidden_size(const Tensor& hx, IntArrayRef expected, const char* what) const;
  std::vector<Tensor> flat_weights() const;
};

// The cells' common part.
template <class Derived>
class RNNCellImplBase : public Cloneable<Derived> {
 public:
  explicit RNNCellImplBase(const RNNCellOptionsBase& options_base);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;

  RNNCellOptionsBase options_base;
  Tensor weight_ih, weight_hh, bias_ih, bias_hh;

 protected:
  void check_forward_input(const Tensor& input, const char* name) const;
  void check_forward_hidden(const Tensor& input, const Tensor& hx, const char* hidden_label) const;
  virtual std::string get_nonlinearity_str() const { return ""; }
};

}  // namespace detail

// Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu).
class RNNImpl : public detail::RNNImplBase<RNNImpl> {
 public:
  RNNImpl(int64_t input_size, int64_t hidden_size) : RNNImpl(RNNOptions(input_size, hidden_size)) {}
  explicit RNNImpl(const RNNOptions& options_);
  // input [seq, batch, input_size] ([batch, seq, .] with batch_first, or [seq, input_size]
  // unbatched); hx [num_layers * directions, batch, hidden] (zeros when undefined).
  // Returns (output, h_n).
  std::tuple<Tensor, Tensor> forward(const Tensor& input, Tensor hx = {});
  RNNOptions options;
};
EMBER_MODULE(RNN);

class LSTMImpl : public detail::RNNImplBase<LSTMImpl> {
 public:
  LSTMImpl(int64_t input_size, int64_t hidden_size) : LSTMImpl(LSTMOptions(input_size, hidden_size)) {}
  explicit LSTMImpl(const LSTMOptions& options_);
  // Returns (output, (h_n, c_n)); hx_opt is (h_0, c_0), zeros when absent. With proj_size,
  // h has proj_size features and c hidden_size.
  std::tuple<Tensor, std::tuple<Tensor, Tensor>> forward(const Tensor& input,
                                                         std::optional<std::tuple<Tensor, Tensor>> hx_opt = {});
  LSTMOptions options;
};
EMBER_MODULE(LSTM);

class GRUImpl : public detail::RNNImplBase<GRUImpl> {
 public:
  GRUImpl(int64_t input_size, int64_t hidden_size) : GRUImpl(GRUOptions(input_size, hidden_size)) {}
  explicit GRUImpl(const GRUOptions& options_);
  std::tuple<Tensor, Tensor> forward(const Tensor& input, Tensor hx = {});
  GRUOptions options;
};
EMBER_MODULE(GRU);

class RNNCellImpl : public detail::RNNCellImplBase<RNNCellImpl> {
 public:
  RNNCellImpl(int64_t input_size, int64_t hidden_size) : RNNCellImpl(RNNCellOptions(input_size, hidden_size)) {}
  explicit RNNCellImpl(const RNNCellOptions& options_);
  // input [batch, input_size] or [input_size]; hx [batch, hidden] (zeros when undefined).
  Tensor forward(const Tensor& input, Tensor hx = {});
  RNNCellOptions options;

 protected:
  std::string get_nonlinearity_str() const override;
};
EMBER_MODULE(RNNCell);

class LSTMCellImpl : public detail::RNNCellImplBase<LSTMCellImpl> {
 public:
  LSTMCellImpl(int64_t input_size, int64_t hidden_size) : LSTMCellImpl(LSTMCellOptions(input_size, hidden_size)) {}
  explicit LSTMCellImpl(const LSTMCellOptions& options_);
  // Returns (h', c').
  std::tuple<Tensor, Tensor> forward(const Tensor& input, std::optional<std::tuple<Tensor, Tensor>> hx_opt = {});
  LSTMCellOptions options;
};
EMBER_MODULE(LSTMCell);

class GRUCellImpl : public detail::RNNCellImplBase<GRUCellImpl> {
 public:
  GRUCellImpl(int64_t input_size, int64_t hidden_size) : GRUCellImpl(GRUCellOptions(input_size, hidden_size)) {}
  explicit GRUCellImpl(const GRUCellOptions& options_);
  Tensor forward(const Tensor& input, Tensor hx = {});
  GRUCellOptions options;
};
EMBER_MODULE(GRUCell);

}  // namespace nn
}  // namespace ember
