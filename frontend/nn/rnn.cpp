// ATen's recurrent forms (torch::lstm, torch::gru, torch::rnn_tanh/relu and the *_cell steps)
// as compositions of ember ops: each time step is two addmm (input and hidden projections)
// plus pointwise gates, so autograd, CUDA and compile() need nothing of their own.
#include "ember/nn/rnn.h"

#include "ember/functional.h"
#include "ember/nn/dropout.h"
#include "frontend/torch_type_names.h"

namespace ember {

namespace {

enum class Kind { Tanh, Relu, Lstm, Gru };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Tanh: return "rnn_tanh";
    case Kind::Relu: return "rnn_relu";
    case Kind::Lstm: return "lstm";
    case Kind::Gru: return "gru";
  }
  return "rnn";
}

struct Weights {
  Tensor w_ih, w_hh, b_ih, b_hh, w_hr;
};

struct State {
  Tensor h, c;
};

void check_same(const Tensor& input, const Tensor& other, const char* what, const char* fn) {
  EMBER_CHECK(other.device() == input.device(), "Input and ", what, " tensors are not at the same device, found "
              "input tensor at ", input.device(), " and ", what, " tensor at ", other.device());
  EMBER_CHECK(other.dtype() == input.dtype(), fn, ": expected ", what, " to have the input's dtype ",
              torch_type_name(input.dtype()), " but found ", torch_type_name(other.dtype()));
}

// One step from the input projection `xw` ([batch, gates * hidden], b_ih already added and,
// when `b_hh` is undefined, b_hh too): the new hidden (and, for the LSTM, cell) state.
State step(Kind kind, const Tensor& xw, const State& s, const Tensor& w_hh_t, const Tensor& b_hh,
           const Tensor& w_hr_t) {
  if (kind == Kind::Gru) {
    int64_t hidden = s.h.size(1);
    Tensor gh = b_hh.defined() ? b_hh.addmm(s.h, w_hh_t) : s.h.mm(w_hh_t);
    Tensor rz = (xw.narrow(1, 0, 2 * hidden) + gh.narrow(1, 0, 2 * hidden)).sigmoid();
    Tensor r = rz.narrow(1, 0, hidden), z = rz.narrow(1, hidden, hidden);
    Tensor n = (xw.narrow(1, 2 * hidden, hidden) + r * gh.narrow(1, 2 * hidden, hidden)).tanh();
    return {n + z * (s.h - n), {}};
  }
  Tensor gates = b_hh.defined() ? xw + b_hh.addmm(s.h, w_hh_t) : xw.addmm(s.h, w_hh_t);
  if (kind == Kind::Tanh) return {gates.tanh(), {}};
  if (kind == Kind::Relu) return {gates.relu(), {}};
  // i, f, g, o: one sigmoid over all four gates (g's part unused), one tanh for g.
  int64_t hidden = s.c.size(1);
  Tensor sig = gates.sigmoid();
  Tensor i = sig.narrow(1, 0, hidden), f = sig.narrow(1, hidden, hidden), o = sig.narrow(1, 3 * hidden, hidden);
  Tensor g = gates.narrow(1, 2 * hidden, hidden).tanh();
  Tensor c = f * s.c + i * g;
  Tensor h = o * c.tanh();
  if (w_hr_t.defined()) h = h.mm(w_hr_t);
  return {h, c};
}

// One direction of one layer over the steps `xs` (each [batch, features]): the outputs in
// time order, and the final state. The steps stay separate tensors from layer to layer: a
// per-step select of a [seq, ...] tensor would differentiate to a full-size select_scatter
// per step (quadratic in the sequence length), while separate steps need no scatter at all.
std::pair<std::vector<Tensor>, State> run_direction(Kind kind, const std::vector<Tensor>& xs, State s,
                                                    const Weights& w, bool reverse) {
  int64_t seq = static_cast<int64_t>(xs.size());
  Tensor w_ih_t = w.w_ih.t(), w_hh_t = w.w_hh.t();
  Tensor w_hr_t = w.w_hr.defined() ? w.w_hr.t() : Tensor();
  // The GRU's b_hh sits inside r * (W_hn h + b_hn), so only the others fold it in here.
  Tensor bias = w.b_ih;
  Tensor step_b_hh = w.b_hh;
  if (kind != Kind::Gru && w.b_hh.defined()) {
    bias = w.b_ih + w.b_hh;
    step_b_hh = Tensor();
  }
  std::vector<Tensor> outs(static_cast<size_t>(seq));
  for (int64_t k = 0; k < seq; ++k) {
    int64_t t = reverse ? seq - 1 - k : k;
    const Tensor& x = xs[static_cast<size_t>(t)];
    Tensor xw = bias.defined() ? bias.addmm(x, w_ih_t) : x.mm(w_ih_t);
    s = step(kind, xw, s, w_hh_t, step_b_hh, w_hr_t);
    outs[static_cast<size_t>(t)] = s.h;
  }
  return {outs, s};
}

struct Result {
  Tensor output, h, c;
};

Result run_layers(Kind kind, const Tensor& input, const Tensor& h0, const Tensor& c0, ArrayRef<Tensor> params,
                  bool has_biases, int64_t num_layers, double dropout, bool train, bool bidirectional,
                  bool batch_first) {
  const char* fn = kind_name(kind);
  EMBER_CHECK(input.dim() == 3, "input must have 3 dimensions, got ", input.dim());
  EMBER_CHECK(input.is_floating_point(), fn, ": expected a floating point input, but got ",
              torch_type_name(input.dtype()));
  EMBER_CHECK(num_layers >= 1, fn, ": num_layers must be at least 1, got ", num_layers);
  EMBER_CHECK(dropout >= 0 && dropout <= 1, "dropout should be a number in range [0, 1] representing the "
              "probability of an element being zeroed");
  int64_t dirs = bidirectional ? 2 : 1;
  bool proj = kind == Kind::Lstm && h0.dim() == 3 && c0.dim() == 3 && h0.size(2) != c0.size(2);
  size_t stride = (has_biases ? 4 : 2) + (proj ? 1 : 0);
  EMBER_CHECK(params.size() == stride * static_cast<size_t>(num_layers * dirs),
              "got an incorrect number of RNN parameters");
  for (const Tensor& p : params) check_same(input, p, "parameter", fn);
  check_same(input, h0, "hidden", fn);
  if (kind == Kind::Lstm) check_same(input, c0, "hidden", fn);
  int64_t batch = input.size(batch_first ? 0 : 1);
  EMBER_CHECK(h0.dim() == 3 && h0.size(0) == num_layers * dirs && h0.size(1) == batch, fn,
              ": expected hidden state of size [", num_layers * dirs, ", ", batch, ", *], got ",
              shape_str(h0.sizes()));
  if (kind == Kind::Lstm)
    EMBER_CHECK(c0.dim() == 3 && c0.size(0) == num_layers * dirs && c0.size(1) == batch, fn,
                ": expected cell state of size [", num_layers * dirs, ", ", batch, ", *], got ",
                shape_str(c0.sizes()));

  Tensor x = batch_first ? input.transpose(0, 1) : input;
  int64_t seq = x.size(0);
  std::vector<Tensor> xs = x.unbind(0);
  int64_t features = x.size(2);
  std::vector<Tensor> hn, cn;
  for (int64_t layer = 0; layer < num_layers; ++layer) {
    std::vector<std::vector<Tensor>> outs;
    for (int64_t d = 0; d < dirs; ++d) {
      int64_t idx = layer * dirs + d;
      size_t at = static_cast<size_t>(idx) * stride;
      Weights w;
      w.w_ih = params[at];
      w.w_hh = params[at + 1];
      if (has_biases) {
        w.b_ih = params[at + 2];
        w.b_hh = params[at + 3];
      }
      if (proj) w.w_hr = params[at + stride - 1];
      EMBER_CHECK(w.w_ih.dim() == 2 && w.w_ih.size(1) == features, fn, ": layer ", layer,
                  " expects input features ", w.w_ih.dim() == 2 ? w.w_ih.size(1) : -1, ", got ", features);
      State s{h0.select(0, idx), kind == Kind::Lstm ? c0.select(0, idx) : Tensor()};
      auto [out, last] = run_direction(kind, xs, s, w, d == 1);
      outs.push_back(std::move(out));
      hn.push_back(last.h);
      if (kind == Kind::Lstm) cn.push_back(last.c);
    }
    for (int64_t t = 0; t < seq; ++t) {
      size_t k = static_cast<size_t>(t);
      xs[k] = dirs == 2 ? cat({outs[0][k], outs[1][k]}, 1) : outs[0][k];
      // Between layers only; a mask per step, from the same generator.
      if (dropout > 0 && train && layer + 1 < num_layers) xs[k] = ember::dropout(xs[k], dropout, true);
    }
    features = seq > 0 ? xs[0].size(1) : hn.back().size(1) * dirs;
  }
  Tensor out = seq > 0 ? stack(xs, 0) : empty({0, batch, hn.back().size(1) * dirs}, input.options());
  Result r;
  r.output = batch_first ? out.transpose(0, 1) : out;
  r.h = stack(hn, 0);
  if (kind == Kind::Lstm) r.c = stack(cn, 0);
  return r;
}

State cell(Kind kind, const Tensor& input, const State& s, const Tensor& w_ih, const Tensor& w_hh,
           const Tensor& b_ih, const Tensor& b_hh) {
  const char* fn = kind_name(kind);
  EMBER_CHECK(input.dim() == 2, fn, "_cell: expected a 2-D input, got ", input.dim(), "-D");
  EMBER_CHECK(w_ih.dim() == 2 && input.size(1) == w_ih.size(1), "input has inconsistent input_size: got ",
              input.size(1), " expected ", w_ih.dim() == 2 ? w_ih.size(1) : -1);
  check_same(input, w_ih, "parameter", fn);
  check_same(input, w_hh, "parameter", fn);
  check_same(input, s.h, "hidden", fn);
  EMBER_CHECK(s.h.dim() == 2 && s.h.size(0) == input.size(0), "Input batch size ", input.size(0),
              " doesn't match hidden batch size ", s.h.dim() > 0 ? s.h.size(0) : -1);
  Tensor xw = b_ih.defined() ? b_ih.addmm(input, w_ih.t()) : input.mm(w_ih.t());
  return step(kind, xw, s, w_hh.t(), b_hh, Tensor());
}

}  // namespace

std::tuple<Tensor, Tensor, Tensor> lstm(const Tensor& input, ArrayRef<Tensor> hx, ArrayRef<Tensor> params,
                                        bool has_biases, int64_t num_layers, double dropout, bool train,
                                        bool bidirectional, bool batch_first) {
  EMBER_CHECK(hx.size() == 2, "lstm expects two hidden states");
  Result r = run_layers(Kind::Lstm, input, hx[0], hx[1], params, has_biases, num_layers, dropout, train,
                        bidirectional, batch_first);
  return {r.output, r.h, r.c};
}

#define EMBER_RNN_FORM(name, kind)                                                                          \
  std::tuple<Tensor, Tensor> name(const Tensor& input, const Tensor& hx, ArrayRef<Tensor> params,          \
                                  bool has_biases, int64_t num_layers, double dropout, bool train,         \
                                  bool bidirectional, bool batch_first) {                                  \
    Result r = run_layers(kind, input, hx, Tensor(), params, has_biases, num_layers, dropout, train,       \
                          bidirectional, batch_first);                                                     \
    return {r.output, r.h};                                                                                \
  }
EMBER_RNN_FORM(gru, Kind::Gru)
EMBER_RNN_FORM(rnn_tanh, Kind::Tanh)
EMBER_RNN_FORM(rnn_relu, Kind::Relu)
#undef EMBER_RNN_FORM

std::tuple<Tensor, Tensor> lstm_cell(const Tensor& input, ArrayRef<Tensor> hx, const Tensor& w_ih,
                                     const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh) {
  EMBER_CHECK(hx.size() == 2, "lstm_cell expects two hidden states");
  check_same(input, hx[1], "hidden", "lstm");
  EMBER_CHECK(hx[1].dim() == 2 && hx[1].sizes() == hx[0].sizes(), "lstm_cell: expected the cell state to "
              "have the hidden state's size ", shape_str(hx[0].sizes()), ", got ", shape_str(hx[1].sizes()));
  State s = cell(Kind::Lstm, input, {hx[0], hx[1]}, w_ih, w_hh, b_ih, b_hh);
  return {s.h, s.c};
}

Tensor gru_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                const Tensor& b_hh) {
  return cell(Kind::Gru, input, {hx, {}}, w_ih, w_hh, b_ih, b_hh).h;
}
Tensor rnn_tanh_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                     const Tensor& b_ih, const Tensor& b_hh) {
  return cell(Kind::Tanh, input, {hx, {}}, w_ih, w_hh, b_ih, b_hh).h;
}
Tensor rnn_relu_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                     const Tensor& b_ih, const Tensor& b_hh) {
  return cell(Kind::Relu, input, {hx, {}}, w_ih, w_hh, b_ih, b_hh).h;
}

}  // namespace ember
