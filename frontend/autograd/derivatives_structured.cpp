// Derivatives of reductions, matrix products, views, cat and the gather/scatter family.
#include <algorithm>

#include "frontend/autograd/derivatives.h"
#include "frontend/dispatch.h"
#include "ember/functional.h"
#include "kernels/ops/reduction_ops.h"

namespace ember::autograd {

Tensor zeros_of(const TensorMeta& m) {
  return zeros(m.sizes, TensorOptions().dtype(m.dtype).device(m.device));
}

Tensor unsqueeze_reduced(const Tensor& g, const TensorMeta& input, const Attrs& a) {
  if (a.has("keepdim") && a.b("keepdim")) return g;
  Tensor r = g;
  // The forward's meta already checked the dims, so the op named in errors is moot.
  for (auto d : reduced_dims(OpId::Sum, static_cast<int64_t>(input.sizes.size()), a)) r = r.unsqueeze(d);
  return r;
}

namespace {

using G = std::vector<Tensor>;

// A matrix stored column by column (the transpose of a contiguous one, as nn::Linear's
// weight is when used as w.t()).
bool column_major(const Tensor& m) {
  return m.dim() == 2 && m.size(0) > 1 && m.size(1) > 1 && m.strides()[0] == 1 && m.strides()[1] == m.size(0);
}

// Gradients of a.mm(b), each computed in the layout of the operand it belongs to (as
// libtorch does): a column-major operand gets (b g^T)^T / (g^T a)^T, so its gradient is
// the transpose of a contiguous result and reaches a weight through w.t() already dense.
Tensor mm_grad_a(const Tensor& g, const Tensor& a, const Tensor& b) {
  return column_major(a) ? b.mm(g.t()).t() : g.mm(b.t());
}
Tensor mm_grad_b(const Tensor& g, const Tensor& a, const Tensor& b) {
  return column_major(b) ? g.t().mm(a).t() : a.t().mm(g);
}

IntList inverse_perm(const IntList& p, int64_t nd) {
  IntList inv(p.size());
  for (size_t i = 0; i < p.size(); ++i) inv[wrap_dim(p[i], nd, "permute")] = static_cast<int64_t>(i);
  return inv;
}

std::optional<int64_t> opt_end(const Attrs& a) { return a.i("end"); }

}  // namespace

void register_structured_derivatives() {
  auto reg = [](OpId op, GradFormula f, uint32_t saves_in = 0, bool saves_out = false) {
    register_derivative(op, Derivative{f, saves_in, saves_out});
  };
  // ----- reductions
  reg(OpId::Sum, [](const GradContext& c, const G& g) -> G {
    return {unsqueeze_reduced(g[0], c.in_meta[0], c.attrs).expand(c.in_meta[0].sizes)};
  });
  reg(OpId::Mean, [](const GradContext& c, const G& g) -> G {
    int64_t n = numel_of(c.in_meta[0].sizes) / std::max<int64_t>(1, g[0].numel());
    return {unsqueeze_reduced(g[0], c.in_meta[0], c.attrs).expand(c.in_meta[0].sizes) /
            static_cast<double>(n)};
  });
  reg(OpId::Prod, [](const GradContext& c, const G& g) -> G {
    // Exact with zeros: an element that is the only zero gets the product of the others.
    const Tensor& x = c.in[0];
    const Attrs& a = c.attrs;
    IntList dims = a.ints("dims");
    Tensor gk = unsqueeze_reduced(g[0], c.in_meta[0], a);
    Tensor outk = unsqueeze_reduced(c.out[0], c.in_meta[0], a);
    Tensor is_zero = x == 0;
    Tensor zeros_count = dims.empty() ? is_zero.sum() : is_zero.sum(dims, true);
    Tensor x_nz = x.masked_fill(is_zero, 1);
    Tensor prod_nz = dims.empty() ? x_nz.prod() : x_nz.prod(dims[0], true);
    Tensor normal = gk * outk / x_nz;
    Tensor lone_zero = where(zeros_count == 1, gk * prod_nz, 0.0);
    return {where(is_zero, lone_zero.expand(x.sizes()), where(zeros_count > 0, 0.0, normal))};
  }, kIn0, true);
  auto extremum = [](const GradContext& c, const G& g) -> G {
    const Tensor& x = c.in[0];
    Tensor outk = unsqueeze_reduced(c.out[0], c.in_meta[0], c.attrs);
    Tensor gk = unsqueeze_reduced(g[0], c.in_meta[0], c.attrs);
    Tensor hit = (x == outk).to(x.dtype());
    const IntList& dims = c.attrs.ints("dims");
    Tensor count = dims.empty() ? hit.sum() : hit.sum(dims, true);
    return {hit * gk / count};
  };
  reg(OpId::Amax, extremum, kIn0, true);
  reg(OpId::Amin, extremum, kIn0, true);
  auto select_by_index = [](const GradContext& c, const G& g) -> G {
    int64_t d = c.attrs.i("dim");
    Tensor gk = unsqueeze_reduced(g[0], c.in_meta[0], c.attrs);
    Tensor ik = unsqueeze_reduced(c.out[1], c.in_meta[0], c.attrs);
    if (c.in_meta[0].sizes.empty()) return {g[0]};
    return {zeros_of(c.in_meta[0]).scatter(d, ik, gk)};
  };
  reg(OpId::MaxDim, select_by_index, 0, true);
  reg(OpId::MinDim, select_by_index, 0, true);

  // ----- matrix products
  reg(OpId::Mm, [](const GradContext& c, const G& g) -> G {
    return {c.need(0) ? mm_grad_a(g[0], c.in[0], c.in[1]) : Tensor(),
            c.need(1) ? mm_grad_b(g[0], c.in[0], c.in[1]) : Tensor()};
  }, kIn0 | kIn1);
  reg(OpId::Bmm, [](const GradContext& c, const G& g) -> G {
    return {c.need(0) ? g[0].bmm(c.in[1].transpose(1, 2)) : Tensor(),
            c.need(1) ? c.in[0].transpose(1, 2).bmm(g[0]) : Tensor()};
  }, kIn0 | kIn1);
  reg(OpId::Addmm, [](const GradContext& c, const G& g) -> G {
    Scalar beta = c.attrs.has("beta") ? c.attrs.scalar("beta") : Scalar(1);
    Scalar alpha = c.attrs.has("alpha") ? c.attrs.scalar("alpha") : Scalar(1);
    auto scale = [](const Tensor& t, const Scalar& s) { return s == Scalar(1) ? t : t * s; };
    return {c.need(0) ? scale(g[0], beta) : Tensor(),
            c.need(1) ? scale(mm_grad_a(g[0], c.in[1], c.in[2]), alpha) : Tensor(),
            c.need(2) ? scale(mm_grad_b(g[0], c.in[1], c.in[2]), alpha) : Tensor()};
  }, kIn1 | kIn2);

  // ----- views
  reg(OpId::View, [](const GradContext& c, const G& g) -> G { return {g[0].reshape(c.in_meta[0].sizes)}; });
  reg(OpId::Expand, [](const GradContext& c, const G& g) -> G { return {g[0].sum_to_size(c.in_meta[0].sizes)}; });
  reg(OpId::Permute, [](const GradContext& c, const G& g) -> G {
    return {g[0].permute(inverse_perm(c.attrs.ints("dims"), g[0].dim()))};
  });
  reg(OpId::Slice, [](const GradContext& c, const G& g) -> G {
    const Attrs& a = c.attrs;
    return {slice_scatter(zeros_of(c.in_meta[0]), g[0], a.i("dim"), a.i("start"), opt_end(a), a.i("step"))};
  });
  reg(OpId::Select, [](const GradContext& c, const G& g) -> G {
    return {select_scatter(zeros_of(c.in_meta[0]), g[0], c.attrs.i("dim"), c.attrs.i("index"))};
  });
  reg(OpId::ToDevice, [](const GradContext& c, const G& g) -> G { return {g[0].to(c.in_meta[0].device)}; });

  // ----- cat and indexing
  reg(OpId::Cat, [](const GradContext& c, const G& g) -> G {
    int64_t d = wrap_dim(c.attrs.i("dim"), g[0].dim(), "cat");
    G out;
    int64_t offset = 0;
    for (size_t i = 0; i < c.in_meta.size(); ++i) {
      int64_t n = c.in_meta[i].sizes[d];
      out.push_back(c.need(i) ? g[0].narrow(d, offset, n) : Tensor());
      offset += n;
    }
    return out;
  });
  reg(OpId::IndexSelect, [](const GradContext& c, const G& g) -> G {
    int64_t d = c.attrs.i("dim");
    if (c.in_meta[0].sizes.empty()) return {g[0].reshape({}), Tensor()};
    return {zeros_of(c.in_meta[0]).index_add(d, c.in[1].to(kInt64).reshape({-1}), g[0]), Tensor()};
  }, kIn1);
  // sort: each value's gradient goes back to the position it came from.
  reg(OpId::Sort, [](const GradContext& c, const G& g) -> G {
    if (c.in_meta[0].sizes.empty()) return {g[0]};
    return {zeros_of(c.in_meta[0]).scatter(c.attrs.i("dim"), c.out[1], g[0])};
  }, 0, true);
  reg(OpId::Gather, [](const GradContext& c, const G& g) -> G {
    return {zeros_of(c.in_meta[0]).scatter_add(c.attrs.i("dim"), c.in[1], g[0]), Tensor()};
  }, kIn1);
  reg(OpId::Scatter, [](const GradContext& c, const G& g) -> G {
    int64_t d = c.attrs.i("dim");
    const Tensor& index = c.in[1];
    return {c.need(0) ? g[0].scatter(d, index, Scalar(0)) : Tensor(), Tensor(),
            c.need(2) && c.in_meta[2].sizes.size() > 0 ? g[0].gather(d, index) : Tensor()};
  }, kIn1);
  reg(OpId::ScatterAdd, [](const GradContext& c, const G& g) -> G {
    return {g[0], Tensor(), c.need(2) ? g[0].gather(c.attrs.i("dim"), c.in[1]) : Tensor()};
  }, kIn1);
  reg(OpId::IndexAdd, [](const GradContext& c, const G& g) -> G {
    return {g[0], Tensor(), c.need(2) ? g[0].index_select(c.attrs.i("dim"), c.in[1]) : Tensor()};
  }, kIn1);
  reg(OpId::MaskedSelect, [](const GradContext& c, const G& g) -> G {
    const Tensor& mask = c.in[1];
    Shape shape = broadcast_shapes(c.in_meta[0].sizes, mask.sizes(), "masked_select");
    Tensor z = zeros(shape, TensorOptions().dtype(g[0].dtype()).device(g[0].device()));
    return {z.masked_scatter(mask.expand(shape), g[0]), Tensor()};
  }, kIn1);
  reg(OpId::MaskedScatter, [](const GradContext& c, const G& g) -> G {
    const Tensor& mask = c.in[1];
    Tensor gs;
    if (c.need(2)) {
      Tensor picked = g[0].masked_select(mask);
      int64_t total = numel_of(c.in_meta[2].sizes);
      Tensor pad = zeros({total - picked.numel()}, TensorOptions().dtype(g[0].dtype()).device(g[0].device()));
      gs = cat({picked, pad}).view(c.in_meta[2].sizes);
    }
    return {c.need(0) ? g[0].masked_fill(mask, 0) : Tensor(), Tensor(), gs};
  }, kIn1);
  reg(OpId::SliceScatter, [](const GradContext& c, const G& g) -> G {
    const Attrs& a = c.attrs;
    Tensor region = g[0].slice(a.i("dim"), a.i("start"), opt_end(a), a.i("step"));
    return {c.need(0) ? slice_scatter(g[0], zeros_of(c.in_meta[1]), a.i("dim"), a.i("start"), opt_end(a), a.i("step")) : Tensor(),
            c.need(1) ? region : Tensor()};
  });
  reg(OpId::SelectScatter, [](const GradContext& c, const G& g) -> G {
    int64_t d = c.attrs.i("dim"), i = c.attrs.i("index");
    return {c.need(0) ? select_scatter(g[0], zeros_of(c.in_meta[1]), d, i) : Tensor(),
            c.need(1) ? g[0].select(d, i) : Tensor()};
  });
}

}  // namespace ember::autograd
