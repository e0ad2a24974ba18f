// The CUDA backend against the CPU backend on the same inputs: every pointwise op of the
// op table in every dtype and operand layout, every reduction, matmuls with transposed and
// broadcast operands, the index ops, random fills (bit-identical for the same seed), ramps,
// copies and the fused optimizer step. Without a device every test skips visibly.
//
// Ops whose scalar code uses only IEEE +, -, *, /, sqrt and conversions must agree exactly
// (kernels are built without FMA contraction on both sides); transcendental functions come
// from different math libraries (libm vs CUDA) and get a few-ulp tolerance.
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kernels/op_registry.h"
#include "op_table.h"
#include "test_util.h"

#if defined(EMBER_WITH_CUDA)
#include "kernels/backend.h"
#include "kernels/cuda/gemm_plan.h"
#include "kernels/cuda/index_geometry.h"
#include "kernels/cuda/offset_calc.h"
#include "kernels/cuda/reduce_geometry.h"
#include "kernels/cuda/reduce_schedule.h"
#endif

using namespace ember;
using namespace ember::testing;

namespace {

Device gpu() { return Device(kCUDA, 0); }

const ScalarType kAllDtypes[] = {kFloat32, kFloat64, kFloat16, kBFloat16, kInt32,
                                 kInt64,   kInt8,    kUInt8,   kBool};
const ScalarType kFloatDtypes[] = {kFloat32, kFloat64, kFloat16, kBFloat16};

// Deterministic CPU test values of `dt` in [lo, hi] (integers for integer dtypes).
Tensor values_of(const Shape& shape, ScalarType dt, double lo, double hi, uint64_t seed) {
  manual_seed(seed);
  if (dt == kBool) return randint(0, 2, shape).to(kBool);
  if (is_integral(dt, false))
    return randint(static_cast<int64_t>(std::ceil(lo)), static_cast<int64_t>(std::floor(hi)) + 1,
                   shape)
        .to(dt);
  return (rand(shape, TensorOptions().dtype(kFloat64)) * (hi - lo) + lo).to(dt);
}

// Same dtype, shape and values; NaNs match each other (their bit patterns may differ
// between x86 and the GPU), zeros must have the same sign.
::testing::AssertionResult exact(const Tensor& got, const Tensor& want) {
  if (got.dtype() != want.dtype())
    return ::testing::AssertionFailure() << "dtype " << dtype_name(got.dtype()) << " vs "
                                         << dtype_name(want.dtype());
  if (got.sizes() != want.sizes())
    return ::testing::AssertionFailure() << "shape " << shape_str(got.sizes()) << " vs "
                                         << shape_str(want.sizes());
  auto a = values(got), b = values(want);
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) && std::isnan(b[i])) continue;
    if (a[i] != b[i] || std::signbit(a[i]) != std::signbit(b[i]))
      return ::testing::AssertionFailure() << "element " << i << ": " << a[i] << " vs " << b[i];
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult near(const Tensor& got, const Tensor& want, double rtol, double atol) {
  if (got.dtype() != want.dtype())
    return ::testing::AssertionFailure() << "dtype " << dtype_name(got.dtype()) << " vs "
                                         << dtype_name(want.dtype());
  return close(got, want, rtol, atol);
}

// A few ulps of the output dtype: the room two correct math libraries leave.
double math_tolerance(ScalarType dt) {
  switch (dt) {
    case kFloat64: return 1e-12;
    case kFloat32: return 1e-5;
    case kFloat16: return 2e-3;
    case kBFloat16: return 1.6e-2;
    default: return 0;
  }
}

// ----- pointwise: every op of the table

using PointwiseOp = TableOp;

bool uses_math_library(const PointwiseOp& op) { return op.numerics == Numerics::Libm; }

// One operand: a CPU base tensor and the view taken of it (on either device), or a CPU
// 0-dim tensor passed by value.
struct Input {
  Tensor base;
  std::function<Tensor(const Tensor&)> view;
  bool cpu_scalar = false;
};

Tensor identity_view(const Tensor& t) { return t; }

// The op table's domain (tests/op_table.h); integer dtypes round the range.
std::pair<double, double> input_range(const PointwiseOp& op, int k) {
  return domain_range(op.domain, k, op.arity);
}

// Where's condition and masked_fill's mask (rules Where and First) are bool.
ScalarType operand_dtype(const PointwiseOp& op, int k, ScalarType dt) {
  if ((op.rule == DtypeRule::Where && k == 0) || (op.rule == DtypeRule::First && k == 1)) return kBool;
  return dt;
}

// CpuScalars: trailing operands are CPU 0-dim tensors (passed by value), LeadingCpuScalar:
// the first one is; DeviceScalar: the last operand is a 0-dim CUDA tensor (stride 0).
enum class Layout {
  Contiguous, Broadcast, Transposed, CpuScalars, LeadingCpuScalar, DeviceScalar, Long1D,
  Unaligned, MixedDtypes
};
const Layout kLayouts[] = {Layout::Contiguous, Layout::Broadcast,        Layout::Transposed,
                           Layout::CpuScalars, Layout::LeadingCpuScalar, Layout::DeviceScalar,
                           Layout::Long1D,     Layout::Unaligned,        Layout::MixedDtypes};

const char* layout_name(Layout l) {
  switch (l) {
    case Layout::Contiguous: return "contiguous";
    case Layout::Broadcast: return "broadcast";
    case Layout::Transposed: return "transposed";
    case Layout::CpuScalars: return "cpu-scalars";
    case Layout::LeadingCpuScalar: return "leading-cpu-scalar";
    case Layout::DeviceScalar: return "device-scalar";
    case Layout::Long1D: return "long-1d";
    case Layout::Unaligned: return "unaligned";
    default: return "mixed-dtypes";
  }
}

// The operands of `op` in dtype `dt` laid out as `layout`; false when the layout does not
// apply to the op.
bool make_inputs(const PointwiseOp& op, ScalarType dt, Layout layout, std::vector<Input>* out) {
  const int n = op.arity;
  if (n == 1 && (layout == Layout::CpuScalars || layout == Layout::LeadingCpuScalar ||
                 layout == Layout::DeviceScalar || layout == Layout::MixedDtypes))
    return false;
  out->clear();
  for (int k = 0; k < n; ++k) {
    ScalarType t = operand_dtype(op, k, dt);
    if (layout == Layout::MixedDtypes && k == n - 1 && t != kBool)
      t = t == kFloat64 ? kInt32 : kFloat64;
    auto [lo, hi] = input_range(op, k);
    uint64_t seed = 100 + 7 * k + static_cast<uint64_t>(op.id);
    Input in;
    in.view = identity_view;
    bool value_operand = op.rule == DtypeRule::First && k == 2;  // masked_fill's value: 0-dim
    bool zero_dim = value_operand ||
                    (layout == Layout::CpuScalars && k >= (n == 3 ? 1 : n - 1)) ||
                    (layout == Layout::LeadingCpuScalar && k == 0) ||
                    (layout == Layout::DeviceScalar && k == n - 1);
    if (zero_dim) {
      in.base = values_of({}, t, lo, hi, seed);
      in.cpu_scalar = layout != Layout::DeviceScalar;
    } else if (layout == Layout::Broadcast) {
      if (n == 1) {
        in.base = values_of({1, 29}, t, lo, hi, seed);
        in.view = [](const Tensor& x) { return x.expand({37, 29}); };
      } else {
        in.base = values_of(k % 2 == 0 ? Shape{37, 1} : Shape{29}, t, lo, hi, seed);
      }
    } else if (layout == Layout::Transposed) {
      in.base = values_of({29, 37}, t, lo, hi, seed);
      in.view = [](const Tensor& x) { return x.t(); };
    } else if (layout == Layout::Long1D) {
      in.base = values_of({4099}, t, lo, hi, seed);
    } else if (layout == Layout::Unaligned) {
      in.base = values_of({4100}, t, lo, hi, seed);
      in.view = [](const Tensor& x) { return x.slice(0, 1); };
    } else {
      in.base = values_of({37, 29}, t, lo, hi, seed);
    }
    out->push_back(in);
  }
  return true;
}

std::vector<Tensor> realize(const std::vector<Input>& inputs, Device d) {
  std::vector<Tensor> out;
  for (const auto& in : inputs)
    out.push_back(in.cpu_scalar ? in.base : in.view(in.base.to(d)));
  return out;
}

// Runs op on both devices and compares; an Error on the CPU must be an Error on CUDA too.
void check_pointwise(const PointwiseOp& op, const std::vector<Input>& inputs, const Attrs& attrs) {
  Tensor want;
  try {
    want = run_op(op.id, realize(inputs, Device(kCPU)), attrs)[0];
  } catch (const Error&) {
    EXPECT_THROW(run_op(op.id, realize(inputs, gpu()), attrs), Error);
    return;
  }
  Tensor got = run_op(op.id, realize(inputs, gpu()), attrs)[0];
  ASSERT_TRUE(got.is_cuda());
  if (uses_math_library(op) && is_floating(want.dtype())) {
    double tol = math_tolerance(want.dtype());
    EXPECT_TRUE(near(got, want, tol, tol));
  } else {
    EXPECT_TRUE(exact(got, want));
  }
}

}  // namespace

TEST(CudaBackend, EveryPointwiseOpMatchesCpu) {
  EMBER_REQUIRE_CUDA();
  for (const auto& op : pointwise_table()) {
    if (op.rule == DtypeRule::Cast) continue;  // CastMatchesCpuForEveryDtypePair
    for (ScalarType dt : kAllDtypes) {
      for (Layout layout : kLayouts) {
        std::vector<Input> inputs;
        if (!make_inputs(op, dt, layout, &inputs)) continue;
        SCOPED_TRACE(std::string(op.name) + " " + dtype_name(dt) + " " + layout_name(layout));
        check_pointwise(op, inputs, Attrs());
      }
    }
  }
}

TEST(CudaBackend, CastMatchesCpuForEveryDtypePair) {
  EMBER_REQUIRE_CUDA();
  const PointwiseOp cast = pointwise_table()[0];
  ASSERT_EQ(cast.rule, DtypeRule::Cast);
  for (ScalarType from : kAllDtypes)
    for (ScalarType to : kAllDtypes)
      for (Layout layout : {Layout::Contiguous, Layout::Transposed, Layout::Long1D,
                            Layout::Unaligned, Layout::Broadcast}) {
        std::vector<Input> inputs;
        ASSERT_TRUE(make_inputs(cast, from, layout, &inputs));
        SCOPED_TRACE(std::string(dtype_name(from)) + " -> " + dtype_name(to) + " " +
                     layout_name(layout));
        check_pointwise(cast, inputs, Attrs().set("dtype", to));
      }
}

TEST(CudaBackend, InPlaceAndTooManyDims) {
  EMBER_REQUIRE_CUDA();
  Tensor a = values_of({64, 33}, kFloat32, -2, 2, 1), b = values_of({33}, kFloat32, -2, 2, 2);
  Tensor ga = a.to(gpu()), gb = b.to(gpu());
  a.add_(b).mul_(3).clamp_(-1, 4);
  ga.add_(gb).mul_(3).clamp_(-1, 4);
  EXPECT_TRUE(exact(ga, a));
  // A view over part of a tensor written in place (strided output).
  Tensor c = values_of({16, 16}, kFloat64, -1, 1, 3), gc = c.to(gpu());
  c.t().slice(0, 2, 9).mul_(-2);
  gc.t().slice(0, 2, 9).mul_(-2);
  EXPECT_TRUE(exact(gc, c));
  // Eleven dims that no merging can reduce exceed the offset calculator's ten.
  Shape shape(11, 2);
  IntList reversed;
  for (int64_t d = 10; d >= 0; --d) reversed.push_back(d);
  Tensor x = values_of(shape, kFloat32, -1, 1, 4).to(gpu()).permute(reversed);
  Tensor y = values_of(shape, kFloat32, -1, 1, 5).to(gpu());
  EXPECT_EMBER_ERROR(x + y, "at most 10 dims");
}

// ----- reductions

namespace {

double sum_tolerance(ScalarType dt) {
  switch (dt) {
    case kFloat32: return 2e-5;
    case kFloat16: return 2e-3;
    case kBFloat16: return 1.6e-2;
    case kFloat64: return 1e-12;
    default: return 0;
  }
}

void check_reductions(const Tensor& cpu_x, const Tensor& gpu_x) {
  ScalarType dt = cpu_x.dtype();
  double tol = sum_tolerance(dt);
  const std::vector<IntList> dim_sets = {{}, {0}, {1}, {2}, {0, 2}, {1, 2}, {-1, 0}};
  for (const auto& dims : dim_sets) {
    for (bool keep : {false, true}) {
      SCOPED_TRACE("dims " + shape_str(dims) + (keep ? " keepdim" : ""));
      Tensor s = cpu_x.sum(dims, keep), gs = gpu_x.sum(dims, keep);
      if (is_floating(dt)) EXPECT_TRUE(near(gs, s, tol, tol * 10));
      else EXPECT_TRUE(exact(gs, s));
      if (is_floating(dt)) EXPECT_TRUE(near(gpu_x.mean(dims, keep), cpu_x.mean(dims, keep), tol, tol));
      if (dt != kBool) {
        EXPECT_TRUE(exact(gpu_x.amax(dims, keep), cpu_x.amax(dims, keep)));
        EXPECT_TRUE(exact(gpu_x.amin(dims, keep), cpu_x.amin(dims, keep)));
      }
    }
  }
  for (int64_t d = 0; d < cpu_x.dim(); ++d) {
    for (bool keep : {false, true}) {
      SCOPED_TRACE("dim " + std::to_string(d) + (keep ? " keepdim" : ""));
      auto [v, i] = cpu_x.max(d, keep);
      auto [gv, gi] = gpu_x.max(d, keep);
      EXPECT_TRUE(exact(gv, v));
      EXPECT_TRUE(exact(gi, i));
      auto [mv, mi] = cpu_x.min(d, keep);
      auto [gmv, gmi] = gpu_x.min(d, keep);
      EXPECT_TRUE(exact(gmv, mv));
      EXPECT_TRUE(exact(gmi, mi));
      EXPECT_TRUE(exact(gpu_x.argmax(d, keep), cpu_x.argmax(d, keep)));
      EXPECT_TRUE(exact(gpu_x.argmin(d, keep), cpu_x.argmin(d, keep)));
    }
  }
  EXPECT_TRUE(exact(gpu_x.argmax(), cpu_x.argmax()));
  EXPECT_TRUE(exact(gpu_x.argmin(), cpu_x.argmin()));
  EXPECT_TRUE(exact(gpu_x.max(), cpu_x.max()));
  EXPECT_TRUE(exact(gpu_x.min(), cpu_x.min()));
}

}  // namespace

TEST(CudaBackend, ReductionsMatchCpu) {
  EMBER_REQUIRE_CUDA();
  // 300 reduced elements along dim 1 take the block-per-output kernel, 7 and 5 the
  // thread-per-output one; small integers make ties, so first-index rules are checked.
  for (ScalarType dt : {kFloat32, kFloat64, kFloat16, kBFloat16, kInt32, kInt64, kInt8, kBool}) {
    SCOPED_TRACE(dtype_name(dt));
    Tensor x = values_of({7, 300, 5}, dt, -3, 3, 11);
    check_reductions(x, x.to(gpu()));
    SCOPED_TRACE("non-contiguous");
    Tensor base = values_of({5, 300, 7}, dt, -3, 3, 12);
    check_reductions(base.transpose(0, 2), base.to(gpu()).transpose(0, 2));
  }
}

TEST(CudaBackend, ProdAndNaNAndLargeReductions) {
  EMBER_REQUIRE_CUDA();
  for (ScalarType dt : {kFloat32, kFloat64, kInt64, kInt32}) {
    SCOPED_TRACE(dtype_name(dt));
    Tensor x = is_floating(dt) ? values_of({4, 40, 3}, dt, 0.8, 1.2, 21)
                               : values_of({4, 10, 3}, dt, -2, 2, 21);
    Tensor gx = x.to(gpu());
    double tol = is_floating(dt) ? 1e-5 : 0;
    EXPECT_TRUE(near(gx.prod(), x.prod(), tol, tol));
    EXPECT_TRUE(near(gx.prod(1), x.prod(1), tol, tol));
    EXPECT_TRUE(near(gx.prod(0, true), x.prod(0, true), tol, tol));
  }
  // NaN wins amax/amin/max/argmax, first NaN's index is reported.
  Tensor x = values_of({6, 500}, kFloat32, -1, 1, 22);
  float* p = x.data_ptr<float>();
  p[3] = NAN;
  p[500 + 400] = NAN;
  p[500 + 410] = NAN;
  p[4 * 500 + 7] = NAN;
  Tensor gx = x.to(gpu());
  EXPECT_TRUE(exact(gx.amax({1}), x.amax({1})));
  EXPECT_TRUE(exact(gx.amin({0}), x.amin({0})));
  EXPECT_TRUE(exact(gx.argmax(1), x.argmax(1)));
  EXPECT_TRUE(exact(std::get<1>(gx.min(1)), std::get<1>(x.min(1))));
  EXPECT_TRUE(exact(gx.argmax(), x.argmax()));
  // A million elements into one output (block kernel, grid of one block).
  Tensor big = values_of({1 << 20}, kFloat32, 0, 1, 23);
  EXPECT_TRUE(near(big.to(gpu()).sum(), big.sum(), 1e-4, 0));
  EXPECT_TRUE(near(big.to(gpu()).mean(), big.mean(), 1e-4, 0));
  // Empty reductions: sum 0, prod 1, mean NaN.
  Tensor e = zeros({3, 0}, TensorOptions().device(gpu()));
  EXPECT_TRUE(exact(e.sum({1}), zeros({3})));
  EXPECT_TRUE(exact(e.prod(1), ones({3})));
  EXPECT_TRUE(std::isnan(e.mean({1}).cpu().data_ptr<float>()[0]));
}

// ----- matmul

namespace {

double gemm_tolerance(ScalarType dt) {
  switch (dt) {
    case kFloat64: return 1e-12;
    case kFloat32: return 1e-4;
    case kFloat16: return 5e-3;
    default: return 3e-2;
  }
}

}  // namespace

TEST(CudaBackend, MatmulsMatchCpu) {
  EMBER_REQUIRE_CUDA();
  for (ScalarType dt : kFloatDtypes) {
    SCOPED_TRACE(dtype_name(dt));
    double tol = gemm_tolerance(dt);
    Tensor a = values_of({37, 19}, dt, -1, 1, 31), at = values_of({19, 37}, dt, -1, 1, 32);
    Tensor b = values_of({19, 23}, dt, -1, 1, 33), bt = values_of({23, 19}, dt, -1, 1, 34);
    Tensor ga = a.to(gpu()), gat = at.to(gpu()), gb = b.to(gpu()), gbt = bt.to(gpu());
    EXPECT_TRUE(near(ga.mm(gb), a.mm(b), tol, tol));
    EXPECT_TRUE(near(gat.t().mm(gb), at.t().mm(b), tol, tol));
    EXPECT_TRUE(near(ga.mm(gbt.t()), a.mm(bt.t()), tol, tol));
    EXPECT_TRUE(near(gat.t().mm(gbt.t()), at.t().mm(bt.t()), tol, tol));
    // Vectors as matrices: m == 1 and n == 1.
    EXPECT_TRUE(near(ga.slice(0, 3, 4).mm(gb), a.slice(0, 3, 4).mm(b), tol, tol));
    EXPECT_TRUE(near(ga.mm(gb.slice(1, 5, 6)), a.mm(b.slice(1, 5, 6)), tol, tol));

    Tensor c = values_of({37, 23}, dt, -1, 1, 35), row = values_of({23}, dt, -1, 1, 36);
    Tensor gc = c.to(gpu()), grow = row.to(gpu());
    EXPECT_TRUE(near(gc.addmm(ga, gb, 0.5, 2), c.addmm(a, b, 0.5, 2), tol, tol));
    EXPECT_TRUE(near(grow.addmm(gat.t(), gb), row.addmm(at.t(), b), tol, tol));
    EXPECT_TRUE(near(gc.addmm(ga, gbt.t(), 0, 1), c.addmm(a, bt.t(), 0, 1), tol, tol));

    Tensor x = values_of({5, 11, 13}, dt, -1, 1, 37), y = values_of({5, 13, 7}, dt, -1, 1, 38);
    Tensor xt = values_of({5, 13, 11}, dt, -1, 1, 39), y1 = values_of({1, 13, 7}, dt, -1, 1, 40);
    Tensor gx = x.to(gpu()), gy = y.to(gpu()), gxt = xt.to(gpu()), gy1 = y1.to(gpu());
    EXPECT_TRUE(near(gx.bmm(gy), x.bmm(y), tol, tol));
    EXPECT_TRUE(near(gxt.transpose(1, 2).bmm(gy), xt.transpose(1, 2).bmm(y), tol, tol));
    // A batch broadcast by expand has batch stride 0.
    EXPECT_TRUE(near(gx.bmm(gy1.expand({5, 13, 7})), x.bmm(y1.expand({5, 13, 7})), tol, tol));
    EXPECT_TRUE(near(gx.bmm(gy.transpose(1, 2).contiguous().transpose(1, 2)), x.bmm(y), tol, tol));

    // k == 0: the product is zero, addmm keeps beta * input.
    Tensor e1 = zeros({4, 0}, TensorOptions().dtype(dt)), e2 = zeros({0, 5}, TensorOptions().dtype(dt));
    Tensor in = values_of({4, 5}, dt, -1, 1, 41);
    EXPECT_TRUE(exact(e1.to(gpu()).mm(e2.to(gpu())), e1.mm(e2)));
    EXPECT_TRUE(exact(in.to(gpu()).addmm(e1.to(gpu()), e2.to(gpu()), 2, 1), in.addmm(e1, e2, 2, 1)));
  }
  Tensor i = values_of({3, 4}, kInt64, -3, 3, 42).to(gpu());
  EXPECT_EMBER_ERROR(i.mm(i.t()), "not implemented for 'int64' on CUDA");
}

// ----- index ops

TEST(CudaBackend, IndexOpsMatchCpu) {
  EMBER_REQUIRE_CUDA();
  for (ScalarType dt : {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt32, kInt8, kUInt8, kBool}) {
    SCOPED_TRACE(dtype_name(dt));
    Tensor x = values_of({6, 7, 8}, dt, -3, 3, 51), gx = x.to(gpu());
    Tensor idx = tensor({4, 0, 5, 5, 2}).to(kInt64), gidx = idx.to(gpu());
    for (int64_t d = 0; d < 3; ++d) {
      EXPECT_TRUE(exact(gx.index_select(d, gidx), x.index_select(d, idx)));
      EXPECT_TRUE(exact(gx.transpose(0, 2).index_select(d, gidx), x.transpose(0, 2).index_select(d, idx)));
    }
    Tensor gather_idx = values_of({6, 5, 8}, kInt64, 0, 6, 52);
    EXPECT_TRUE(exact(gx.gather(1, gather_idx.to(gpu())), x.gather(1, gather_idx)));
    EXPECT_TRUE(exact(gx.transpose(0, 1).gather(0, gather_idx.to(gpu())), x.transpose(0, 1).gather(0, gather_idx)));

    // scatter with distinct targets per (i, k): rows j -> (2j + i + k) mod 7.
    Tensor targets = empty({6, 3, 8}, TensorOptions().dtype(kInt64));
    int64_t* t = targets.data_ptr<int64_t>();
    for (int64_t i = 0; i < 6; ++i)
      for (int64_t j = 0; j < 3; ++j)
        for (int64_t k = 0; k < 8; ++k) t[(i * 3 + j) * 8 + k] = (2 * j + i + k) % 7;
    Tensor src = values_of({6, 3, 8}, dt, -3, 3, 53);
    EXPECT_TRUE(exact(gx.scatter(1, targets.to(gpu()), src.to(gpu())), x.scatter(1, targets, src)));

    // Accumulation into duplicate targets, in whatever order the atomics run: small
    // integer values keep every partial sum exact in every dtype, so results must be equal.
    Tensor xi = values_of({6, 7, 8}, kInt64, -3, 3, 54).to(dt), gxi = xi.to(gpu());
    Tensor dup = values_of({6, 9, 8}, kInt64, 0, 6, 55);
    Tensor many = values_of({6, 9, 8}, kInt64, -3, 3, 56).to(dt);
    Tensor source = values_of({6, 5, 8}, kInt64, -3, 3, 57).to(dt);
    EXPECT_TRUE(exact(gxi.scatter_add(1, dup.to(gpu()), many.to(gpu())), xi.scatter_add(1, dup, many)));
    EXPECT_TRUE(exact(gxi.index_add(1, gidx, source.to(gpu())), xi.index_add(1, idx, source)));
    Tensor source2 = values_of({5, 7, 8}, kInt64, -3, 3, 60).to(dt), gsource2 = source2.to(gpu());
    EXPECT_TRUE(exact(gxi.transpose(0, 2).index_add(2, gidx, gsource2.transpose(0, 2)),
                      xi.transpose(0, 2).index_add(2, idx, source2.transpose(0, 2))));

    Tensor mask = values_of({6, 1, 8}, kBool, 0, 1, 58), gmask = mask.to(gpu());
    EXPECT_TRUE(exact(gx.masked_select(gmask), x.masked_select(mask)));
    EXPECT_TRUE(exact(gx.nonzero(), x.nonzero()));
    Tensor fill = values_of({400}, dt, -3, 3, 59);
    EXPECT_TRUE(exact(gx.masked_scatter(gmask, fill.to(gpu())), x.masked_scatter(mask, fill)));
  }
  Tensor none = zeros({3, 4}, TensorOptions().device(gpu()));
  EXPECT_EQ(none.nonzero().sizes(), Shape({0, 2}));
  EXPECT_EQ(none.masked_select(none.gt(1)).numel(), 0);
  EXPECT_TRUE(exact(scalar_tensor(3.0, TensorOptions().device(gpu())).nonzero(), empty({1, 0}, TensorOptions().dtype(kInt64))));
}

// ----- random fills, ramps, copies

TEST(CudaBackend, RandomIsBitIdenticalToCpu) {
  EMBER_REQUIRE_CUDA();
  for (ScalarType dt : kFloatDtypes) {
    SCOPED_TRACE(dtype_name(dt));
    auto opts = TensorOptions().dtype(dt);
    manual_seed(1234);
    Tensor a = rand({1001}, opts), b = randn({33, 17}, opts);
    manual_seed(1234);
    Tensor ga = rand({1001}, opts.device(gpu())), gb = randn({33, 17}, opts.device(gpu()));
    EXPECT_TRUE(bitwise_equal(ga, a));
    EXPECT_TRUE(bitwise_equal(gb, b));
  }
  for (ScalarType dt : {kInt64, kInt32, kFloat32, kInt8}) {
    SCOPED_TRACE(dtype_name(dt));
    manual_seed(99);
    Tensor a = randint(-5, 17, {2049}, TensorOptions().dtype(dt));
    manual_seed(99);
    Tensor ga = randint(-5, 17, {2049}, TensorOptions().dtype(dt).device(gpu()));
    EXPECT_TRUE(bitwise_equal(ga, a));
  }
  // Filling a non-contiguous view in place draws the same values as on the CPU.
  Tensor c = zeros({8, 6}), gc = zeros({8, 6}, TensorOptions().device(gpu()));
  manual_seed(5);
  c.t().uniform_(-2, 2);
  manual_seed(5);
  gc.t().uniform_(-2, 2);
  EXPECT_TRUE(bitwise_equal(gc, c));
}

TEST(CudaBackend, RampsAndFactoriesMatchCpu) {
  EMBER_REQUIRE_CUDA();
  for (ScalarType dt : {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt32}) {
    SCOPED_TRACE(dtype_name(dt));
    auto opts = TensorOptions().dtype(dt);
    EXPECT_TRUE(bitwise_equal(arange(0, 50, 3, opts.device(gpu())), arange(0, 50, 3, opts)));
    EXPECT_TRUE(bitwise_equal(linspace(-4, 9, 101, opts.device(gpu())), linspace(-4, 9, 101, opts)));
    EXPECT_TRUE(bitwise_equal(eye(5, 7, opts.device(gpu())), eye(5, 7, opts)));
    EXPECT_TRUE(bitwise_equal(full({3, 5}, 2.5, opts.device(gpu())), full({3, 5}, 2.5, opts)));
  }
  auto f = TensorOptions().dtype(kFloat64);
  EXPECT_TRUE(bitwise_equal(arange(0.0, 1.0, 0.07, f.device(gpu())), arange(0.0, 1.0, 0.07, f)));
  EXPECT_TRUE(bitwise_equal(linspace(0.1, 0.9, 7, f.device(gpu())), linspace(0.1, 0.9, 7, f)));
}

TEST(CudaBackend, CopiesBetweenDevices) {
  EMBER_REQUIRE_CUDA();
  for (ScalarType dt : kAllDtypes) {
    SCOPED_TRACE(dtype_name(dt));
    Tensor x = values_of({33, 17}, dt, -3, 3, 61);
    EXPECT_TRUE(bitwise_equal(x.to(gpu()).cpu(), x));
    EXPECT_TRUE(bitwise_equal(x.t().to(gpu()).cpu(), x.t().contiguous()));
    Tensor gx = x.to(gpu());
    EXPECT_TRUE(bitwise_equal(gx.t().contiguous(), x.t().contiguous()));
    EXPECT_TRUE(bitwise_equal(gx.slice(1, 2, 15, 3).clone(), x.slice(1, 2, 15, 3).clone()));
    Tensor dst = zeros({17, 33}, TensorOptions().dtype(dt).device(gpu()));
    dst.t().copy_(x);
    EXPECT_TRUE(bitwise_equal(dst.t().cpu().contiguous(), x));
  }
}

TEST(CudaBackend, OptimizerStepMatchesCpuExactly) {
  EMBER_REQUIRE_CUDA();
  // The update formulas use only +, -, *, / and sqrt, so both devices round identically.
  auto run = [](Device d, bool adam) {
    Tensor w = values_of({300}, kFloat32, -1, 1, 71).to(d).requires_grad_();
    Tensor v = values_of({7, 9}, kFloat32, -1, 1, 72).to(d).requires_grad_();
    Tensor target = values_of({300}, kFloat32, -1, 1, 73).to(d);
    std::unique_ptr<optim::Optimizer> opt;
    if (adam) opt = std::make_unique<optim::Adam>(std::vector<Tensor>{w, v}, optim::AdamOptions(0.05).amsgrad(true));
    else opt = std::make_unique<optim::SGD>(std::vector<Tensor>{w, v}, optim::SGDOptions(0.05).momentum(0.9).nesterov(true));
    for (int step = 0; step < 3; ++step) {
      opt->zero_grad();
      Tensor loss = (w - target).mul(w - target).sum() + v.mul(v).sum();
      loss.backward();
      opt->step();
    }
    return std::vector<Tensor>{w.detach().cpu(), v.detach().cpu()};
  };
  for (bool adam : {false, true}) {
    SCOPED_TRACE(adam ? "adam" : "sgd");
    auto cpu = run(Device(kCPU), adam), cuda = run(gpu(), adam);
    EXPECT_TRUE(bitwise_equal(cuda[0], cpu[0]));
    EXPECT_TRUE(bitwise_equal(cuda[1], cpu[1]));
  }
}

// ----- host-side checks of the CUDA backend's index planning (they run without a GPU)
//
// The kernels read geometries built on the host: the GEMM mapping onto column-major BLAS,
// the pointwise offset calculator, the reduction and index-op geometries. Each is
// evaluated here on the host and compared with the CPU's direct indexing.
#if defined(EMBER_WITH_CUDA)

namespace {

// cuBLAS's strided-batched GEMM, by definition, on float buffers.
void run_blas_reference(const cuda::GemmPlan& p, float alpha, float beta) {
  const float* A = reinterpret_cast<const float*>(p.a);
  const float* B = reinterpret_cast<const float*>(p.b);
  float* C = reinterpret_cast<float*>(p.c);
  for (int64_t bt = 0; bt < p.batch; ++bt)
    for (int64_t i = 0; i < p.m; ++i)
      for (int64_t j = 0; j < p.n; ++j) {
        float acc = 0;
        for (int64_t q = 0; q < p.k; ++q) {
          float av = p.trans_a ? A[bt * p.stride_a + q + i * p.lda] : A[bt * p.stride_a + i + q * p.lda];
          float bv = p.trans_b ? B[bt * p.stride_b + j + q * p.ldb] : B[bt * p.stride_b + q + j * p.ldb];
          acc += av * bv;
        }
        float& c = C[bt * p.stride_c + i + j * p.ldc];
        c = alpha * acc + (beta == 0 ? 0.0f : beta * c);
      }
}

struct MatrixLayout {
  int64_t rs, cs;
};

// Row-major (padded) or column-major (padded) element strides of a rows x cols matrix.
MatrixLayout layout_of(int kind, int64_t rows, int64_t cols) {
  switch (kind) {
    case 0: return {cols, 1};
    case 1: return {1, rows};
    case 2: return {cols + 3, 1};
    default: return {1, rows + 2};
  }
}

}  // namespace

TEST(CudaBackendPlanning, GemmPlanComputesTheRowMajorProduct) {
  const int64_t dims[] = {1, 2, 5};
  int cases = 0;
  for (int64_t m : dims)
    for (int64_t n : dims)
      for (int64_t k : dims)
        for (int la = 0; la < 4; ++la)
          for (int lb = 0; lb < 4; ++lb)
            for (int lc = 0; lc < 2; ++lc)
              for (int batch_kind = 0; batch_kind < 3; ++batch_kind) {
                MatrixLayout A = layout_of(la, m, k), B = layout_of(lb, k, n), C = layout_of(lc, m, n);
                int64_t batch = batch_kind == 0 ? 1 : 3;
                int64_t a_size = m * k * 3 + 64, b_size = k * n * 3 + 64, c_size = m * n * 3 + 64;
                // batch_kind 2: B is shared by every batch (batch stride 0).
                GemmArgs g;
                g.dtype = kFloat32;
                g.batch = batch;
                g.m = m;
                g.n = n;
                g.k = k;
                g.a_rs = A.rs; g.a_cs = A.cs; g.a_bs = a_size / 3;
                g.b_rs = B.rs; g.b_cs = B.cs; g.b_bs = batch_kind == 2 ? 0 : b_size / 3;
                g.c_rs = C.rs; g.c_cs = C.cs; g.c_bs = c_size / 3;
                std::vector<float> a(static_cast<size_t>(a_size * 3)), b(static_cast<size_t>(b_size * 3));
                std::vector<float> c(static_cast<size_t>(c_size * 3), 1.0f);
                for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>((i * 7 % 11)) - 5;
                for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>((i * 5 % 13)) - 6;
                g.a = reinterpret_cast<const char*>(a.data());
                g.b = reinterpret_cast<const char*>(b.data());
                g.c = reinterpret_cast<char*>(c.data());
                g.alpha = 2;
                g.beta = 0.5;
                SCOPED_TRACE(::testing::Message() << "m=" << m << " n=" << n << " k=" << k << " layouts "
                                                  << la << lb << lc << " batch " << batch_kind);
                cuda::GemmPlan p = cuda::plan_gemm(g);
                // cuBLAS's argument rules.
                EXPECT_GE(p.lda, std::max<int64_t>(1, p.trans_a ? p.k : p.m));
                EXPECT_GE(p.ldb, std::max<int64_t>(1, p.trans_b ? p.n : p.k));
                EXPECT_GE(p.ldc, std::max<int64_t>(1, p.m));
                std::vector<float> want = c;
                for (int64_t bt = 0; bt < batch; ++bt)
                  for (int64_t i = 0; i < m; ++i)
                    for (int64_t j = 0; j < n; ++j) {
                      float acc = 0;
                      for (int64_t q = 0; q < k; ++q)
                        acc += a[bt * g.a_bs + i * A.rs + q * A.cs] * b[bt * g.b_bs + q * B.rs + j * B.cs];
                      float& w = want[bt * g.c_bs + i * C.rs + j * C.cs];
                      w = 2.0f * acc + 0.5f * w;
                    }
                run_blas_reference(p, 2.0f, 0.5f);
                ASSERT_EQ(c, want);
                ++cases;
              }
  EXPECT_GT(cases, 1000);
}

TEST(CudaBackendPlanning, OffsetCalculatorMatchesTensorStrides) {
  Tensor half = zeros({5, 6}, TensorOptions().dtype(kFloat16));
  std::vector<std::pair<Tensor, std::vector<Tensor>>> cases = {
      {zeros({4, 6, 5}), {zeros({4, 6, 5}), zeros({6, 1})}},  // broadcast
      {zeros({5, 6, 4}).permute({2, 1, 0}),                    // permuted out, strided in
       {zeros({4, 8, 5}).slice(1, 1, 7), half.t().unsqueeze(0)}},
      {zeros({4, 6, 6}).slice(2, 1, 6, 2), {zeros({4, 6, 3}), zeros({})}},  // 0-dim by value
      {zeros({2, 3, 4, 5, 6}), {zeros({2, 1, 4, 1, 6}), zeros({3, 1, 5, 1})}},
  };
  for (auto& [out, inputs] : cases) {
    SCOPED_TRACE(shape_str(out.sizes()));
    PointwiseArgs a = plan_pointwise(OpId::Add, kFloat32, out, inputs);
    const Shape* strides[3] = {&a.out.strides, &a.in[0].strides, &a.in[1].strides};
    auto calc = cuda::make_offset_calc<3, uint32_t, int32_t>(a.sizes, strides, "test");
    ASSERT_TRUE(cuda::fits_32bit(a.sizes, a.numel, {strides[0], strides[1], strides[2]}));
    std::vector<Tensor> all{out, inputs[0], inputs[1]};
    for (int64_t i = 0; i < out.numel(); ++i) {
      int32_t off[3];
      calc.get(static_cast<uint32_t>(i), off);
      int64_t rem = i;
      std::vector<int64_t> idx(out.dim());
      for (int64_t d = out.dim() - 1; d >= 0; --d) {
        idx[d] = rem % out.sizes()[d];
        rem /= out.sizes()[d];
      }
      for (int k = 0; k < 3; ++k) {
        const Tensor& t = all[k];
        int64_t want = 0;
        for (int64_t d = 0; d < t.dim(); ++d) {
          int64_t at = idx[d + out.dim() - t.dim()];
          want += (t.sizes()[d] == 1 ? 0 : at) * t.strides()[d] * static_cast<int64_t>(t.element_size());
        }
        ASSERT_EQ(off[k], want) << "operand " << k << " element " << i;
      }
    }
  }
  // 32-bit math is refused when a byte extent could overflow it.
  Shape sizes{3, 1 << 20};
  Shape wide{int64_t{1} << 30, 4};
  EXPECT_FALSE(cuda::fits_32bit(sizes, 3 << 20, {&wide}));
}

TEST(CudaBackendPlanning, ReduceGeometryMatchesUnmergedIndexing) {
  Tensor x = zeros({3, 4, 5, 6}).permute({0, 2, 1, 3});  // [3, 5, 4, 6], mixed strides
  const std::vector<std::vector<int64_t>> dim_sets = {{1}, {3}, {0, 1}, {1, 2}, {0, 3}, {0, 1, 2, 3}, {2, 3}};
  for (const auto& dims : dim_sets) {
    for (bool keep : {false, true}) {
      SCOPED_TRACE(shape_str(dims) + (keep ? " keepdim" : ""));
      Shape out_shape;
      for (int64_t d = 0; d < x.dim(); ++d) {
        bool r = std::find(dims.begin(), dims.end(), d) != dims.end();
        if (!r) out_shape.push_back(x.sizes()[d]);
        else if (keep) out_shape.push_back(1);
      }
      Tensor o = zeros(out_shape);
      ReduceArgs r;  // as kernels/ops/reduction_ops.cpp fills it
      r.op = OpId::Sum;
      auto is_reduced = [&](int64_t d) { return std::find(dims.begin(), dims.end(), d) != dims.end(); };
      set_reduce_dims(r, x.sizes(), x.strides(), is_reduced, o.strides(), keep);
      cuda::ReduceGeometry g = cuda::make_reduce_geometry(r);
      ASSERT_EQ(g.out_numel, r.out_numel);
      ASSERT_EQ(g.red_numel, r.red_numel);
      auto unravel_dot = [](int64_t lin, const Shape& sizes, const Shape& strides) {
        int64_t off = 0;
        for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
          off += (lin % sizes[d]) * strides[d];
          lin /= sizes[d];
        }
        return off;
      };
      for (int64_t o_i = 0; o_i < r.out_numel; ++o_i) {
        int64_t in_off, out_off;
        g.kept_offsets(o_i, in_off, out_off);
        ASSERT_EQ(in_off, unravel_dot(o_i, r.kept_sizes, r.kept_in_strides));
        ASSERT_EQ(out_off, unravel_dot(o_i, r.kept_sizes, r.kept_out_strides));
      }
      for (int64_t ri = 0; ri < r.red_numel; ++ri)
        ASSERT_EQ(g.red_offset(ri), unravel_dot(ri, r.red_sizes, r.red_in_strides));
    }
  }
}

// The reduction schedule (kernels/cuda/reduce_schedule.h) follows the geometry: chunks for a
// long reduction into few outputs, a thread per output for a sum over an outer dim.
TEST(CudaBackendPlanning, FoldScheduleSpreadsLongReductionsOverTheGrid) {
  using Kind = cuda::FoldSchedule::Kind;
  // x [rows, cols] contiguous, reduced over dim 1 (inner) or dim 0 (outer).
  auto geometry = [](int64_t rows, int64_t cols, bool inner) {
    cuda::ReduceGeometry g;
    g.kept_ndim = g.red_ndim = 1;
    g.kept_sizes[0] = inner ? rows : cols;
    g.kept_in[0] = inner ? cols : 1;
    g.kept_out[0] = 1;
    g.red_sizes[0] = inner ? cols : rows;
    g.red_in[0] = inner ? 1 : cols;
    g.out_numel = g.kept_sizes[0];
    g.red_numel = g.red_sizes[0];
    return g;
  };
  cuda::ReduceGeometry all;
  all.red_ndim = 1;
  all.red_sizes[0] = all.red_numel = (int64_t{1} << 22) + 3;
  all.red_in[0] = 1;
  all.out_numel = 1;
  cuda::FoldSchedule s = cuda::plan_fold(all);
  ASSERT_EQ(s.kind, Kind::SplitThenCombine);
  EXPECT_EQ(s.splits, cuda::kSplitTargetBlocks);
  EXPECT_GE(s.splits * s.chunk, all.red_numel);
  EXPECT_LT((s.splits - 1) * s.chunk, all.red_numel);  // no empty chunk
  s = cuda::plan_fold(geometry(100000, 64, false));    // 64 long outer sums
  ASSERT_EQ(s.kind, Kind::SplitThenCombine);
  EXPECT_EQ(s.splits, 16);
  EXPECT_LE(64 * s.splits, cuda::kSplitTargetBlocks);
  s = cuda::plan_fold(geometry(5000, 3, false));  // chunks would be too short: a block each
  EXPECT_EQ(s.kind, Kind::BlockPerOutput);
  EXPECT_EQ(cuda::plan_fold(geometry(1000, 10000, false)).kind, Kind::ThreadPerOutput);  // coalesced
  EXPECT_EQ(cuda::plan_fold(geometry(10000, 1000, true)).kind, Kind::BlockPerOutput);
  EXPECT_EQ(cuda::plan_fold(geometry(8, 100, true)).kind, Kind::ThreadPerOutput);
}

TEST(CudaBackendPlanning, IndexGeometryMatchesCpuOffsets) {
  Tensor out = zeros({4, 3, 5}).transpose(0, 2);  // [5, 3, 4]
  Tensor self = zeros({5, 7, 4});
  Tensor index = zeros({5, 3, 4}, TensorOptions().dtype(kInt64));
  const int64_t dim = 1;
  auto g = cuda::make_index_geometry<3>("test", index.sizes(), dim, {&out, &self, &index});
  std::vector<const Tensor*> ts{&out, &self, &index};
  for (int64_t i = 0; i < g.numel; ++i) {
    int64_t off[3], digit;
    g.offsets(i, off, digit);
    int64_t rem = i;
    std::vector<int64_t> idx(3);
    for (int64_t d = 2; d >= 0; --d) {
      idx[d] = rem % index.sizes()[d];
      rem /= index.sizes()[d];
    }
    ASSERT_EQ(digit, idx[dim]);
    for (int t = 0; t < 3; ++t) {
      int64_t want = 0;
      for (int64_t d = 0; d < 3; ++d) want += idx[d] * ts[t]->strides()[d];
      ASSERT_EQ(off[t], want);
      // Re-targeting along dim (what gather does for self) moves by the dim's stride.
      int64_t at = 6 - idx[dim];
      ASSERT_EQ(off[t] + (at - digit) * g.dim_stride[t],
                want + (at - idx[dim]) * ts[t]->strides()[dim]);
    }
  }
  // A 0-dim iteration over 1-D tensors: the indexed dim is reached through dim_stride only.
  Tensor v = zeros({9}), i0 = zeros({}, TensorOptions().dtype(kInt64));
  auto g0 = cuda::make_index_geometry<2>("test", i0.sizes(), 0, {&i0, &v});
  int64_t off[2], digit;
  g0.offsets(0, off, digit);
  EXPECT_EQ(off[0], 0);
  EXPECT_EQ(off[1], 0);
  EXPECT_EQ(digit, 0);
  EXPECT_EQ(g0.dim_stride[1], 1);
}
#endif  // EMBER_WITH_CUDA
