// einsum, baddbmm and multinomial (include/ember/sequence_ops.h): compositions of views,
// bmm, sums and the counter-based random ops, so they need no kernels, derivatives or tracing
// code of their own.
#include "ember/sequence_ops.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "ember/error.h"
#include "ember/functional.h"
#include "ember/grad_mode.h"

namespace ember {

// ----- einsum

namespace {

// Labels: 'A'-'Z' are 0-25, 'a'-'z' 26-51 (so sorting ids sorts as ASCII, the implicit output's
// order); ellipsis dims are 52 + k, aligned to the right across operands.
constexpr int kLetters = 52;

int letter_id(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return 26 + (c - 'a');
  return -1;
}

std::string label_name(int id) {
  if (id < 26) return std::string(1, static_cast<char>('A' + id));
  if (id < kLetters) return std::string(1, static_cast<char>('a' + id - 26));
  return "...";
}

// One operand's subscripts as parsed: letters, and where the ellipsis stands (-1: none).
struct Subscripts {
  std::vector<int> letters;
  int ellipsis_at = -1;
};

Subscripts parse_subscripts(std::string_view s, size_t base, const char* what, size_t operand) {
  Subscripts out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ' ') continue;
    if (c == '.') {
      EMBER_CHECK(out.ellipsis_at < 0, "einsum(): found '.' for ", what, operand,
                  " for which an ellipsis was already found");
      EMBER_CHECK(i + 2 < s.size() + 0 && s[i + 1] == '.' && s[i + 2] == '.', "einsum(): found '.' for ",
                  what, operand, " that is not part of any ellipsis");
      out.ellipsis_at = static_cast<int>(out.letters.size());
      i += 2;
      continue;
    }
    int id = letter_id(c);
    EMBER_CHECK(id >= 0, "einsum(): invalid subscript given at index ", base + i,
                " in the equation string, subscripts must be in [a-zA-Z]");
    out.letters.push_back(id);
  }
  return out;
}

// A tensor with one label per dim.
struct Labelled {
  Tensor t;
  std::vector<int> labels;
};

int64_t index_of(const std::vector<int>& v, int x) {
  auto it = std::find(v.begin(), v.end(), x);
  return it == v.end() ? -1 : it - v.begin();
}

bool contains(const std::vector<int>& v, int x) { return index_of(v, x) >= 0; }

// Sums the dims whose labels fail `keep`.
void sum_out(Labelled& a, const std::function<bool(int)>& keep) {
  std::vector<int64_t> dims;
  std::vector<int> labels;
  for (size_t d = 0; d < a.labels.size(); ++d) {
    if (keep(a.labels[d])) labels.push_back(a.labels[d]);
    else dims.push_back(static_cast<int64_t>(d));
  }
  if (dims.empty()) return;
  a.t = a.t.sum(dims);
  a.labels = labels;
}

// Takes the diagonal of every label repeated within one operand ("ii->i").
void take_diagonals(Labelled& a, size_t operand) {
  for (size_t d1 = 0; d1 < a.labels.size(); ++d1) {
    for (size_t d2 = d1 + 1; d2 < a.labels.size(); ++d2) {
      if (a.labels[d1] != a.labels[d2]) continue;
      int64_t n = a.t.sizes()[d1];
      EMBER_CHECK(a.t.sizes()[d2] == n, "einsum(): subscript ", label_name(a.labels[d1]),
                  " is repeated for operand ", operand, " but the sizes don't match, ", n,
                  " != ", a.t.sizes()[d2]);
      // Move d1, d2 last, flatten them and pick the elements k * (n + 1).
      std::vector<int64_t> perm;
      std::vector<int> labels;
      for (size_t k = 0; k < a.labels.size(); ++k)
        if (k != d1 && k != d2) {
          perm.push_back(static_cast<int64_t>(k));
          labels.push_back(a.labels[k]);
        }
      perm.push_back(static_cast<int64_t>(d1));
      perm.push_back(static_cast<int64_t>(d2));
      DimVector shape;
      Tensor moved = a.t.permute(perm);
      for (int64_t k = 0; k + 2 < moved.dim(); ++k) shape.push_back(moved.sizes()[k]);
      shape.push_back(n * n);
      Tensor idx = arange(0, std::max<int64_t>(n * n, 1), n + 1,
                          TensorOptions().dtype(kInt64).device(a.t.device()));
      a.t = moved.reshape(shape).index_select(-1, idx);
      labels.push_back(a.labels[d1]);
      a.labels = labels;
      take_diagonals(a, operand);  // the rest, on the new layout
      return;
    }
  }
}

// Contracts two labelled tensors with bmm: labels in both and in `keep` are batch dims, labels
// in both and not kept are summed, the others stay.
Labelled contract(Labelled a, Labelled b, const std::vector<int>& keep) {
  auto kept = [&](int l) { return contains(keep, l); };
  sum_out(a, [&](int l) { return kept(l) || contains(b.labels, l); });
  sum_out(b, [&](int l) { return kept(l) || contains(a.labels, l); });
  std::vector<int> batch, left, right, summed;
  for (int l : a.labels) {
    if (contains(b.labels, l)) (kept(l) ? batch : summed).push_back(l);
    else left.push_back(l);
  }
  for (int l : b.labels)
    if (!contains(a.labels, l)) right.push_back(l);
  // Sizes: a label of size 1 on one side broadcasts to the other's size.
  auto size_in = [](const Labelled& x, int l) { return x.t.sizes()[index_of(x.labels, l)]; };
  auto expanded = [&](Labelled& x, const std::vector<int>& shared, const Labelled& other) {
    DimVector sizes = x.t.sizes();
    bool change = false;
    for (int l : shared) {
      int64_t s = size_in(x, l), o = size_in(other, l);
      if (s == 1 && o != 1) {
        sizes[index_of(x.labels, l)] = o;
        change = true;
      }
    }
    if (change) x.t = x.t.expand(sizes);
  };
  std::vector<int> shared = batch;
  shared.insert(shared.end(), summed.begin(), summed.end());
  expanded(a, shared, b);
  expanded(b, shared, a);

  auto permuted = [](const Labelled& x, const std::vector<std::vector<int>>& groups, DimVector& sizes3) {
    std::vector<int64_t> perm;
    sizes3.clear();
    for (const auto& g : groups) {
      int64_t n = 1;
      for (int l : g) {
        int64_t d = index_of(x.labels, l);
        perm.push_back(d);
        n *= x.t.sizes()[d];
      }
      sizes3.push_back(n);
    }
    return x.t.permute(perm).reshape(sizes3);
  };
  DimVector sa, sb;
  Tensor ta = permuted(a, {batch, left, summed}, sa);
  Tensor tb = permuted(b, {batch, summed, right}, sb);
  EMBER_CHECK(sa[2] == sb[1], "einsum(): operands do not broadcast: contracted size ", sa[2],
              " vs ", sb[1]);
  Tensor prod = ta.bmm(tb);
  DimVector out_shape;
  Labelled out;
  for (int l : batch) out_shape.push_back(size_in(a, l)), out.labels.push_back(l);
  for (int l : left) out_shape.push_back(size_in(a, l)), out.labels.push_back(l);
  for (int l : right) out_shape.push_back(size_in(b, l)), out.labels.push_back(l);
  out.t = prod.reshape(out_shape);
  return out;
}

}  // namespace

Tensor einsum(std::string_view equation, const std::vector<Tensor>& tensors) {
  EMBER_CHECK(!tensors.empty(), "einsum(): must provide at least one operand");
  size_t arrow = equation.find("->");
  std::string_view lhs = equation.substr(0, arrow);
  // Operands' subscripts.
  std::vector<Subscripts> subs;
  size_t start = 0;
  while (true) {
    size_t comma = lhs.find(',', start);
    std::string_view part = lhs.substr(start, comma == std::string_view::npos ? lhs.size() - start : comma - start);
    EMBER_CHECK(subs.size() < tensors.size(),
                "einsum(): more operands were provided than specified in the equation");
    subs.push_back(parse_subscripts(part, start, "operand ", subs.size()));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  EMBER_CHECK(subs.size() == tensors.size(),
              "einsum(): more operands were provided than specified in the equation");

  // Dims per operand, and the ellipsis rank.
  int64_t ell_rank = 0;
  for (size_t i = 0; i < subs.size(); ++i) {
    int64_t nl = static_cast<int64_t>(subs[i].letters.size()), nd = tensors[i].dim();
    EMBER_CHECK(tensors[i].defined(), "einsum(): operand ", i, " is undefined");
    if (subs[i].ellipsis_at < 0) {
      EMBER_CHECK(nl == nd, "einsum(): the number of subscripts in the equation (", nl,
                  ") does not match the number of dimensions (", nd, ") for operand ", i,
                  " and no ellipsis was given");
    } else {
      EMBER_CHECK(nl <= nd, "einsum(): the number of subscripts in the equation (", nl,
                  ") is more than the number of dimensions (", nd, ") for operand ", i);
      ell_rank = std::max(ell_rank, nd - nl);
    }
  }
  std::vector<Labelled> ops(tensors.size());
  std::array<int, kLetters> count{};
  for (size_t i = 0; i < subs.size(); ++i) {
    ops[i].t = tensors[i];
    const auto& s = subs[i];
    int64_t e = s.ellipsis_at < 0 ? 0 : tensors[i].dim() - static_cast<int64_t>(s.letters.size());
    for (size_t k = 0; k <= s.letters.size(); ++k) {
      if (static_cast<int>(k) == s.ellipsis_at)
        for (int64_t j = 0; j < e; ++j) ops[i].labels.push_back(kLetters + static_cast<int>(ell_rank - e + j));
      if (k < s.letters.size()) ops[i].labels.push_back(s.letters[k]);
    }
    std::vector<int> seen;
    for (int l : s.letters)
      if (!contains(seen, l)) seen.push_back(l), ++count[l];
  }

  // The output's labels.
  std::vector<int> output;
  if (arrow != std::string_view::npos) {
    std::string_view rhs = equation.substr(arrow + 2);
    Subscripts o = parse_subscripts(rhs, arrow + 2, "the output", 0);
    for (size_t k = 0; k <= o.letters.size(); ++k) {
      if (static_cast<int>(k) == o.ellipsis_at)
        for (int64_t j = 0; j < ell_rank; ++j) output.push_back(kLetters + static_cast<int>(j));
      if (k < o.letters.size()) {
        int l = o.letters[k];
        EMBER_CHECK(!contains(output, l), "einsum(): output subscript ", label_name(l),
                    " appears more than once in the output");
        EMBER_CHECK(count[l] > 0, "einsum(): output subscript ", label_name(l),
                    " does not appear in the equation for any input operand");
        output.push_back(l);
      }
    }
  } else {
    for (int64_t j = 0; j < ell_rank; ++j) output.push_back(kLetters + static_cast<int>(j));
    for (int l = 0; l < kLetters; ++l) {
      if (count[l] != 1) continue;
      // A label repeated inside its one operand is summed over its diagonal ("ii" is a trace).
      int in_op = 0;
      for (const auto& s : subs) in_op += static_cast<int>(std::count(s.letters.begin(), s.letters.end(), l));
      if (in_op == 1) output.push_back(l);
    }
  }

  // Diagonals, then the labels only one operand has and the output lacks.
  for (size_t i = 0; i < ops.size(); ++i) {
    take_diagonals(ops[i], i);
    sum_out(ops[i], [&](int l) {
      if (contains(output, l)) return true;
      for (size_t j = 0; j < ops.size(); ++j)
        if (j != i && contains(ops[j].labels, l)) return true;
      return false;
    });
  }
  Labelled acc = ops[0];
  for (size_t i = 1; i < ops.size(); ++i) {
    std::vector<int> keep = output;
    for (size_t j = i + 1; j < ops.size(); ++j) keep.insert(keep.end(), ops[j].labels.begin(), ops[j].labels.end());
    acc = contract(acc, ops[i], keep);
  }
  sum_out(acc, [&](int l) { return contains(output, l); });
  // Ellipsis dims the result lacks (no operand had them at that position) cannot occur; permute.
  std::vector<int64_t> perm;
  for (int l : output) {
    int64_t d = index_of(acc.labels, l);
    EMBER_CHECK(d >= 0, "einsum(): output subscript ", label_name(l),
                " does not appear in the equation for any input operand");
    perm.push_back(d);
  }
  if (perm.empty()) return acc.t;
  bool identity = true;
  for (size_t k = 0; k < perm.size(); ++k) identity = identity && perm[k] == static_cast<int64_t>(k);
  return identity ? acc.t : acc.t.permute(perm);
}

// ----- baddbmm

Tensor baddbmm(const Tensor& self, const Tensor& batch1, const Tensor& batch2, const Scalar& beta,
               const Scalar& alpha) {
  EMBER_CHECK(batch1.dim() == 3, "batch1 must be a 3D tensor");
  EMBER_CHECK(batch2.dim() == 3, "batch2 must be a 3D tensor");
  int64_t b = batch1.sizes()[0], n = batch1.sizes()[1], m = batch1.sizes()[2], p = batch2.sizes()[2];
  EMBER_CHECK(batch2.sizes()[0] == b && batch2.sizes()[1] == m,
              "Expected size for first two dimensions of batch2 tensor to be: [", b, ", ", m,
              "] but got: [", batch2.sizes()[0], ", ", batch2.sizes()[1], "].");
  Tensor prod = batch1.bmm(batch2);
  double a = alpha.to<double>(), bt = beta.to<double>();
  if (bt == 0) {
    (void)self.expand({b, n, p});  // self must still broadcast
    return a == 1 ? prod : prod * alpha;
  }
  Tensor s = self.expand({b, n, p});
  if (bt != 1) s = s * beta;
  return s.add(prod, alpha);
}

Tensor Tensor::baddbmm(const Tensor& batch1, const Tensor& batch2, const Scalar& beta,
                       const Scalar& alpha) const {
  return ember::baddbmm(*this, batch1, batch2, beta, alpha);
}

// ----- multinomial

namespace {

// Runs `draw` with `g`'s stream in place of the default generator's, then gives it back.
template <class F>
Tensor with_generator(std::optional<Generator*> g, F&& draw) {
  Generator& def = default_generator();
  if (!g || *g == nullptr || *g == &def) return draw();
  uint64_t seed = def.seed(), offset = def.offset();
  def.manual_seed((*g)->seed());
  def.set_offset((*g)->offset());
  Tensor out;
  try {
    out = draw();
  } catch (...) {
    (*g)->set_offset(def.offset());
    def.manual_seed(seed);
    def.set_offset(offset);
    throw;
  }
  (*g)->set_offset(def.offset());
  def.manual_seed(seed);
  def.set_offset(offset);
  return out;
}

// libtorch's checks of the weights, where they can be read without a device sync.
void check_weights(const Tensor& p, int64_t num_samples, bool replacement) {
  if (!p.is_cpu() || p.is_symbolic()) return;
  Tensor h = p.detach().to(kFloat64).contiguous();
  const double* v = h.data_ptr<double>();
  int64_t rows = h.dim() == 1 ? 1 : h.sizes()[0], cats = h.sizes()[h.dim() - 1];
  for (int64_t r = 0; r < rows; ++r) {
    double sum = 0;
    int64_t nonzero = 0;
    for (int64_t c = 0; c < cats; ++c) {
      double x = v[r * cats + c];
      EMBER_CHECK(std::isfinite(x) && x >= 0, "probability tensor contains either `inf`, `nan` or element < 0");
      sum += x;
      nonzero += x > 0;
    }
    EMBER_CHECK(sum > 0, "invalid multinomial distribution (sum of probabilities <= 0)");
    EMBER_CHECK(replacement || nonzero >= num_samples,
                "invalid multinomial distribution (with replacement=False, not enough non-negative "
                "category to sample)");
  }
}

}  // namespace

Tensor multinomial(const Tensor& self, int64_t num_samples, bool replacement,
                   std::optional<Generator*> generator) {
  EMBER_CHECK(self.is_floating_point(), "multinomial only supports floating-point dtypes for input, got: ",
              dtype_name(self.dtype()));
  EMBER_CHECK(self.dim() > 0 && self.dim() <= 2, "prob_dist must be 1 or 2 dim");
  EMBER_CHECK(num_samples > 0, "cannot sample n_sample <= 0 samples");
  int64_t cats = self.sizes()[self.dim() - 1];
  EMBER_CHECK(replacement || num_samples <= cats,
              "cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  check_weights(self, num_samples, replacement);
  NoGradGuard no_grad;
  Tensor p = (self.dim() == 1 ? self.unsqueeze(0) : self).detach().to(kFloat64);
  int64_t rows = p.sizes()[0];
  TensorOptions f64 = TensorOptions().dtype(kFloat64).device(self.device());
  Tensor out = with_generator(generator, [&] {
    if (replacement) {
      // Inverse CDF: the count of cdf entries below u in (0, 1]. The cdf is divided by its last
      // entry, which makes that entry exactly 1, so a zero-weight category is never drawn.
      Tensor cdf = p.cumsum(-1);
      cdf = cdf / cdf.narrow(-1, cats - 1, 1);
      Tensor u = 1.0 - rand({rows, num_samples}, f64);
      return cdf.unsqueeze(1).lt(u.unsqueeze(-1)).sum({-1}).to(kInt64);
    }
    // The exponential race: the num_samples smallest E / p (E ~ Exp(1)) are a draw without
    // replacement with probabilities proportional to p.
    Tensor e = -(1.0 - rand({rows, cats}, f64)).log();
    Tensor keys = where(p.gt(0), e / p, std::numeric_limits<double>::infinity());
    return std::get<1>(keys.topk(num_samples, -1, /*largest=*/false, /*sorted=*/true));
  });
  return self.dim() == 1 ? out.squeeze(0) : out;
}

Tensor Tensor::multinomial(int64_t num_samples, bool replacement,
                           std::optional<Generator*> generator) const {
  return ember::multinomial(*this, num_samples, replacement, generator);
}

}  // namespace ember
