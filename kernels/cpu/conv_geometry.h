#pragma once
// A convolution's geometry with its spatial dims padded to 3 (leading unit dims), for the
// CPU loops (conv_loops.cpp).
#include "kernels/backend.h"

namespace ember::cpu {

struct ConvGeometry {
  int64_t n = 0, cin = 0, cout = 0, groups = 1;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1};
  int64_t s[3] = {1, 1, 1}, p[3] = {0, 0, 0}, d[3] = {1, 1, 1};
  int64_t in_plane() const { return in[0] * in[1] * in[2]; }
  int64_t out_plane() const { return out[0] * out[1] * out[2]; }
  int64_t k_plane() const { return k[0] * k[1] * k[2]; }
};

inline ConvGeometry conv_geometry(const ConvArgs& a) {
  ConvGeometry g;
  g.n = a.in_sizes[0];
  g.cin = a.in_sizes[1];
  g.cout = a.w_sizes[0];
  g.groups = a.groups;
  int sp = a.spatial(), off = 3 - sp;
  for (int i = 0; i < sp; ++i) {
    g.in[off + i] = a.in_sizes[2 + i];
    g.out[off + i] = a.out_sizes[2 + i];
    g.k[off + i] = a.w_sizes[2 + i];
    g.s[off + i] = a.stride[i];
    g.p[off + i] = a.padding[i];
    g.d[off + i] = a.dilation[i];
  }
  return g;
}

// The loop implementations: any floating dtype, any geometry (float64 always lands here).
void conv_forward_loops(const ConvArgs& a, const Tensor& y, const Tensor& x, const Tensor& w,
                        const Tensor& bias);
void conv_backward_input_loops(const ConvArgs& a, const Tensor& grad_x, const Tensor& grad_y,
                               const Tensor& w);
void conv_backward_weight_loops(const ConvArgs& a, const Tensor& grad_w, const Tensor& grad_y,
                                const Tensor& x);

}  // namespace ember::cpu
