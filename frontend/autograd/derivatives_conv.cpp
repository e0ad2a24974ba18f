// Derivatives of convolution and pooling, written with the conv / pool ops themselves so
// that a traced backward runs the same kernels and double backward works:
//   Convolution(x, w, b):       gx = ConvBackwardInput(g, w), gw = ConvBackwardWeight(g, x),
//                               gb = g summed over all dims but 1
//   ConvBackwardInput(gy, w):   (linear in each) g_gy = Convolution(g, w), g_w = ConvBackwardWeight(gy, g)
//   ConvBackwardWeight(gy, x):  g_gy = Convolution(x, g), g_x = ConvBackwardInput(gy, g)
//   MaxPool / AdaptiveMaxPool:  scatter_add of g at the saved indices, per plane
//   AvgPool / AdaptiveAvgPool:  the *Backward op; each *Backward op's derivative is the pool.
#include "frontend/autograd/derivatives.h"
#include "frontend/dispatch.h"
#include "ember/functional.h"

namespace ember::autograd {

namespace {

using G = std::vector<Tensor>;

Attrs with(const Attrs& a, const char* key, const Shape& v) {
  Attrs r;
  for (auto& kv : a.items())
    if (kv.first != "input_size" && kv.first != "weight_size") r.set(kv.first, kv.second);
  r.set(key, v);
  return r;
}

Attrs without_sizes(const Attrs& a) {
  Attrs r;
  for (auto& kv : a.items())
    if (kv.first != "input_size" && kv.first != "weight_size") r.set(kv.first, kv.second);
  return r;
}

Tensor conv(const Tensor& x, const Tensor& w, const Attrs& a) {
  return call1(OpId::Convolution, {x, w}, without_sizes(a));
}
Tensor conv_input(const Tensor& gy, const Tensor& w, const Shape& x_size, const Attrs& a) {
  return call1(OpId::ConvBackwardInput, {gy, w}, with(a, "input_size", x_size));
}
Tensor conv_weight(const Tensor& gy, const Tensor& x, const Shape& w_size, const Attrs& a) {
  return call1(OpId::ConvBackwardWeight, {gy, x}, with(a, "weight_size", w_size));
}

// The gradient of a max pool's input: g scattered (added) to the saved flat indices.
Tensor max_pool_grad(const Tensor& g, const Tensor& indices, const TensorMeta& in, int64_t nsp) {
  Shape is = in.sizes;
  int64_t lead = static_cast<int64_t>(is.size()) - nsp;
  int64_t planes = 1, plane = 1;
  for (int64_t i = 0; i < lead; ++i) planes *= is[i];
  for (size_t i = static_cast<size_t>(lead); i < is.size(); ++i) plane *= is[i];
  Tensor z = zeros({planes, plane}, TensorOptions().dtype(g.dtype()).device(g.device()));
  return z.scatter_add(1, indices.reshape({planes, -1}), g.reshape({planes, -1})).view(is);
}

int64_t spatial(const Attrs& a) {
  return static_cast<int64_t>((a.has("kernel_size") ? a.ints("kernel_size") : a.ints("output_size")).size());
}

Attrs pool_backward_attrs(const Attrs& a, const Shape& input_size) {
  Attrs r = a;
  r.set("input_size", input_size);
  return r;
}

Attrs pool_attrs(const Attrs& a) {
  Attrs r;
  for (auto& kv : a.items())
    if (kv.first != "input_size") r.set(kv.first, kv.second);
  return r;
}

}  // namespace

void register_conv_derivatives() {
  auto reg = [](OpId op, GradFormula f, uint32_t saves_in = 0, bool saves_out = false) {
    register_derivative(op, Derivative{f, saves_in, saves_out});
  };
  reg(OpId::Convolution, [](const GradContext& c, const G& g) -> G {
    G r(c.in.size());
    if (c.need(0)) r[0] = conv_input(g[0], c.in[1], c.in_meta[0].sizes, c.attrs);
    if (c.need(1)) r[1] = conv_weight(g[0], c.in[0], c.in_meta[1].sizes, c.attrs);
    if (c.in.size() > 2 && c.need(2)) {
      std::vector<int64_t> dims{0};
      for (int64_t d = 2; d < g[0].dim(); ++d) dims.push_back(d);
      r[2] = g[0].sum(dims);
    }
    return r;
  }, kIn0 | kIn1);
  reg(OpId::ConvBackwardInput, [](const GradContext& c, const G& g) -> G {
    G r(2);
    if (c.need(0)) {
      Tensor y = conv(g[0], c.in[1], c.attrs);
      // An output_padding of at least the stride gives outputs no grad_y element reached.
      const Shape& gs = c.in_meta[0].sizes;
      for (int64_t d = 2; d < y.dim(); ++d)
        if (y.size(d) != gs[static_cast<size_t>(d)]) y = y.narrow(d, 0, gs[static_cast<size_t>(d)]);
      r[0] = y;
    }
    if (c.need(1)) r[1] = conv_weight(c.in[0], g[0], c.in_meta[1].sizes, c.attrs);
    return r;
  }, kIn0 | kIn1);
  reg(OpId::ConvBackwardWeight, [](const GradContext& c, const G& g) -> G {
    G r(2);
    if (c.need(0)) {
      Tensor y = conv(c.in[1], g[0], c.attrs);
      const Shape& gs = c.in_meta[0].sizes;
      for (int64_t d = 2; d < y.dim(); ++d)
        if (y.size(d) != gs[static_cast<size_t>(d)]) y = y.narrow(d, 0, gs[static_cast<size_t>(d)]);
      r[0] = y;
    }
    if (c.need(1)) r[1] = conv_input(c.in[0], g[0], c.in_meta[1].sizes, c.attrs);
    return r;
  }, kIn0 | kIn1);
  reg(OpId::MaxPool, [](const GradContext& c, const G& g) -> G {
    return {max_pool_grad(g[0], c.out[1], c.in_meta[0], spatial(c.attrs))};
  }, 0, true);
  reg(OpId::AdaptiveMaxPool, [](const GradContext& c, const G& g) -> G {
    return {max_pool_grad(g[0], c.out[1], c.in_meta[0], spatial(c.attrs))};
  }, 0, true);
  reg(OpId::AvgPool, [](const GradContext& c, const G& g) -> G {
    return {call1(OpId::AvgPoolBackward, {g[0]}, pool_backward_attrs(c.attrs, c.in_meta[0].sizes))};
  });
  reg(OpId::AdaptiveAvgPool, [](const GradContext& c, const G& g) -> G {
    return {call1(OpId::AdaptiveAvgPoolBackward, {g[0]}, pool_backward_attrs(c.attrs, c.in_meta[0].sizes))};
  });
  reg(OpId::AvgPoolBackward, [](const GradContext& c, const G& g) -> G {
    return {call1(OpId::AvgPool, {g[0]}, pool_attrs(c.attrs))};
  });
  reg(OpId::AdaptiveAvgPoolBackward, [](const GradContext& c, const G& g) -> G {
    return {call1(OpId::AdaptiveAvgPool, {g[0]}, pool_attrs(c.attrs))};
  });
}

}  // namespace ember::autograd
