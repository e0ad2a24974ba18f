#pragma once
// From a reduction's OpId to its kind in kernels/device/reduce.h, once for every host-side
// caller (the eager CPU and CUDA reductions, both fused lowerings). An op that is not a
// reduction of the family asked for is an internal error, never a silent default.
#include "kernels/device/reduce.h"
#include "kernels/op_registry.h"

namespace ember {

// f(K{}) for Sum, Mean, Prod, Amax, Amin.
template <class F>
void dispatch_fold_reduction(OpId op, const F& f) {
  namespace r = dev::red;
  switch (op) {
    case OpId::Sum: f(r::Sum{}); return;
    case OpId::Mean: f(r::Mean{}); return;
    case OpId::Prod: f(r::Prod{}); return;
    case OpId::Amax: f(r::Amax{}); return;
    case OpId::Amin: f(r::Amin{}); return;
    default: EMBER_FAIL("internal: ", op_name(op), " is not a folding reduction");
  }
}

// f(K{}) for every reduction: the folding ones and MaxDim, MinDim, ArgMax, ArgMin.
template <class F>
void dispatch_reduction(OpId op, const F& f) {
  namespace r = dev::red;
  switch (op) {
    case OpId::MaxDim: f(r::MaxDim{}); return;
    case OpId::MinDim: f(r::MinDim{}); return;
    case OpId::ArgMax: f(r::ArgMax{}); return;
    case OpId::ArgMin: f(r::ArgMin{}); return;
    default: dispatch_fold_reduction(op, f);
  }
}

}  // namespace ember
