// Direct convolution loops on the CPU, for the dtypes (float64, float16, bfloat16) and
// geometries oneDNN does not take. Accumulates in double for float64, float otherwise.
// Each output element is written by one thread: forward over (n, c_out), backward-input
// as a gather over (n, c_in), backward-weight over (c_out, c_in / groups).
#include <vector>

#include "kernels/cpu/conv_geometry.h"
#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/parallel.h"
#include "kernels/device/cast.h"

namespace ember::cpu {

namespace {

template <class F>
void floating(ScalarType dt, const F& f) {
  switch (dt) {
    case kFloat32: return f(float{});
    case kFloat64: return f(double{});
    case kFloat16: return f(Half{});
    case kBFloat16: return f(BFloat16{});
    default: EMBER_FAIL("\"conv\" not implemented for '", dtype_name(dt), "'");
  }
}

// Visits every (kernel offset, input position) pair of output position o, skipping padding.
template <class F>
inline void for_each_tap(const ConvGeometry& g, const int64_t* o, const F& f) {
  for (int64_t k0 = 0; k0 < g.k[0]; ++k0) {
    int64_t i0 = o[0] * g.s[0] - g.p[0] + k0 * g.d[0];
    if (i0 < 0 || i0 >= g.in[0]) continue;
    for (int64_t k1 = 0; k1 < g.k[1]; ++k1) {
      int64_t i1 = o[1] * g.s[1] - g.p[1] + k1 * g.d[1];
      if (i1 < 0 || i1 >= g.in[1]) continue;
      for (int64_t k2 = 0; k2 < g.k[2]; ++k2) {
        int64_t i2 = o[2] * g.s[2] - g.p[2] + k2 * g.d[2];
        if (i2 < 0 || i2 >= g.in[2]) continue;
        f((k0 * g.k[1] + k1) * g.k[2] + k2, (i0 * g.in[1] + i1) * g.in[2] + i2);
      }
    }
  }
}

template <class F>
inline void for_each_out(const ConvGeometry& g, const F& f) {
  int64_t o[3];
  for (o[0] = 0; o[0] < g.out[0]; ++o[0])
    for (o[1] = 0; o[1] < g.out[1]; ++o[1])
      for (o[2] = 0; o[2] < g.out[2]; ++o[2]) f(o, (o[0] * g.out[1] + o[1]) * g.out[2] + o[2]);
}

int64_t grain(const ConvGeometry& g) {
  int64_t work = g.out_plane() * g.k_plane() * (g.cin / g.groups);
  return std::max<int64_t>(1, 65536 / std::max<int64_t>(1, work));
}

}  // namespace

void conv_forward_loops(const ConvArgs& a, const Tensor& y, const Tensor& x, const Tensor& w,
                        const Tensor& bias) {
  ConvGeometry g = conv_geometry(a);
  floating(a.dtype, [&](auto tag) {
    using S = decltype(tag);
    using T = std::conditional_t<std::is_same_v<S, double>, double, float>;
    const S* X = static_cast<const S*>(x.data_ptr());
    const S* W = static_cast<const S*>(w.data_ptr());
    const S* B = bias.defined() ? static_cast<const S*>(bias.data_ptr()) : nullptr;
    S* Y = static_cast<S*>(y.data_ptr());
    int64_t cin_g = g.cin / g.groups, cout_g = g.cout / g.groups;
    parallel_for(g.n * g.cout, grain(g), [&](int64_t b, int64_t e) {
      std::vector<T> acc(static_cast<size_t>(g.out_plane()));
      for (int64_t nc = b; nc < e; ++nc) {
        int64_t n = nc / g.cout, co = nc % g.cout, grp = co / cout_g;
        T b0 = B ? dev::convert<T>(B[co]) : T(0);
        std::fill(acc.begin(), acc.end(), b0);
        for (int64_t cl = 0; cl < cin_g; ++cl) {
          const S* xp = X + (n * g.cin + grp * cin_g + cl) * g.in_plane();
          const S* wp = W + (co * cin_g + cl) * g.k_plane();
          for_each_out(g, [&](const int64_t* o, int64_t of) {
            T s = 0;
            for_each_tap(g, o, [&](int64_t kf, int64_t xf) {
              s += dev::convert<T>(xp[xf]) * dev::convert<T>(wp[kf]);
            });
            acc[of] += s;
          });
        }
        S* yp = Y + nc * g.out_plane();
        for (int64_t i = 0; i < g.out_plane(); ++i) yp[i] = dev::convert<S>(acc[i]);
      }
    });
  });
}

void conv_backward_input_loops(const ConvArgs& a, const Tensor& grad_x, const Tensor& grad_y,
                               const Tensor& w) {
  ConvGeometry g = conv_geometry(a);
  floating(a.dtype, [&](auto tag) {
    using S = decltype(tag);
    using T = std::conditional_t<std::is_same_v<S, double>, double, float>;
    const S* GY = static_cast<const S*>(grad_y.data_ptr());
    const S* W = static_cast<const S*>(w.data_ptr());
    S* GX = static_cast<S*>(grad_x.data_ptr());
    int64_t cin_g = g.cin / g.groups, cout_g = g.cout / g.groups;
    parallel_for(g.n * g.cin, grain(g), [&](int64_t b, int64_t e) {
      std::vector<T> acc(static_cast<size_t>(g.in_plane()));
      for (int64_t nc = b; nc < e; ++nc) {
        int64_t n = nc / g.cin, ci = nc % g.cin, grp = ci / cin_g, cl = ci % cin_g;
        std::fill(acc.begin(), acc.end(), T(0));
        // Scattering over one (n, c_in) plane is private to this thread.
        for (int64_t j = 0; j < cout_g; ++j) {
          int64_t co = grp * cout_g + j;
          const S* gp = GY + (n * g.cout + co) * g.out_plane();
          const S* wp = W + (co * cin_g + cl) * g.k_plane();
          for_each_out(g, [&](const int64_t* o, int64_t of) {
            T gv = dev::convert<T>(gp[of]);
            for_each_tap(g, o, [&](int64_t kf, int64_t xf) { acc[xf] += gv * dev::convert<T>(wp[kf]); });
          });
        }
        S* xp = GX + nc * g.in_plane();
        for (int64_t i = 0; i < g.in_plane(); ++i) xp[i] = dev::convert<S>(acc[i]);
      }
    });
  });
}

void conv_backward_weight_loops(const ConvArgs& a, const Tensor& grad_w, const Tensor& grad_y,
                                const Tensor& x) {
  ConvGeometry g = conv_geometry(a);
  floating(a.dtype, [&](auto tag) {
    using S = decltype(tag);
    using T = std::conditional_t<std::is_same_v<S, double>, double, float>;
    const S* GY = static_cast<const S*>(grad_y.data_ptr());
    const S* X = static_cast<const S*>(x.data_ptr());
    S* GW = static_cast<S*>(grad_w.data_ptr());
    int64_t cin_g = g.cin / g.groups, cout_g = g.cout / g.groups;
    int64_t work = g.n * g.out_plane() * g.k_plane();
    parallel_for(g.cout * cin_g, std::max<int64_t>(1, 65536 / std::max<int64_t>(1, work)),
                 [&](int64_t b, int64_t e) {
      std::vector<T> acc(static_cast<size_t>(g.k_plane()));
      for (int64_t cc = b; cc < e; ++cc) {
        int64_t co = cc / cin_g, cl = cc % cin_g, grp = co / cout_g;
        std::fill(acc.begin(), acc.end(), T(0));
        for (int64_t n = 0; n < g.n; ++n) {
          const S* gp = GY + (n * g.cout + co) * g.out_plane();
          const S* xp = X + (n * g.cin + grp * cin_g + cl) * g.in_plane();
          for_each_out(g, [&](const int64_t* o, int64_t of) {
            T gv = dev::convert<T>(gp[of]);
            for_each_tap(g, o, [&](int64_t kf, int64_t xf) { acc[kf] += gv * dev::convert<T>(xp[xf]); });
          });
        }
        S* wp = GW + cc * g.k_plane();
        for (int64_t i = 0; i < g.k_plane(); ++i) wp[i] = dev::convert<S>(acc[i]);
      }
    });
  });
}

}  // namespace ember::cpu
