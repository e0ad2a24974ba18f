// Convolution on the CPU: oneDNN's convolution forward / backward-data / backward-weights
// primitives over plain (row-major) layouts for float32, cached by geometry; everything
// else (float64, half types, a geometry oneDNN refuses) runs the loops of conv_loops.cpp.
#include <sstream>
#include <unordered_map>

#include "kernels/cpu/conv_geometry.h"
#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/dnnl_context.h"

namespace ember::cpu {

namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;
using dims = dnnl::memory::dims;

tag plain_tag(size_t ndims) {
  switch (ndims) {
    case 1: return tag::a;
    case 3: return tag::abc;
    case 4: return tag::abcd;
    case 5: return tag::abcde;
    default: return tag::abcdef;
  }
}

dnnl::memory::desc plain(const Shape& s) {
  dims d(s.begin(), s.end());
  return dnnl::memory::desc(d, dt::f32, plain_tag(d.size()));
}

// Weights [C_out, C_in/g, k...], or [g, C_out/g, C_in/g, k...] when grouped.
dnnl::memory::desc weights_desc(const ConvArgs& a) {
  if (a.groups == 1) return plain(a.w_sizes);
  Shape s;
  s.push_back(a.groups);
  s.push_back(a.w_sizes[0] / a.groups);
  for (size_t i = 1; i < a.w_sizes.size(); ++i) s.push_back(a.w_sizes[i]);
  return plain(s);
}

struct Geometry {
  dims strides, dilates, pad;
};

Geometry geometry(const ConvArgs& a) {
  Geometry g;
  for (int i = 0; i < a.spatial(); ++i) {
    g.strides.push_back(a.stride[i]);
    g.dilates.push_back(a.dilation[i] - 1);  // oneDNN counts the gaps
    g.pad.push_back(a.padding[i]);
  }
  return g;
}

std::string key_of(const char* what, const ConvArgs& a, bool bias) {
  std::ostringstream k;
  auto list = [&](const Shape& s) {
    for (int64_t v : s) k << v << ',';
    k << ';';
  };
  k << what << ':' << bias << ':' << a.groups << ':';
  list(a.in_sizes);
  list(a.w_sizes);
  list(a.out_sizes);
  list(a.stride);
  list(a.padding);
  list(a.dilation);
  return k.str();
}

dnnl::convolution_forward::primitive_desc forward_pd(const ConvArgs& a, bool bias) {
  Geometry g = geometry(a);
  auto alg = dnnl::algorithm::convolution_direct;
  auto prop = dnnl::prop_kind::forward_training;
  if (bias) {
    dnnl::convolution_forward::desc d(prop, alg, plain(a.in_sizes), weights_desc(a),
                                      plain(Shape{a.w_sizes[0]}), plain(a.out_sizes), g.strides,
                                      g.dilates, g.pad, g.pad);
    return dnnl::convolution_forward::primitive_desc(d, dnnl_engine());
  }
  dnnl::convolution_forward::desc d(prop, alg, plain(a.in_sizes), weights_desc(a),
                                    plain(a.out_sizes), g.strides, g.dilates, g.pad, g.pad);
  return dnnl::convolution_forward::primitive_desc(d, dnnl_engine());
}

dnnl::memory mem(const dnnl::memory::desc& d, const Tensor& t) {
  return dnnl::memory(d, dnnl_engine(), t.data_ptr());
}

void execute(dnnl::primitive& p, const std::unordered_map<int, dnnl::memory>& args) {
  p.execute(dnnl_stream(), args);
  dnnl_stream().wait();
}

bool use_dnnl(const ConvArgs& a) { return a.dtype == kFloat32; }

}  // namespace

void conv_forward(const ConvArgs& a, const Tensor& y, const Tensor& x, const Tensor& w,
                  const Tensor& bias) {
  if (use_dnnl(a)) {
    static PrimitiveCache<dnnl::convolution_forward> cache;
    bool has_bias = bias.defined();
    auto* p = cache.get(key_of("fwd", a, has_bias),
                        [&] { return dnnl::convolution_forward(forward_pd(a, has_bias)); });
    if (p) {
      std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, mem(plain(a.in_sizes), x)},
                                                 {DNNL_ARG_WEIGHTS, mem(weights_desc(a), w)},
                                                 {DNNL_ARG_DST, mem(plain(a.out_sizes), y)}};
      if (has_bias) args[DNNL_ARG_BIAS] = mem(plain(Shape{a.w_sizes[0]}), bias);
      execute(*p, args);
      return;
    }
  }
  conv_forward_loops(a, y, x, w, bias);
}

void conv_backward_input(const ConvArgs& a, const Tensor& grad_x, const Tensor& grad_y,
                         const Tensor& w) {
  if (use_dnnl(a)) {
    static PrimitiveCache<dnnl::convolution_backward_data> cache;
    auto* p = cache.get(key_of("bwd_data", a, false), [&] {
      Geometry g = geometry(a);
      dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, plain(a.in_sizes),
                                              weights_desc(a), plain(a.out_sizes), g.strides,
                                              g.dilates, g.pad, g.pad);
      return dnnl::convolution_backward_data(
          dnnl::convolution_backward_data::primitive_desc(d, dnnl_engine(), forward_pd(a, false)));
    });
    if (p) {
      execute(*p, {{DNNL_ARG_DIFF_DST, mem(plain(a.out_sizes), grad_y)},
                   {DNNL_ARG_WEIGHTS, mem(weights_desc(a), w)},
                   {DNNL_ARG_DIFF_SRC, mem(plain(a.in_sizes), grad_x)}});
      return;
    }
  }
  conv_backward_input_loops(a, grad_x, grad_y, w);
}

void conv_backward_weight(const ConvArgs& a, const Tensor& grad_w, const Tensor& grad_y,
                          const Tensor& x) {
  if (use_dnnl(a)) {
    static PrimitiveCache<dnnl::convolution_backward_weights> cache;
    auto* p = cache.get(key_of("bwd_weights", a, false), [&] {
      Geometry g = geometry(a);
      dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct,
                                                 plain(a.in_sizes), weights_desc(a),
                                                 plain(a.out_sizes), g.strides, g.dilates, g.pad,
                                                 g.pad);
      return dnnl::convolution_backward_weights(dnnl::convolution_backward_weights::primitive_desc(
          d, dnnl_engine(), forward_pd(a, false)));
    });
    if (p) {
      execute(*p, {{DNNL_ARG_DIFF_DST, mem(plain(a.out_sizes), grad_y)},
                   {DNNL_ARG_SRC, mem(plain(a.in_sizes), x)},
                   {DNNL_ARG_DIFF_WEIGHTS, mem(weights_desc(a), grad_w)}});
      return;
    }
  }
  conv_backward_weight_loops(a, grad_w, grad_y, x);
}

}  // namespace ember::cpu
