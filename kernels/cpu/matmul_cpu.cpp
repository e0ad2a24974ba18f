// Batched GEMM on the CPU: oneDNN matmul for float32 and bfloat16 (any strides with a unit
// stride in one of the two matrix dims) where oneDNN can create it on this CPU, plain
// blocked loops for the other dtypes and wherever oneDNN cannot.
#include <cmath>
#include <sstream>
#include <unordered_map>

#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/dnnl_context.h"
#include "kernels/cpu/parallel.h"
#include "kernels/device/cast.h"
#include "runtime/dispatch.h"

namespace ember::cpu {

namespace {

using dt = dnnl::memory::data_type;

// 2-D when there is no batch; a batch dim of 1 gets a dense stride so oneDNN recognises
// the plain (or transposed) layout and picks its optimised kernels.
dnnl::memory::desc matrix_desc(dt type, int64_t batch, int64_t rows, int64_t cols, int64_t bs,
                               int64_t rs, int64_t cs, bool batched) {
  if (!batched) return dnnl::memory::desc({rows, cols}, type, {rs, cs});
  if (batch == 1) bs = rows * cols;
  return dnnl::memory::desc({batch, rows, cols}, type, {bs, rs, cs});
}

dnnl::memory::desc bias_desc(dt type, int64_t n, bool batched) {
  if (batched) return dnnl::memory::desc({1, 1, n}, type, {n, n, 1});
  return dnnl::memory::desc({1, n}, type, {n, 1});
}

// False when oneDNN has no primitive for this problem on the running CPU.
bool gemm_dnnl(const GemmArgs& a, dt type) {
  std::ostringstream key;
  key << static_cast<int>(type) << ':' << a.batch << ',' << a.m << ',' << a.n << ',' << a.k << ':'
      << a.a_bs << ',' << a.a_rs << ',' << a.a_cs << ':' << a.b_bs << ',' << a.b_rs << ','
      << a.b_cs << ':' << a.c_bs << ',' << a.c_rs << ',' << a.c_cs << ':' << a.alpha << ','
      << a.beta << ':' << (a.bias != nullptr) << a.relu;
  // A batch stride of 0 means the operand is shared by every batch: oneDNN broadcasts a
  // batch dim of 1.
  int64_t a_batch = a.a_bs == 0 ? 1 : a.batch, b_batch = a.b_bs == 0 ? 1 : a.batch;
  bool batched = a.batch > 1;
  auto a_md = matrix_desc(type, a_batch, a.m, a.k, a.a_bs, a.a_rs, a.a_cs, batched);
  auto b_md = matrix_desc(type, b_batch, a.k, a.n, a.b_bs, a.b_rs, a.b_cs, batched);
  auto c_md = matrix_desc(type, a.batch, a.m, a.n, a.c_bs, a.c_rs, a.c_cs, batched);
  static PrimitiveCache<dnnl::matmul> cache;
  dnnl::matmul* prim = cache.get(key.str(), [&] {
    dnnl::primitive_attr attr = cached_primitive_attr();
    if (a.alpha != 1.0) attr.set_output_scales(0, {static_cast<float>(a.alpha)});
    dnnl::post_ops po;
    if (a.beta != 0.0) po.append_sum(static_cast<float>(a.beta));
    // clip(0, inf) is exactly clamp_min(0): negatives become +0, NaN stays NaN.
    if (a.relu) po.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, 0.0f, INFINITY);
    attr.set_post_ops(po);
    if (a.bias) {
      dnnl::matmul::desc d(a_md, b_md, bias_desc(type, a.n, batched), c_md);
      return dnnl::matmul(dnnl::matmul::primitive_desc(d, attr, dnnl_engine()));
    }
    dnnl::matmul::desc d(a_md, b_md, c_md);
    return dnnl::matmul(dnnl::matmul::primitive_desc(d, attr, dnnl_engine()));
  });
  if (!prim) return false;
  dnnl::memory am(a_md, dnnl_engine(), const_cast<char*>(a.a));
  dnnl::memory bm(b_md, dnnl_engine(), const_cast<char*>(a.b));
  dnnl::memory cm(c_md, dnnl_engine(), a.c);
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}};
  if (a.bias) args[DNNL_ARG_BIAS] = dnnl::memory(bias_desc(type, a.n, batched), dnnl_engine(), const_cast<char*>(a.bias));
  execute_primitive(*prim, args);
  return true;
}

template <class S>
void gemm_loops(const GemmArgs& a) {
  using T = std::conditional_t<std::is_floating_point_v<typename dev::OpMath<S>::type>,
                               typename dev::OpMath<S>::type, int64_t>;
  const S* A = reinterpret_cast<const S*>(a.a);
  const S* B = reinterpret_cast<const S*>(a.b);
  S* C = reinterpret_cast<S*>(a.c);
  T alpha = static_cast<T>(a.alpha), beta = static_cast<T>(a.beta);
  if (a.batch * a.m == 0 || a.n == 0) return;
  parallel_for(a.batch * a.m, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, a.n * a.k)),
               [&](int64_t rb, int64_t re) {
                 std::vector<T> acc(static_cast<size_t>(a.n));
                 for (int64_t r = rb; r < re; ++r) {
                   int64_t bi = r / a.m, i = r % a.m;
                   std::fill(acc.begin(), acc.end(), T(0));
                   // With k == 0, A and B may have no memory at all (and nothing is read).
                   const S* arow = a.k ? A + bi * a.a_bs + i * a.a_rs : nullptr;
                   const S* bmat = a.k ? B + bi * a.b_bs : nullptr;
                   for (int64_t p = 0; p < a.k; ++p) {
                     T av = dev::convert<T>(arow[p * a.a_cs]);
                     const S* brow = bmat + p * a.b_rs;
                     for (int64_t j = 0; j < a.n; ++j) acc[j] += av * dev::convert<T>(brow[j * a.b_cs]);
                   }
                   S* crow = C + bi * a.c_bs + i * a.c_rs;
                   const S* bias = reinterpret_cast<const S*>(a.bias);
                   for (int64_t j = 0; j < a.n; ++j) {
                     T v = alpha * acc[j];
                     if (a.beta != 0.0) v += beta * dev::convert<T>(crow[j * a.c_cs]);
                     if (bias) v += dev::convert<T>(bias[j]);
                     if (a.relu && v < T(0)) v = T(0);
                     crow[j * a.c_cs] = dev::convert<S>(v);
                   }
                 }
               });
}

}  // namespace

void gemm(const GemmArgs& a) {
  if (a.batch == 0 || a.m == 0 || a.n == 0) return;
  bool unit_a = a.a_cs == 1 || a.a_rs == 1, unit_b = a.b_cs == 1 || a.b_rs == 1;
  bool dnnl_ok = a.k > 0 && unit_a && unit_b && a.c_cs == 1;
  if (dnnl_ok && a.dtype == kFloat32 && gemm_dnnl(a, dt::f32)) return;
  if (dnnl_ok && a.dtype == kBFloat16 && gemm_dnnl(a, dt::bf16)) return;
  EMBER_DISPATCH_ALL_TYPES(a.dtype, "mm", [&] {
    if constexpr (std::is_same_v<scalar_t, bool>)
      EMBER_FAIL("mm: not implemented for bool");
    else
      gemm_loops<scalar_t>(a);
  });
}

}  // namespace ember::cpu
