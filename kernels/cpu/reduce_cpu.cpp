// Reductions on the CPU: one output element per task, or, when there are few outputs and
// many reduced elements, partial results per thread combined at the end. What each
// reduction computes (identity, combine, finalize, accumulation type: AccWidth::Wide) is
// kernels/device/reduce.h.
#include <cmath>
#include <limits>

#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/parallel.h"
#include "kernels/cpu/reduce_fold.h"
#include "kernels/op_registry.h"
#include "kernels/device/reduce.h"
#include "kernels/reduce_dispatch.h"
#include "runtime/dispatch.h"

namespace ember::cpu {

namespace {

// Visits the reduced elements reachable from `base` in [rb, re) of the reduced index space
// as runs along the innermost reduced dim: f(first element, length, element stride, index).
template <class S, class F>
void for_reduced_runs(const ReduceArgs& a, const S* base, int64_t rb, int64_t re, const F& f) {
  if (rb >= re) return;  // also an empty reduced space: no index to decompose
  int64_t nd = static_cast<int64_t>(a.red_sizes.size());
  if (nd == 0) {
    f(base, int64_t{1}, int64_t{1}, int64_t{0});
    return;
  }
  std::vector<int64_t> idx(nd);
  int64_t rem = rb;
  for (int64_t d = nd - 1; d >= 0; --d) {
    idx[d] = rem % a.red_sizes[d];
    rem /= a.red_sizes[d];
  }
  int64_t inner = a.red_sizes[nd - 1], inner_stride = a.red_in_strides[nd - 1];
  int64_t pos = rb;
  while (pos < re) {
    int64_t off = 0;
    for (int64_t d = 0; d < nd; ++d) off += idx[d] * a.red_in_strides[d];
    int64_t len = std::min(inner - idx[nd - 1], re - pos);
    f(base + off, len, inner_stride, pos);
    pos += len;
    idx[nd - 1] += len;
    for (int64_t d = nd - 1; d > 0 && idx[d] == a.red_sizes[d]; --d) {
      idx[d] = 0;
      ++idx[d - 1];
    }
  }
}

// The same, element by element: f(value, index).
template <class S, class F>
void for_reduced(const ReduceArgs& a, const S* base, int64_t rb, int64_t re, const F& f) {
  for_reduced_runs(a, base, rb, re, [&](const S* p, int64_t len, int64_t stride, int64_t pos) {
    for (int64_t i = 0; i < len; ++i) f(p[i * stride], pos + i);
  });
}

int64_t kept_offset(const Shape& sizes, const Shape& strides, int64_t o) {
  int64_t off = 0;
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    off += (o % sizes[d]) * strides[d];
    o /= sizes[d];
  }
  return off;
}

// Sum/Mean/Prod and Amax/Amin: a running accumulator per output element.
template <class S, class K>
void reduce_fold(const ReduceArgs& a) {
  using A = FoldAcc<K, S>;
  const S* in = reinterpret_cast<const S*>(a.in);
  auto finish = [&](A acc, int64_t o) {
    auto r = K::finalize(acc, a.red_numel);
    int64_t off = kept_offset(a.kept_sizes, a.kept_out_strides, o);
    EMBER_DISPATCH_ALL_TYPES(a.out_dtype, "reduce", [&] {
      reinterpret_cast<scalar_t*>(a.out)[off] = dev::convert<scalar_t>(r);
    });
  };
  // Folds [rb, re) of the reduced elements of one output into acc, run by run.
  auto fold_range = [&](A& acc, const S* base, int64_t rb, int64_t re) {
    for_reduced_runs(a, base, rb, re, [&](const S* p, int64_t len, int64_t stride, int64_t) {
      fold_run<K>(acc, p, len, stride);
    });
  };
  int threads = omp_get_max_threads();
  if (splits_each_output(a.out_numel, a.red_numel)) {
    for (int64_t o = 0; o < a.out_numel; ++o) {
      const S* base = in + kept_offset(a.kept_sizes, a.kept_in_strides, o);
      // A thread that gets no range leaves the identity, which combines as a no-op.
      std::vector<A> part(threads, K::template identity<A>());
      parallel_for(a.red_numel, kPointwiseGrain, [&](int64_t b, int64_t e) {
        A acc = K::template identity<A>();
        fold_range(acc, base, b, e);
        part[omp_get_thread_num()] = acc;
      });
      A acc = K::template identity<A>();
      for (int t = 0; t < threads; ++t) acc = K::combine(acc, part[t]);
      finish(acc, o);
    }
    return;
  }
  parallel_for(a.out_numel, std::max<int64_t>(1, kPointwiseGrain / std::max<int64_t>(1, a.red_numel)),
               [&](int64_t ob, int64_t oe) {
                 for (int64_t o = ob; o < oe; ++o) {
                   // An empty reduction reads nothing: its input may have no memory at all.
                   const S* base = a.red_numel ? in + kept_offset(a.kept_sizes, a.kept_in_strides, o) : in;
                   A acc = K::template identity<A>();
                   fold_range(acc, base, 0, a.red_numel);
                   finish(acc, o);
                 }
               });
}

// MaxDim/MinDim/ArgMax/ArgMin: value and first index of the extremum (NaN counts as one).
template <class S, class K>
void reduce_arg(const ReduceArgs& a) {
  using B = dev::red::AccOf<K, S, dev::red::AccWidth::Wide>;
  using C = decltype(B::v);
  const S* in = reinterpret_cast<const S*>(a.in);
  parallel_for(a.out_numel, std::max<int64_t>(1, kPointwiseGrain / std::max<int64_t>(1, a.red_numel)),
               [&](int64_t ob, int64_t oe) {
                 for (int64_t o = ob; o < oe; ++o) {
                   // An empty reduction reads nothing: its input may have no memory at all.
                   const S* base = a.red_numel ? in + kept_offset(a.kept_sizes, a.kept_in_strides, o) : in;
                   B best = K::template identity<B>();
                   for_reduced(a, base, 0, a.red_numel, [&](S sv, int64_t i) {
                     best = K::combine(best, B{dev::convert<C>(sv), i});
                   });
                   int64_t off = kept_offset(a.kept_sizes, a.kept_out_strides, o);
                   if constexpr (K::writes_values) {
                     reinterpret_cast<S*>(a.out)[off] = dev::convert<S>(best.v);
                     a.indices[off] = best.i;
                   } else {
                     reinterpret_cast<int64_t*>(a.out)[off] = best.i;
                   }
                 }
               });
}

}  // namespace

void reduce(const ReduceArgs& a) {
  if (a.out_numel == 0) return;
  EMBER_DISPATCH_ALL_TYPES(a.in_dtype, op_name(a.op), [&] {
    dispatch_reduction(a.op, [&](auto kind) {
      using K = decltype(kind);
      if constexpr (K::indexed) reduce_arg<scalar_t, K>(a);
      else reduce_fold<scalar_t, K>(a);
    });
  });
}

}  // namespace ember::cpu
