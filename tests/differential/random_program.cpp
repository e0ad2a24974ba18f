#include "differential/random_program.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <sstream>

#include "ember/functional.h"
#include "ember/nn/attention.h"
#include "ember/nn/conv.h"
#include "ember/nn/normalization.h"
#include "frontend/compile/compile_internals.h"
#include "frontend/compile/repro_bundle.h"
#include "frontend/dispatch.h"
#include "bitwise_difference.h"
#include "op_table.h"

namespace ember::testing {

int Choices::pick(int n) {
  if (n <= 1) return 0;
  uint32_t v = 0;
  if (random_) {
    v = static_cast<uint32_t>(rng_()) % static_cast<uint32_t>(n);
    recorded_.push_back(v);  // as the choice itself, so that lowering it simplifies it
  } else if (next_ < recorded_.size()) {
    v = recorded_[next_++];
  }
  return static_cast<int>(v % static_cast<uint32_t>(n));
}

namespace {

enum ViewKind { Transpose, Slice, Permute, Expand, Unsqueeze, Flatten, kViewKinds };

const char* const kLayerNames[] = {"softmax", "log_softmax", "layer_norm", "rms_norm", "cat",
                                   "index_select", "cumsum", "conv1d", "attention"};

// Ops whose result jumps, or grows exponentially, when an operand moves by a rounding error:
// they may not read a value computed by a reordered sum (it would turn a last-bit difference
// into an arbitrarily large one).
bool tolerates_inexact(const TableOp& op) {
  switch (op.rule) {
    case DtypeRule::Compare: case DtypeRule::Logical: case DtypeRule::Where:
    case DtypeRule::First: case DtypeRule::Cast: return false;
    default: break;
  }
  switch (op.id) {
    case OpId::Sign: case OpId::Floor: case OpId::Ceil: case OpId::Round: case OpId::Trunc:
    case OpId::Frac: case OpId::Remainder: case OpId::Fmod: case OpId::Hardshrink:
    case OpId::Softshrink: case OpId::Threshold: case OpId::Exp: case OpId::Exp2:
    case OpId::Expm1: case OpId::Sinh: case OpId::Cosh: case OpId::Pow: case OpId::Celu:
    case OpId::Atan2: return false;
    default: return true;
  }
}

// Every pointwise op in float programs; in int64 ones those that stay integers and exact.
const std::vector<TableOp>& ops_for(bool is_float) {
  static const std::vector<TableOp> float_ops = pointwise_table();
  static const std::vector<TableOp> int_ops = [] {
    std::vector<TableOp> out;
    for (const auto& op : pointwise_table())
      if (op.rule != DtypeRule::Float && op.rule != DtypeRule::Cast && op.numerics == Numerics::Exact)
        out.push_back(op);
    return out;
  }();
  return is_float ? float_ops : int_ops;
}

bool broadcastable(const Shape& a, const Shape& b) {
  for (size_t k = 1; k <= std::min(a.size(), b.size()); ++k) {
    int64_t x = a[a.size() - k], y = b[b.size() - k];
    if (x != y && x != 1 && y != 1) return false;
  }
  return true;
}

Shape broadcast(const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()), 1);
  for (size_t k = 1; k <= out.size(); ++k) {
    int64_t x = k <= a.size() ? a[a.size() - k] : 1, y = k <= b.size() ? b[b.size() - k] : 1;
    out[out.size() - k] = x == 1 ? y : x;
  }
  return out;
}

// The view `step` builds from a value of shape `s`, choosing its arguments; returns the shape.
Shape choose_view(ProgramStep& step, const Shape& s, Choices& ch, int64_t max_elements) {
  int n = static_cast<int>(s.size());
  int kind = ch.pick(kViewKinds);
  if ((kind == Transpose || kind == Permute || kind == Flatten) && n < 2) kind = Unsqueeze;
  if ((kind == Unsqueeze || kind == Expand) && n >= 4) kind = Transpose;
  if (kind == Expand && numel_of(s) * 4 > max_elements) kind = n >= 2 ? Transpose : Unsqueeze;
  if (kind == Slice && std::none_of(s.begin(), s.end(), [](int64_t d) { return d > 1; })) kind = n >= 2 ? Transpose : Unsqueeze;
  step.op = kind;
  Shape out = s;
  switch (kind) {
    case Transpose: {
      int64_t d0 = ch.pick(n), d1 = ch.pick(n);
      step.args = {d0, d1};
      std::swap(out[d0], out[d1]);
      break;
    }
    case Slice: {
      std::vector<int64_t> dims;
      for (int d = 0; d < n; ++d)
        if (s[d] > 1) dims.push_back(d);
      int64_t d = dims[ch.pick(static_cast<int>(dims.size()))], size = s[d];
      int64_t start = ch.pick(static_cast<int>(size / 2 + 1)), step_by = 1 + ch.pick(2);
      int64_t end = start + 1 + ch.pick(static_cast<int>(size - start));
      step.args = {d, start, end, step_by};
      out[d] = (end - start + step_by - 1) / step_by;
      break;
    }
    case Permute: {
      std::vector<int64_t> perm(n);
      std::iota(perm.begin(), perm.end(), 0);
      for (int k = n - 1; k > 0; --k) std::swap(perm[k], perm[ch.pick(k + 1)]);
      step.args = perm;
      for (int k = 0; k < n; ++k) out[k] = s[perm[k]];
      break;
    }
    case Expand: {  // a size-1 dim (one added in front when there is none) to 2-4
      auto one = std::find(s.begin(), s.end(), 1);
      int64_t d = one == s.end() ? -1 : one - s.begin(), to = 2 + ch.pick(3);
      step.args = {d, to};
      if (d < 0) out.insert(out.begin(), to);
      else out[d] = to;
      break;
    }
    case Unsqueeze: {
      int64_t d = ch.pick(n + 1);
      step.args = {d};
      out.insert(out.begin() + d, 1);
      break;
    }
    default:  // Flatten
      out = {numel_of(s)};
      break;
  }
  return out;
}

Shape choose_reduction(ProgramStep& step, const Shape& s, bool is_float, Choices& ch) {
  int n = static_cast<int>(s.size());
  step.op = is_float ? ch.pick(4) : std::vector<int>{0, 2, 3}[ch.pick(3)];
  step.keepdim = ch.pick(2);
  int mode = ch.pick(3);
  if (mode == 1) {
    step.args = {ch.pick(n)};
  } else if (mode == 2) {
    for (int d = 0; d < n; ++d)
      if (ch.pick(2)) step.args.push_back(d);
  }
  if (step.args.empty()) {  // every dim
    for (int d = 0; d < n; ++d) step.args.push_back(d);
    if (!step.keepdim) return {};
  }
  Shape out;
  for (int d = 0; d < n; ++d) {
    bool reduced = std::find(step.args.begin(), step.args.end(), d) != step.args.end();
    if (!reduced) out.push_back(s[d]);
    else if (step.keepdim) out.push_back(1);
  }
  return out;
}

// The layer `step` applies to value a of shape `s` (at least one dim), choosing its arguments;
// returns the shape and sets `exact`. Integer programs take the layers that do not divide;
// conv1d and attention are float32/float64 only, as matmuls. The norms and attention divide by
// what the rows hold (a rounding error in a nearly constant row grows without bound), so they
// read only exact values. Cat's second operand is a value of the same shape.
Shape choose_layer(ProgramStep& step, RandomProgram& p, bool is_float, bool matmuls, bool& exact, Choices& ch,
                   int64_t max_elements) {
  const Shape& s = p.shapes[step.a];
  int n = static_cast<int>(s.size());
  int kind = is_float ? ch.pick(matmuls ? kLayerKinds : Conv1d) : Cat + ch.pick(3);
  if ((kind == LayerNorm || kind == RmsNorm || kind == Attention) && !exact) kind = Softmax;
  if (kind == Attention && (n < 2 || s[n - 2] > 64)) kind = LogSoftmax;  // scores are rows x rows
  if (kind == Cat && numel_of(s) * 2 > max_elements) kind = Cumsum;
  step.op = kind;
  Shape out = s;
  switch (kind) {
    case Softmax: case LogSoftmax: case Cumsum:
      step.args = {ch.pick(n)};
      exact = exact && kind == Cumsum;
      break;
    case LayerNorm: case RmsNorm:
      exact = false;
      break;
    case Cat: {
      std::vector<int> same;
      for (int v = 0; v < static_cast<int>(p.shapes.size()); ++v)
        if (p.shapes[v] == s) same.push_back(v);
      step.b = same[ch.pick(static_cast<int>(same.size()))];
      int64_t d = ch.pick(n);
      step.args = {d};
      out[d] *= 2;
      exact = exact && p.exact[step.b];
      break;
    }
    case IndexSelect: {  // 1-4 indices along one dim, repeats allowed
      int64_t d = ch.pick(n);
      step.args = {d};
      int most = static_cast<int>(std::min<int64_t>(4, s[d]));  // never more than the dim had
      for (int k = 0, count = 1 + ch.pick(most); k < count; ++k) step.args.push_back(ch.pick(static_cast<int>(s[d])));
      out[d] = static_cast<int64_t>(step.args.size()) - 1;
      break;
    }
    case Conv1d: {  // a as [1, C, L] (L its last dim), weight [out, C, k], padding 0 or 1
      int64_t length = s.back(), channels = numel_of(s) / length;
      int64_t k = 1 + ch.pick(static_cast<int>(std::min<int64_t>(length, 3))), pad = ch.pick(2);
      step.weight = static_cast<int>(p.weights.size());
      p.weights.push_back({1 + ch.pick(4), channels, k});
      step.args = {pad};
      out = {1, p.weights.back()[0], length + 2 * pad - k + 1};
      exact = false;
      break;
    }
    default:  // Attention: a as query, key and value, causal or not
      step.args = {ch.pick(2)};
      exact = false;
      break;
  }
  return out;
}

// Whether apply_pointwise reads operand b (else the result is shaped like a): not for casts,
// unary ops, or binary ops given the number instead.
bool pointwise_reads_b(const ProgramStep& s, const TableOp& op) {
  if (op.rule == DtypeRule::Cast) return false;
  if (op.rule == DtypeRule::Where || op.rule == DtypeRule::First) return true;
  if (op.arity == 1) return false;
  return !(op.arity == 2 && (s.a + s.b + s.op) % 4 == 0);
}

// The value a step reads: one of the three newest, mostly.
int recent_value(int nvalues, Choices& ch) { return nvalues - 1 - ch.pick(std::min(nvalues, 3)); }

}  // namespace

RandomProgram random_program(Choices& ch, int64_t max_elements) {
  RandomProgram p;
  static const ScalarType dtypes[] = {kFloat32, kFloat32, kFloat32, kFloat32, kFloat32, kFloat32,
                                      kFloat64, kFloat64, kFloat16, kInt64,   kBFloat16, kInt32};
  p.dtype = dtypes[ch.pick(12)];
  bool is_float = is_floating(p.dtype), matmuls = p.dtype == kFloat32 || p.dtype == kFloat64;
  int nd = 1 + ch.pick(3);
  Shape base;
  for (int d = 0; d < nd; ++d) base.push_back(1 + ch.pick(ch.pick(4) == 0 ? 40 : 6));
  while (numel_of(base) > max_elements) {
    auto largest = std::max_element(base.begin(), base.end());
    *largest = (*largest + 1) / 2;
  }
  int inputs = 1 + ch.pick(3);
  for (int i = 0; i < inputs; ++i) {
    Shape s = base;
    if (i > 0 && ch.pick(2)) {
      for (auto& d : s)
        if (ch.pick(3) == 0) d = 1;
      if (ch.pick(3) == 0 && s.size() > 1) s.erase(s.begin());
    }
    p.inputs.push_back(s);
    p.shapes.push_back(s);
    p.exact.push_back(true);
  }
  const auto& ops = ops_for(is_float);
  for (int k = 0, nsteps = 2 + ch.pick(8); k < nsteps; ++k) {
    int nvalues = static_cast<int>(p.shapes.size());
    ProgramStep s;
    int kind = ch.pick(23);
    s.kind = kind < 12 ? ProgramStep::Pointwise
                       : (kind < 16 ? ProgramStep::View
                                    : (kind < 19 ? ProgramStep::Reduce
                                                 : (kind < 20 ? (matmuls ? ProgramStep::Matmul : ProgramStep::Reduce)
                                                              : ProgramStep::Layer)));
    s.a = k == 0 ? 0 : recent_value(nvalues, ch);
    const Shape sa = p.shapes[s.a];
    if (s.kind == ProgramStep::Layer && sa.empty()) s.kind = ProgramStep::Reduce;
    Shape out;
    bool exact = p.exact[s.a];
    if (s.kind == ProgramStep::Pointwise) {
      std::vector<int> partners;
      for (int v = 0; v < nvalues; ++v)
        if (broadcastable(sa, p.shapes[v]) && numel_of(broadcast(sa, p.shapes[v])) <= max_elements) partners.push_back(v);
      s.b = partners[ch.pick(static_cast<int>(partners.size()))];
      std::vector<int> allowed;  // as if b were read (the op decides whether it is)
      for (int r = 0; r < static_cast<int>(ops.size()); ++r)
        if ((exact && p.exact[s.b]) || tolerates_inexact(ops[r])) allowed.push_back(r);
      s.op = allowed[ch.pick(static_cast<int>(allowed.size()))];
      s.c = static_cast<double>(ch.pick(7)) - 3 + (is_float ? 0.25 : 0.0);
      bool reads_b = pointwise_reads_b(s, ops[s.op]);
      exact = exact && (!reads_b || p.exact[s.b]);
      out = reads_b ? broadcast(sa, p.shapes[s.b]) : sa;
    } else if (s.kind == ProgramStep::View) {
      out = choose_view(s, sa, ch, max_elements);
    } else if (s.kind == ProgramStep::Reduce) {
      out = choose_reduction(s, sa, is_float, ch);
      exact = exact && (s.op >= 2 || !is_float);
    } else if (s.kind == ProgramStep::Layer) {
      out = choose_layer(s, p, is_float, matmuls, exact, ch, max_elements);
    } else {
      int64_t k_dim = sa.empty() ? 1 : sa.back(), rows = sa.empty() ? 1 : numel_of(sa) / k_dim;
      s.weight = static_cast<int>(p.weights.size());
      p.weights.push_back({k_dim, 1 + ch.pick(static_cast<int>(std::clamp<int64_t>(max_elements / rows, 1, 8)))});
      out = {sa.empty() ? 1 : numel_of(sa) / k_dim, p.weights.back()[1]};
      exact = false;
    }
    p.steps.push_back(s);
    p.shapes.push_back(out);
    p.exact.push_back(exact);
  }
  p.outputs = {static_cast<int>(p.shapes.size()) - 1};
  if (ch.pick(3) == 0) p.outputs.push_back(inputs + ch.pick(static_cast<int>(p.steps.size())));
  return p;
}

std::string describe(const RandomProgram& p) {
  static const char* views[] = {"transpose", "slice", "permute", "expand", "unsqueeze", "flatten"};
  static const char* reductions[] = {"sum", "mean", "amax", "amin"};
  auto list = [](const std::vector<int64_t>& v) {
    std::string s;
    for (auto x : v) s += (s.empty() ? "" : ", ") + std::to_string(x);
    return s;
  };
  std::ostringstream os;
  os << "dtype " << p.dtype << "\n";
  for (size_t i = 0; i < p.inputs.size(); ++i) os << "v" << i << " = input " << shape_str(p.inputs[i]) << "\n";
  bool is_float = is_floating(p.dtype);
  for (size_t k = 0; k < p.steps.size(); ++k) {
    const auto& s = p.steps[k];
    size_t v = p.inputs.size() + k;
    os << "v" << v << " = ";
    switch (s.kind) {
      case ProgramStep::Pointwise:
        os << ops_for(is_float)[s.op].name << "(v" << s.a << ", v" << s.b << ", " << s.c << ")";
        break;
      case ProgramStep::View: os << views[s.op] << "(v" << s.a << (s.args.empty() ? "" : ", ") << list(s.args) << ")"; break;
      case ProgramStep::Reduce:
        os << reductions[s.op] << "(v" << s.a << ", dims [" << list(s.args) << "], keepdim " << s.keepdim << ")";
        break;
      case ProgramStep::Matmul: os << "mm(v" << s.a << " as rows, weight" << s.weight << " " << shape_str(p.weights[s.weight]) << ")"; break;
      case ProgramStep::Layer:
        os << kLayerNames[s.op] << "(v" << s.a;
        if (s.op == Cat) os << ", v" << s.b;
        if (s.weight >= 0) os << ", weight" << s.weight << " " << shape_str(p.weights[s.weight]);
        os << (s.args.empty() ? "" : ", ") << list(s.args) << ")";
        break;
    }
    os << "  " << shape_str(p.shapes[v]) << (p.exact[v] ? "" : " (tolerance)") << "\n";
  }
  os << "outputs:";
  for (int o : p.outputs) os << " v" << o;
  return os.str() + "\n";
}

std::vector<Tensor> program_inputs(const RandomProgram& p, Device device, uint64_t seed) {
  manual_seed(seed);
  std::vector<Tensor> in;
  auto o = TensorOptions().device(device);
  for (const auto& s : p.inputs)
    in.push_back(is_floating(p.dtype) ? (randn(s, o) * 3).to(p.dtype) : randint(-5, 6, s, o).to(p.dtype));
  for (const auto& s : p.weights) in.push_back((randn(s, o) * 0.5).to(p.dtype));
  return in;
}

int pointwise_op_count(bool is_float) { return static_cast<int>(ops_for(is_float).size()); }

// Applies a pointwise step to values: the op on operands shaped by its columns. Domain: log's,
// sqrt's and pow's base are made positive, divisors kept away from 0, pow's exponent small;
// math-library functions read values clamped to [-10, 10] (exp stays finite). Rules: Where's
// condition and masked_fill's mask are comparisons, masked_fill's value a number and its input
// broadcast to the mask's shape, Cast goes to a narrower float and back; bool results are cast
// back to the program's dtype. One in four binary ops takes a number.
Tensor apply_pointwise(const ProgramStep& s, const std::vector<Tensor>& v, bool is_float) {
  const TableOp& op = ops_for(is_float)[s.op];
  Tensor a = v[s.a];
  Tensor b = v[s.b];
  ScalarType dt = a.dtype();
  Scalar c = is_float ? Scalar(s.c) : Scalar(static_cast<int64_t>(s.c));
  if (op.rule == DtypeRule::Cast)
    return call1(OpId::Cast, {a}, Attrs().set("dtype", dt == kFloat64 ? kFloat32 : kFloat16)).to(dt) * 2;
  std::vector<Tensor> in;
  if (op.rule == DtypeRule::Where) {
    in = {a > b, a, b * c};
  } else if (op.rule == DtypeRule::First) {
    in = {a + b * 0, b < c, scalar_operand(is_float ? 1.5 : 2.0)};
  } else {
    in = {a, b, a + c};
    in.resize(static_cast<size_t>(op.arity));
    if (op.arity == 2 && !pointwise_reads_b(s, op)) in[1] = scalar_operand(c);
    switch (op.domain) {
      case Domain::Positive: in[0] = in[0].abs() + 1; break;
      case Domain::NonZero: in.back() = in.back().abs() + 0.5; break;
      case Domain::Unit: in[0] = in[0].clamp(-0.9, 0.9); break;
      case Domain::Power:
        in[0] = is_float ? in[0].abs() + 0.5 : in[0];
        in[1] = is_float ? in[1].clamp(-2, 2) : in[1].abs().clamp_max(3);
        break;
      default: break;
    }
    if (op.numerics == Numerics::Libm && is_float)
      for (auto& t : in) t = t.clamp(-10, 10);
  }
  Tensor r = call1(op.id, in);
  return r.dtype() == dt ? r : r.to(dt);
}

namespace {

Tensor apply_view(const ProgramStep& s, const Tensor& a) {
  const auto& g = s.args;
  switch (s.op) {
    case Transpose: return a.transpose(g[0], g[1]);
    case Slice: return a.slice(g[0], g[1], g[2], g[3]);
    case Permute: return a.permute(IntList(g.begin(), g.end()));
    case Expand: {
      if (g[0] < 0) {
        Shape to = a.sizes();
        to.insert(to.begin(), g[1]);
        return a.unsqueeze(0).expand(to);
      }
      Shape to = a.sizes();
      to[g[0]] = g[1];
      return a.expand(to);
    }
    case Unsqueeze: return a.unsqueeze(g[0]);
    default: return a.flatten();
  }
}

Tensor apply_reduction(const ProgramStep& s, const Tensor& a) {
  IntList dims(s.args.begin(), s.args.end());
  bool all = static_cast<int64_t>(dims.size()) == a.dim() && !s.keepdim;
  switch (s.op) {
    case 0: return all ? a.sum() : a.sum(dims, s.keepdim);
    case 1: return all ? a.mean() : a.mean(dims, s.keepdim);
    case 2: return all ? a.amax() : a.amax(dims, s.keepdim);
    default: return all ? a.amin() : a.amin(dims, s.keepdim);
  }
}

// Results of another dtype (cumsum of int32 is int64, as in libtorch) are cast back.
Tensor apply_layer(const ProgramStep& s, const std::vector<Tensor>& v, const std::vector<Tensor>& args,
                   const RandomProgram& p) {
  const Tensor& a = v[s.a];
  const auto& g = s.args;
  Tensor r;
  switch (s.op) {
    case Softmax: r = softmax(a, g[0]); break;
    case LogSoftmax: r = log_softmax(a, g[0]); break;
    case LayerNorm: r = layer_norm(a, {a.size(-1)}); break;
    case RmsNorm: r = rms_norm(a, {a.size(-1)}); break;
    case Cat: r = cat({a, v[s.b]}, g[0]); break;
    case IndexSelect: {
      std::vector<int64_t> index(g.begin() + 1, g.end());
      r = a.index_select(g[0], tensor(index, TensorOptions().dtype(kInt64).device(a.device())));
      break;
    }
    case Cumsum: r = a.cumsum(g[0]); break;
    case Conv1d: {
      const Tensor& w = args[p.inputs.size() + s.weight];
      r = conv1d(a.reshape({1, w.size(1), a.size(-1)}), w, {}, 1, g[0]);
      break;
    }
    default: r = scaled_dot_product_attention(a, a, a, std::nullopt, 0.0, g[0] != 0); break;
  }
  return r.dtype() == a.dtype() ? r : r.to(a.dtype());
}

double finite_max_abs(const Tensor& t) {
  Tensor f = t.detach().to(Device(kCPU)).to(kFloat64);
  f = f.masked_fill(f.isfinite().logical_not(), 0.0);
  return f.numel() == 0 ? 0.0 : f.abs().amax().item<double>();
}

}  // namespace

std::vector<Tensor> run_program(const RandomProgram& p, const std::vector<Tensor>& args, double* max_abs) {
  std::vector<Tensor> v(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(p.inputs.size()));
  bool is_float = is_floating(p.dtype);
  for (const auto& s : p.steps) {
    switch (s.kind) {
      case ProgramStep::Pointwise: v.push_back(apply_pointwise(s, v, is_float)); break;
      case ProgramStep::View: v.push_back(apply_view(s, v[s.a])); break;
      case ProgramStep::Reduce: v.push_back(apply_reduction(s, v[s.a])); break;
      case ProgramStep::Matmul: {
        const Tensor& w = args[p.inputs.size() + s.weight];
        v.push_back(v[s.a].reshape({-1, w.size(0)}).mm(w));
        break;
      }
      case ProgramStep::Layer: v.push_back(apply_layer(s, v, args, p)); break;
    }
  }
  if (max_abs) {
    *max_abs = 0;
    for (const auto& t : v) *max_abs = std::max(*max_abs, finite_max_abs(t));
  }
  std::vector<Tensor> outs;
  for (int o : p.outputs) outs.push_back(v[o]);
  return outs;
}

double tolerance(ScalarType dtype) {
  switch (dtype) {
    case kFloat64: return 1e-10;
    case kFloat16: return 1e-2;
    case kBFloat16: return 8e-2;  // 8 significant bits: ~10 of its epsilons, as float16's
    default: return 5e-4;
  }
}

namespace {

std::string compare_close(const Tensor& got, const Tensor& want, double tol, double scale) {
  if (got.sizes() != want.sizes() || got.dtype() != want.dtype())
    return "shape/dtype " + shape_str(got.sizes()) + " vs " + shape_str(want.sizes());
  Tensor g = got.detach().to(Device(kCPU)).to(kFloat64).contiguous().flatten();
  Tensor w = want.detach().to(Device(kCPU)).to(kFloat64).contiguous().flatten();
  const double* x = g.data_ptr<double>();
  const double* y = w.data_ptr<double>();
  for (int64_t i = 0; i < g.numel(); ++i) {
    if ((std::isnan(x[i]) && std::isnan(y[i])) || x[i] == y[i]) continue;
    if (!(std::fabs(x[i] - y[i]) <= tol * std::max(scale, 1.0) + tol * std::fabs(y[i])))
      return "element " + std::to_string(i) + ": " + std::to_string(x[i]) + " vs " + std::to_string(y[i]);
  }
  return "";
}

}  // namespace

Verdict check_program(const RandomProgram& p, Device device, uint64_t seed, const std::string& bundle_dir) {
  Verdict verdict;
  std::vector<Tensor> args = program_inputs(p, device, seed);
  std::vector<Tensor> eager;
  double scale = 0;
  try {
    eager = run_program(p, args, &scale);
  } catch (const Error& e) {
    verdict.mismatch = std::string("eager run failed (a generator bug): ") + e.what();
    return verdict;
  }
  auto f = compile([&p](const std::vector<Tensor>& a) { return run_program(p, a); });
  std::vector<Tensor> compiled;
  try {
    compiled = f(args);
  } catch (const Error& e) {
    verdict.mismatch = std::string("compiling or running failed: ") + e.what();
    return verdict;
  }
  if (compiled.size() != eager.size()) {
    verdict.mismatch = "output count " + std::to_string(compiled.size()) + " vs " + std::to_string(eager.size());
    return verdict;
  }
  for (const auto& k : jit::forward_program(f).kernels()) {
    ++verdict.fused_kernels;
    verdict.fused_reductions += k->group().reduction >= 0;
  }
  for (size_t k = 0; k < eager.size() && verdict.mismatch.empty(); ++k) {
    bool exact = p.exact[p.outputs[k]];
    std::string why = exact ? bitwise_difference(compiled[k], eager[k])
                            : compare_close(compiled[k], eager[k], tolerance(p.dtype), scale);
    (exact ? verdict.bitwise_outputs : verdict.tolerance_outputs)++;
    if (!why.empty()) verdict.mismatch = "output " + std::to_string(k) + (exact ? " (bitwise): " : " (tolerance): ") + why;
  }
  if (!verdict.mismatch.empty() && !bundle_dir.empty()) {
    write_program_bundle(p, args, bundle_dir, "differential mismatch: " + verdict.mismatch);
    verdict.bundle = bundle_dir;
  }
  return verdict;
}

void write_program_bundle(const RandomProgram& p, const std::vector<Tensor>& args, const std::string& dir,
                          const std::string& reason) {
  auto f = compile([&p](const std::vector<Tensor>& a) { return run_program(p, a); });
  std::vector<Tensor> copies;
  for (const auto& a : args) copies.push_back(a.clone());
  f(copies);
  std::filesystem::create_directories(dir);
  const auto& program = jit::forward_program(f);
  jit::write_repro_bundle(dir, program.traced(), &args, program.options(), program.name(), reason);
}

std::vector<uint32_t> shrink_choices(std::vector<uint32_t> choices,
                                     const std::function<bool(const std::vector<uint32_t>&)>& fails, int budget) {
  auto attempt = [&](const std::vector<uint32_t>& candidate) {
    if (budget <= 0 || candidate == choices) return false;
    --budget;
    if (!fails(candidate)) return false;
    choices = candidate;
    return true;
  };
  for (bool progress = true; progress && budget > 0;) {
    progress = false;
    for (size_t at = 0; at < choices.size(); ++at)
      for (uint32_t lower : {0u, choices[at] / 2, choices[at] - 1}) {
        if (choices[at] == 0 || lower >= choices[at]) continue;
        std::vector<uint32_t> c = choices;
        c[at] = lower;
        if (attempt(c)) {
          progress = true;
          break;
        }
      }
    for (size_t run = 12; run >= 1; --run)  // a step takes 4 to 10 choices
      for (size_t at = 0; at + run <= choices.size();) {
        std::vector<uint32_t> c = choices;
        c.erase(c.begin() + static_cast<std::ptrdiff_t>(at), c.begin() + static_cast<std::ptrdiff_t>(at + run));
        if (attempt(c)) progress = true;
        else ++at;
      }
  }
  return choices;
}

}  // namespace ember::testing
