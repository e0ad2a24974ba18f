// Reductions on the CPU: one output element per task, or, when there are few outputs and
// many reduced elements, partial results per thread combined at the end.
#include <cmath>
#include <limits>

#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/parallel.h"
#include "kernels/cpu/sum_run.h"
#include "kernels/op_registry.h"
#include "kernels/device/cast.h"
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

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return v != v;
  else return false;
}

// Sum/Mean/Prod and Amax/Amin: a running accumulator per output element.
template <class S>
void reduce_fold(const ReduceArgs& a) {
  using A = std::conditional_t<(std::is_same_v<S, float> || std::is_same_v<S, double> ||
                                std::is_same_v<S, Half> || std::is_same_v<S, BFloat16>),
                               double, int64_t>;
  const bool is_sum = a.op == OpId::Sum || a.op == OpId::Mean;
  const bool is_prod = a.op == OpId::Prod;
  const bool is_max = a.op == OpId::Amax;
  const S* in = reinterpret_cast<const S*>(a.in);
  auto init = [&]() -> A {
    if (is_sum) return A(0);
    if (is_prod) return A(1);
    return dev::convert<A>(in[0]);  // replaced by the first element below
  };
  auto fold = [&](A acc, A v, bool first) -> A {
    if (is_sum) return acc + v;
    if (is_prod) return acc * v;
    if (first || is_nan(acc)) return first ? v : acc;
    if (is_nan(v)) return v;
    return is_max ? (v > acc ? v : acc) : (v < acc ? v : acc);
  };
  auto finish = [&](A acc, int64_t o) {
    double r = a.op == OpId::Mean ? static_cast<double>(acc) / static_cast<double>(a.red_numel)
                                  : static_cast<double>(acc);
    int64_t off = kept_offset(a.kept_sizes, a.kept_out_strides, o);
    EMBER_DISPATCH_ALL_TYPES(a.out_dtype, "reduce", [&] {
      auto* out = reinterpret_cast<scalar_t*>(a.out) + off;
      // Integer sums and products stay exact in int64 (a double holds only 53 bits); a
      // mean of integers (mean(dtype=float)) is the quotient.
      if constexpr (std::is_same_v<A, int64_t>) {
        if (a.op != OpId::Mean) {
          *out = dev::convert<scalar_t>(acc);
          return;
        }
      }
      *out = dev::convert<scalar_t>(r);
    });
  };
  // Folds [rb, re) of the reduced elements of one output into acc; dense runs of a
  // floating sum go through sum_run.
  auto fold_range = [&](A& acc, bool& first, const S* base, int64_t rb, int64_t re) {
    for_reduced_runs(a, base, rb, re, [&](const S* p, int64_t len, int64_t stride, int64_t) {
      if constexpr (std::is_same_v<A, double>) {
        if (is_sum && stride == 1) {
          acc += sum_run(p, len);
          first = false;
          return;
        }
      }
      for (int64_t i = 0; i < len; ++i) {
        acc = fold(acc, dev::convert<A>(p[i * stride]), first);
        first = false;
      }
    });
  };
  int threads = omp_get_max_threads();
  if (a.out_numel < threads && a.red_numel >= 4 * kPointwiseGrain) {
    for (int64_t o = 0; o < a.out_numel; ++o) {
      const S* base = in + kept_offset(a.kept_sizes, a.kept_in_strides, o);
      std::vector<A> part(threads);
      std::vector<char> seen(threads, 0);
      parallel_for(a.red_numel, kPointwiseGrain, [&](int64_t b, int64_t e) {
        A acc = init();
        bool first = true;
        fold_range(acc, first, base, b, e);
        int t = omp_get_thread_num();
        part[t] = acc;
        seen[t] = 1;
      });
      A acc = init();
      bool first = true;
      for (int t = 0; t < threads; ++t)
        if (seen[t]) {
          acc = fold(acc, part[t], first);
          first = false;
        }
      finish(acc, o);
    }
    return;
  }
  parallel_for(a.out_numel, std::max<int64_t>(1, kPointwiseGrain / std::max<int64_t>(1, a.red_numel)),
               [&](int64_t ob, int64_t oe) {
                 for (int64_t o = ob; o < oe; ++o) {
                   const S* base = in + kept_offset(a.kept_sizes, a.kept_in_strides, o);
                   A acc = init();
                   bool first = true;
                   fold_range(acc, first, base, 0, a.red_numel);
                   finish(acc, o);
                 }
               });
}

// MaxDim/MinDim/ArgMax/ArgMin: value and first index of the extremum (NaN counts as max).
template <class S>
void reduce_arg(const ReduceArgs& a) {
  using T = typename dev::OpMath<S>::type;
  using C = std::conditional_t<std::is_same_v<T, bool>, int, T>;
  const bool want_max = a.op == OpId::MaxDim || a.op == OpId::ArgMax;
  const S* in = reinterpret_cast<const S*>(a.in);
  parallel_for(a.out_numel, std::max<int64_t>(1, kPointwiseGrain / std::max<int64_t>(1, a.red_numel)),
               [&](int64_t ob, int64_t oe) {
                 for (int64_t o = ob; o < oe; ++o) {
                   const S* base = in + kept_offset(a.kept_sizes, a.kept_in_strides, o);
                   C best{};
                   int64_t best_i = -1;
                   for_reduced(a, base, 0, a.red_numel, [&](S sv, int64_t i) {
                     C v = dev::convert<C>(sv);
                     if (best_i < 0) {
                       best = v;
                       best_i = i;
                       return;
                     }
                     if (is_nan(best)) return;
                     bool better = is_nan(v) || (want_max ? v > best : v < best);
                     if (better) {
                       best = v;
                       best_i = i;
                     }
                   });
                   int64_t off = kept_offset(a.kept_sizes, a.kept_out_strides, o);
                   if (a.op == OpId::ArgMax || a.op == OpId::ArgMin) {
                     reinterpret_cast<int64_t*>(a.out)[off] = best_i;
                   } else {
                     reinterpret_cast<S*>(a.out)[off] = dev::convert<S>(best);
                     a.indices[off] = best_i;
                   }
                 }
               });
}

}  // namespace

void reduce(const ReduceArgs& a) {
  if (a.out_numel == 0) return;
  EMBER_DISPATCH_ALL_TYPES(a.in_dtype, op_name(a.op), [&] {
    switch (a.op) {
      case OpId::MaxDim:
      case OpId::MinDim:
      case OpId::ArgMax:
      case OpId::ArgMin:
        reduce_arg<scalar_t>(a);
        break;
      default:
        reduce_fold<scalar_t>(a);
    }
  });
}

}  // namespace ember::cpu
