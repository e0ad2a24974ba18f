#pragma once
// Pooling windows as libtorch places them: one definition for the CPU loops
// (kernels/cpu/pool_cpu.cpp) and the CUDA kernels (kernels/cuda/pool.cu). Pools of 1 or 2
// spatial dims are seen as 3-d ones with leading unit dims (size 1, kernel 1, stride 1,
// padding 0, dilation 1), so indices come out flat within each plane either way.
#include "cast.h"

namespace ember {
namespace dev {

enum class PoolKind : int { Max, Avg, AdaptiveAvg, AdaptiveMax };

struct PoolArgs {
  PoolKind kind = PoolKind::Max;
  i64 planes = 0;  // N * C
  i64 in[3] = {1, 1, 1}, out[3] = {1, 1, 1};
  i64 k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, p[3] = {0, 0, 0}, d[3] = {1, 1, 1};
  bool count_include_pad = true;
  i64 divisor_override = 0;  // 0: none
  EMBER_HD i64 in_plane() const { return in[0] * in[1] * in[2]; }
  EMBER_HD i64 out_plane() const { return out[0] * out[1] * out[2]; }
};

// The input positions lo, lo + step, ... < hi that output position o reads along dim i.
struct Span {
  i64 lo, hi, step;
};

EMBER_HD i64 adaptive_start(i64 o, i64 in, i64 out) { return (o * in) / out; }
EMBER_HD i64 adaptive_end(i64 o, i64 in, i64 out) { return ((o + 1) * in + out - 1) / out; }

EMBER_HD Span pool_span(const PoolArgs& a, int i, i64 o) {
  if (a.kind == PoolKind::AdaptiveAvg || a.kind == PoolKind::AdaptiveMax)
    return Span{adaptive_start(o, a.in[i], a.out[i]), adaptive_end(o, a.in[i], a.out[i]), 1};
  i64 start = o * a.s[i] - a.p[i];
  if (a.kind == PoolKind::Avg) {
    i64 end = start + a.k[i];
    if (end > a.in[i] + a.p[i]) end = a.in[i] + a.p[i];
    if (start < 0) start = 0;
    if (end > a.in[i]) end = a.in[i];
    return Span{start, end, 1};
  }
  i64 lo = start;
  while (lo < 0) lo += a.d[i];
  i64 hi = start + (a.k[i] - 1) * a.d[i] + 1;
  if (hi > a.in[i]) hi = a.in[i];
  return Span{lo, hi, a.d[i]};
}

// The divisor of average output position (o0, o1, o2).
EMBER_HD i64 avg_divisor(const PoolArgs& a, const i64* o) {
  if (a.kind == PoolKind::Avg && a.divisor_override != 0) return a.divisor_override;
  i64 n = 1;
  for (int i = 0; i < 3; ++i) {
    if (a.kind == PoolKind::Avg && a.count_include_pad) {
      i64 start = o[i] * a.s[i] - a.p[i], end = start + a.k[i];
      if (end > a.in[i] + a.p[i]) end = a.in[i] + a.p[i];
      n *= end - start;
    } else {
      Span sp = pool_span(a, i, o[i]);
      n *= sp.hi - sp.lo;
    }
  }
  return n;
}

EMBER_HD void unflat3(i64 f, const i64* sizes, i64* o) {
  o[2] = f % sizes[2];
  f /= sizes[2];
  o[1] = f % sizes[1];
  o[0] = f / sizes[1];
}

// Output element `flat` (over planes * out_plane) of a pool; `index` gets the flat position
// of the maximum within its input plane for the max kinds. NaN wins (the last NaN's index),
// as in libtorch.
template <class S>
EMBER_HD void pool_forward_one(const PoolArgs& a, const S* in, i64 flat, S* out, i64* index) {
  typedef typename OpMath<S>::type T;
  i64 plane = flat / a.out_plane();
  i64 o[3];
  unflat3(flat % a.out_plane(), a.out, o);
  const S* x = in + plane * a.in_plane();
  Span sp[3];
  for (int i = 0; i < 3; ++i) sp[i] = pool_span(a, i, o[i]);
  bool is_max = a.kind == PoolKind::Max || a.kind == PoolKind::AdaptiveMax;
  if (is_max) {
    T best = convert<T>(-bits_float(0x7f800000u));
    i64 best_i = (sp[0].lo * a.in[1] + sp[1].lo) * a.in[2] + sp[2].lo;
    for (i64 z = sp[0].lo; z < sp[0].hi; z += sp[0].step)
      for (i64 y = sp[1].lo; y < sp[1].hi; y += sp[1].step)
        for (i64 w = sp[2].lo; w < sp[2].hi; w += sp[2].step) {
          i64 pos = (z * a.in[1] + y) * a.in[2] + w;
          T v = convert<T>(x[pos]);
          if (v > best || v != v) {
            best = v;
            best_i = pos;
          }
        }
    out[flat] = convert<S>(best);
    if (index) index[flat] = best_i;
    return;
  }
  if (sp[0].lo >= sp[0].hi || sp[1].lo >= sp[1].hi || sp[2].lo >= sp[2].hi) {
    out[flat] = convert<S>(T(0));
    return;
  }
  T sum = T(0);
  for (i64 z = sp[0].lo; z < sp[0].hi; ++z)
    for (i64 y = sp[1].lo; y < sp[1].hi; ++y)
      for (i64 w = sp[2].lo; w < sp[2].hi; ++w) sum = sum + convert<T>(x[(z * a.in[1] + y) * a.in[2] + w]);
  out[flat] = convert<S>(sum / T(avg_divisor(a, o)));
}

// The output positions whose window may hold input position `pos` along dim i: [lo, hi).
EMBER_HD void covering(const PoolArgs& a, int i, i64 pos, i64& lo, i64& hi) {
  if (a.kind == PoolKind::AdaptiveAvg) {
    lo = (pos * a.out[i]) / a.in[i];
    hi = ((pos + 1) * a.out[i] + a.in[i] - 1) / a.in[i];
  } else {
    i64 first = pos + a.p[i] - a.k[i] + 1;  // window start o*s - p > pos - k
    lo = first <= 0 ? 0 : (first + a.s[i] - 1) / a.s[i];
    hi = (pos + a.p[i]) / a.s[i] + 1;
  }
  if (hi > a.out[i]) hi = a.out[i];
}

// The gradient of input element `flat` (over planes * in_plane) of an average pool: the sum
// over the windows holding it of grad_out / divisor (a gather, so no atomics are needed).
template <class S>
EMBER_HD void avg_pool_backward_one(const PoolArgs& a, const S* grad_out, i64 flat, S* grad_in) {
  typedef typename OpMath<S>::type T;
  i64 plane = flat / a.in_plane();
  i64 q[3];
  unflat3(flat % a.in_plane(), a.in, q);
  const S* g = grad_out + plane * a.out_plane();
  i64 lo[3], hi[3];
  for (int i = 0; i < 3; ++i) covering(a, i, q[i], lo[i], hi[i]);
  T sum = T(0);
  i64 o[3];
  for (o[0] = lo[0]; o[0] < hi[0]; ++o[0])
    for (o[1] = lo[1]; o[1] < hi[1]; ++o[1])
      for (o[2] = lo[2]; o[2] < hi[2]; ++o[2]) {
        bool inside = true;
        for (int i = 0; i < 3; ++i) {
          Span sp = pool_span(a, i, o[i]);
          inside = inside && sp.lo <= q[i] && q[i] < sp.hi;
        }
        if (!inside) continue;
        sum = sum + convert<T>(g[(o[0] * a.out[1] + o[1]) * a.out[2] + o[2]]) / T(avg_divisor(a, o));
      }
  grad_in[flat] = convert<S>(sum);
}

}  // namespace dev
}  // namespace ember
