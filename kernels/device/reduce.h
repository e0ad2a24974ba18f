#pragma once
// The one definition of every reduction, shared by the eager CPU loop
// (kernels/cpu/reduce_cpu.cpp), the eager CUDA kernels (kernels/cuda/reduce.cu), the
// NVRTC-generated fused reductions (compiler/codegen/cuda_source.cpp) and the CPU fused
// loop (compiler/codegen/cpu_fused.cpp). The paths differ only in the order they combine
// elements in and in one named parameter, AccWidth.
//
// A kind K (named like its op in the op table, kernels/op_list.h) has:
//   K::acc<S, W>            the accumulation type for storage type S (AccOf<K, S, W>)
//   K::identity<A>()        the accumulator before any element
//   K::combine(acc, v)      folds v (an element or another partial result) into acc; on a
//                           tie the earlier operand (acc) wins
//   K::finalize(acc, count) the value to store, before conversion to the output dtype
//   K::indexed              the arg kinds: the accumulator is Best<C> (value and index)
//   K::name                 the struct's name, which generated code spells
#include "cast.h"

namespace ember {
namespace dev {
namespace red {

template <bool C, class A, class B> struct select { typedef A type; };
template <class A, class B> struct select<false, A, B> { typedef B type; };
template <class A, class B> struct same { static constexpr bool value = false; };
template <class A> struct same<A, A> { static constexpr bool value = true; };

template <class S> struct is_floating { static constexpr bool value = false; };
template <> struct is_floating<float> { static constexpr bool value = true; };
template <> struct is_floating<double> { static constexpr bool value = true; };
template <> struct is_floating<Half> { static constexpr bool value = true; };
template <> struct is_floating<BFloat16> { static constexpr bool value = true; };

// How wide floating values accumulate; integers and bool always accumulate in int64.
//   Wide:   every floating type in double (the CPU, eager and fused).
//   Narrow: float, float16 and bfloat16 in float, double in double (CUDA, like libtorch;
//           CUDA picks Wide when the result is float64: cuda_acc_width).
enum class AccWidth { Wide, Narrow };

EMBER_HD constexpr AccWidth cuda_acc_width(bool result_is_float64) {
  return result_is_float64 ? AccWidth::Wide : AccWidth::Narrow;
}

template <class S, AccWidth W>
struct FoldAcc {
  typedef typename select<W == AccWidth::Wide || same<S, double>::value, double, float>::type floating;
  typedef typename select<is_floating<S>::value, floating, i64>::type type;
};

// The smallest and largest value an accumulator holds: the identities of Amax and Amin.
template <class A> struct Limits;
template <> struct Limits<float> {
  static EMBER_HD float lowest() { return -bits_float(0x7f800000u); }
  static EMBER_HD float highest() { return bits_float(0x7f800000u); }
};
template <> struct Limits<double> {
  static EMBER_HD double lowest() { return -(double)bits_float(0x7f800000u); }
  static EMBER_HD double highest() { return (double)bits_float(0x7f800000u); }
};
template <> struct Limits<i64> {
  static EMBER_HD i64 lowest() { return -9223372036854775807LL - 1; }
  static EMBER_HD i64 highest() { return 9223372036854775807LL; }
};

// ----- Sum, Mean, Prod, Amax, Amin: one accumulator per output element.

struct Fold {
  static constexpr bool indexed = false;
  static constexpr bool additive = false;  // Sum and Mean: a dense run may be pre-summed
  template <class S, AccWidth W> using acc = typename FoldAcc<S, W>::type;
  template <class A> static EMBER_HD A finalize(A acc, i64) { return acc; }
};

struct Sum : Fold {
  static constexpr const char* name = "Sum";
  static constexpr bool additive = true;
  template <class A> static EMBER_HD A identity() { return A(0); }
  template <class A> static EMBER_HD A combine(A acc, A v) { return wrapping_add(acc, v); }
};

// A floating mean divides in its accumulation type; an integer one (mean(dtype=float) of
// integers) is the quotient in double.
struct Mean : Sum {
  static constexpr const char* name = "Mean";
  template <class A>
  static EMBER_HD typename select<is_integral<A>::value, double, A>::type finalize(A acc, i64 count) {
    if constexpr (is_integral<A>::value) return (double)acc / (double)count;
    else return acc / A(count);
  }
};

struct Prod : Fold {
  static constexpr const char* name = "Prod";
  template <class A> static EMBER_HD A identity() { return A(1); }
  template <class A> static EMBER_HD A combine(A acc, A v) { return wrapping_mul(acc, v); }
};

// NaN propagates: the first NaN met stays.
struct Amax : Fold {
  static constexpr const char* name = "Amax";
  template <class A> static EMBER_HD A identity() { return Limits<A>::lowest(); }
  template <class A> static EMBER_HD A combine(A acc, A v) {
    if (acc != acc) return acc;
    if (v != v) return v;
    return v > acc ? v : acc;
  }
};

struct Amin : Fold {
  static constexpr const char* name = "Amin";
  template <class A> static EMBER_HD A identity() { return Limits<A>::highest(); }
  template <class A> static EMBER_HD A combine(A acc, A v) {
    if (acc != acc) return acc;
    if (v != v) return v;
    return v < acc ? v : acc;
  }
};

// ----- MaxDim, MinDim, ArgMax, ArgMin: the first index of the extremum, a NaN counting as
// the extremum. Values compare in the op-math type (bool as int), whatever AccWidth says.

template <class C>
struct Best {
  C v;
  i64 i;  // -1: nothing seen yet
};

template <bool Max, bool Values>
struct Extremum {
  static constexpr bool indexed = true;
  static constexpr bool additive = false;
  static constexpr bool want_max = Max;
  static constexpr bool writes_values = Values;  // MaxDim/MinDim: values and indices
  template <class S, AccWidth W = AccWidth::Wide>
  using acc = Best<typename select<same<S, bool>::value, int, typename OpMath<S>::type>::type>;
  template <class B> static EMBER_HD B identity() { return B{decltype(B::v)(), -1}; }
  // The answer of the sequential loop for two partial results: the first NaN if any, else
  // the extreme value at the smallest index.
  template <class C> static EMBER_HD Best<C> combine(Best<C> a, Best<C> b) {
    if (a.i < 0) return b;
    if (b.i < 0) return a;
    bool an = a.v != a.v, bn = b.v != b.v;
    if (an || bn) {
      if (an && bn) return a.i <= b.i ? a : b;
      return an ? a : b;
    }
    if (a.v == b.v) return a.i <= b.i ? a : b;
    bool a_wins = Max ? a.v > b.v : a.v < b.v;
    return a_wins ? a : b;
  }
};

struct MaxDim : Extremum<true, true> { static constexpr const char* name = "MaxDim"; };
struct MinDim : Extremum<false, true> { static constexpr const char* name = "MinDim"; };
struct ArgMax : Extremum<true, false> { static constexpr const char* name = "ArgMax"; };
struct ArgMin : Extremum<false, false> { static constexpr const char* name = "ArgMin"; };

template <class K, class S, AccWidth W>
using AccOf = typename K::template acc<S, W>;

}  // namespace red
}  // namespace dev
}  // namespace ember
