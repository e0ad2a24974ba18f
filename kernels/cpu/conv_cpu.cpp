// Convolution on the CPU: oneDNN's convolution forward / backward-data / backward-weights
// primitives for float32 in the layouts they choose (plain tensors reordered in and out),
// cached by geometry; everything
// else (float64, half types, a geometry oneDNN refuses) runs the loops of conv_loops.cpp.
#include <sstream>
#include <unordered_map>

#include "kernels/cpu/conv_geometry.h"
#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/dnnl_context.h"
#include "kernels/tensor_alloc.h"

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

// The same dims in the layout oneDNN prefers: its direct (blocked) kernels are about twice as
// fast as the im2col + gemm it must use over plain layouts.
dnnl::memory::desc any_layout(const dnnl::memory::desc& d) {
  return dnnl::memory::desc(d.dims(), dt::f32, tag::any);
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
  auto src = any_layout(plain(a.in_sizes)), w = any_layout(weights_desc(a)), dst = any_layout(plain(a.out_sizes));
  if (bias) {
    dnnl::convolution_forward::desc d(prop, alg, src, w, plain(Shape{a.w_sizes[0]}), dst, g.strides, g.dilates,
                                      g.pad, g.pad);
    return dnnl::convolution_forward::primitive_desc(d, cached_primitive_attr(), dnnl_engine());
  }
  dnnl::convolution_forward::desc d(prop, alg, src, w, dst, g.strides, g.dilates, g.pad, g.pad);
  return dnnl::convolution_forward::primitive_desc(d, cached_primitive_attr(), dnnl_engine());
}

// A primitive and the layout it chose for each tensor argument.
struct Chosen {
  dnnl::primitive prim;
  std::unordered_map<int, dnnl::memory::desc> layouts;
};

struct Arg {
  int id;
  const Tensor& t;
  dnnl::memory::desc plain;
  bool output;
};

// Runs `c` on plain tensors: each argument in another layout goes through a reorder into (or,
// for outputs, out of) a buffer from ember's CPU allocator.
void run(Chosen& c, const std::vector<Arg>& args) {
  auto& eng = dnnl_engine();
  auto& stream = dnnl_stream();
  std::unordered_map<int, dnnl::memory> bound;
  std::vector<std::pair<dnnl::memory, dnnl::memory>> write_back;
  std::vector<Tensor> buffers;
  for (const Arg& a : args) {
    dnnl::memory user(a.plain, eng, a.t.data_ptr());
    auto it = c.layouts.find(a.id);
    if (it == c.layouts.end() || it->second == a.plain) {
      bound[a.id] = user;
      continue;
    }
    buffers.push_back(empty_tensor({static_cast<int64_t>(it->second.get_size())}, kUInt8, Device(kCPU)));
    dnnl::memory inner(it->second, eng, buffers.back().data_ptr());
    if (a.output) write_back.emplace_back(inner, user);
    else dnnl::reorder(user, inner).execute(stream, user, inner);
    bound[a.id] = inner;
  }
  execute_primitive(c.prim, bound);
  // Reorders made here run in this thread only: oneDNN's own scratchpad is safe for them.
  for (auto& [from, to] : write_back) dnnl::reorder(from, to).execute(stream, from, to);
  stream.wait();
}

bool use_dnnl(const ConvArgs& a) { return a.dtype == kFloat32; }

}  // namespace

void conv_forward(const ConvArgs& a, const Tensor& y, const Tensor& x, const Tensor& w,
                  const Tensor& bias) {
  if (use_dnnl(a)) {
    static PrimitiveCache<Chosen> cache;
    bool has_bias = bias.defined();
    auto* p = cache.get(key_of("fwd", a, has_bias), [&] {
      auto pd = forward_pd(a, has_bias);
      return Chosen{dnnl::convolution_forward(pd),
                    {{DNNL_ARG_SRC, pd.src_desc()}, {DNNL_ARG_WEIGHTS, pd.weights_desc()}, {DNNL_ARG_DST, pd.dst_desc()}}};
    });
    if (p) {
      std::vector<Arg> args{{DNNL_ARG_SRC, x, plain(a.in_sizes), false},
                            {DNNL_ARG_WEIGHTS, w, weights_desc(a), false},
                            {DNNL_ARG_DST, y, plain(a.out_sizes), true}};
      if (has_bias) args.push_back({DNNL_ARG_BIAS, bias, plain(Shape{a.w_sizes[0]}), false});
      run(*p, args);
      return;
    }
  }
  conv_forward_loops(a, y, x, w, bias);
}

void conv_backward_input(const ConvArgs& a, const Tensor& grad_x, const Tensor& grad_y,
                         const Tensor& w) {
  if (use_dnnl(a)) {
    static PrimitiveCache<Chosen> cache;
    auto* p = cache.get(key_of("bwd_data", a, false), [&] {
      Geometry g = geometry(a);
      dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, any_layout(plain(a.in_sizes)),
                                              any_layout(weights_desc(a)), any_layout(plain(a.out_sizes)),
                                              g.strides, g.dilates, g.pad, g.pad);
      dnnl::convolution_backward_data::primitive_desc pd(d, cached_primitive_attr(), dnnl_engine(), forward_pd(a, false));
      return Chosen{dnnl::convolution_backward_data(pd),
                    {{DNNL_ARG_DIFF_DST, pd.diff_dst_desc()},
                     {DNNL_ARG_WEIGHTS, pd.weights_desc()},
                     {DNNL_ARG_DIFF_SRC, pd.diff_src_desc()}}};
    });
    if (p) {
      run(*p, {{DNNL_ARG_DIFF_DST, grad_y, plain(a.out_sizes), false},
               {DNNL_ARG_WEIGHTS, w, weights_desc(a), false},
               {DNNL_ARG_DIFF_SRC, grad_x, plain(a.in_sizes), true}});
      return;
    }
  }
  conv_backward_input_loops(a, grad_x, grad_y, w);
}

void conv_backward_weight(const ConvArgs& a, const Tensor& grad_w, const Tensor& grad_y,
                          const Tensor& x) {
  if (use_dnnl(a)) {
    static PrimitiveCache<Chosen> cache;
    auto* p = cache.get(key_of("bwd_weights", a, false), [&] {
      Geometry g = geometry(a);
      dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, any_layout(plain(a.in_sizes)),
                                                 any_layout(weights_desc(a)), any_layout(plain(a.out_sizes)),
                                                 g.strides, g.dilates, g.pad, g.pad);
      dnnl::convolution_backward_weights::primitive_desc pd(d, cached_primitive_attr(), dnnl_engine(),
                                                            forward_pd(a, false));
      return Chosen{dnnl::convolution_backward_weights(pd),
                    {{DNNL_ARG_DIFF_DST, pd.diff_dst_desc()},
                     {DNNL_ARG_SRC, pd.src_desc()},
                     {DNNL_ARG_DIFF_WEIGHTS, pd.diff_weights_desc()}}};
    });
    if (p) {
      run(*p, {{DNNL_ARG_DIFF_DST, grad_y, plain(a.out_sizes), false},
               {DNNL_ARG_SRC, x, plain(a.in_sizes), false},
               {DNNL_ARG_DIFF_WEIGHTS, grad_w, weights_desc(a), true}});
      return;
    }
  }
  conv_backward_weight_loops(a, grad_w, grad_y, x);
}

}  // namespace ember::cpu
