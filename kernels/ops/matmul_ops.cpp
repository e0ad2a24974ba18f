// mm, bmm and addmm: validation and the mapping of tensors onto a strided batched GEMM.
#include "kernels/backend.h"
#include "kernels/op_registry.h"
#include "kernels/ops/ops_util.h"
#include "kernels/tensor_alloc.h"

namespace ember {

namespace {

void check_pair(const char* op, const Tensor& a, const Tensor& b, int64_t dims) {
  EMBER_CHECK(a.dim() == dims && b.dim() == dims, op, ": expected ", dims, "-D tensors, but got ",
              a.dim(), "-D and ", b.dim(), "-D (shapes ", shape_str(a.sizes()), " and ",
              shape_str(b.sizes()), ")");
  EMBER_CHECK(a.dtype() == b.dtype(), op, ": expected mat1 and mat2 to have the same dtype, but "
              "got: ", dtype_name(a.dtype()), " != ", dtype_name(b.dtype()));
  EMBER_CHECK(a.device() == b.device(), op, ": expected all tensors to be on the same device, but "
              "found at least two devices, ", a.device(), " and ", b.device());
  EMBER_CHECK(a.dtype() != kBool, op, ": not implemented for bool tensors");
  int64_t k1 = a.sizes()[dims - 1], k2 = b.sizes()[dims - 2];
  EMBER_CHECK(k1 == k2, op, ": mat1 and mat2 shapes cannot be multiplied (",
              dims == 3 ? std::to_string(a.sizes()[0]) + "x" : "", a.sizes()[dims - 2], "x", k1,
              " and ", dims == 3 ? std::to_string(b.sizes()[0]) + "x" : "", k2, "x",
              b.sizes()[dims - 1], ")");
  if (dims == 3)
    EMBER_CHECK(a.sizes()[0] == b.sizes()[0], op, ": batch sizes differ: ", a.sizes()[0], " vs ",
                b.sizes()[0], " (shapes ", shape_str(a.sizes()), " and ", shape_str(b.sizes()), ")");
}

// Row/column/batch element strides of a matrix operand with a unit stride in one of the
// two matrix dims (copying when it has none); size-1 dims get canonical strides.
struct Layout {
  Tensor t;
  int64_t rs, cs, bs;
};

Layout layout(Tensor t) {
  int64_t nd = t.dim();
  int64_t rows = t.sizes()[nd - 2], cols = t.sizes()[nd - 1];
  auto fix = [&](const Tensor& x) {
    int64_t rs = x.strides()[nd - 2], cs = x.strides()[nd - 1];
    if (rows == 1) rs = cs == 1 ? std::max<int64_t>(cols, 1) : 1;
    if (cols == 1) cs = rs == 1 ? std::max<int64_t>(rows, 1) : 1;
    if (rows == 1 && cols == 1) rs = cs = 1;
    int64_t bs = nd == 3 ? x.strides()[0] : 0;
    if (nd == 3 && x.sizes()[0] == 1) bs = rows * cols;
    return Layout{x, rs, cs, bs};
  };
  Layout l = fix(t);
  bool broadcast = (l.rs == 0 && rows > 1) || (l.cs == 0 && cols > 1);
  if ((l.rs != 1 && l.cs != 1) || broadcast) l = fix(contiguous_copy(t));
  return l;
}

void launch(const Tensor& a, const Tensor& b, const Tensor& out, double alpha, double beta,
            const Tensor& bias = Tensor(), bool relu = false) {
  Layout la = layout(a), lb = layout(b);
  int64_t nd = a.dim();
  GemmArgs g;
  g.dtype = a.dtype();
  g.batch = nd == 3 ? a.sizes()[0] : 1;
  g.m = a.sizes()[nd - 2];
  g.k = a.sizes()[nd - 1];
  g.n = b.sizes()[nd - 1];
  g.a = static_cast<const char*>(la.t.data_ptr());
  g.a_rs = la.rs; g.a_cs = la.cs; g.a_bs = la.bs;
  g.b = static_cast<const char*>(lb.t.data_ptr());
  g.b_rs = lb.rs; g.b_cs = lb.cs; g.b_bs = lb.bs;
  Tensor c = out.is_contiguous() ? out : empty_tensor(out.sizes(), out.dtype(), out.device());
  if (beta != 0.0 && !c.is_same(out)) copy_into(c, out);
  g.c = static_cast<char*>(c.data_ptr());
  g.c_rs = g.n; g.c_cs = 1; g.c_bs = g.m * g.n;
  g.alpha = alpha;
  g.beta = beta;
  Tensor dense_bias = bias.defined() ? contiguous_copy(bias) : Tensor();
  if (dense_bias.defined()) g.bias = static_cast<const char*>(dense_bias.data_ptr());
  g.relu = relu;
  if (g.k == 0 && beta == 0.0 && !g.bias && !g.relu) {
    copy_into(c, wrapped_scalar(0));
  } else {
    backend_for(out.device()).gemm(g);
  }
  if (!c.is_same(out)) copy_into(out, c);
}

std::vector<OutSpec> mm_meta(const std::vector<Tensor>& in, const Attrs&) {
  check_pair("mm", in[0], in[1], 2);
  return {{{in[0].sizes()[0], in[1].sizes()[1]}, in[0].dtype(), in[0].device()}};
}
void mm_run(const std::vector<Tensor>& in, const Attrs&, std::vector<Tensor>& out) {
  launch(in[0], in[1], out[0], 1.0, 0.0);
}

std::vector<OutSpec> bmm_meta(const std::vector<Tensor>& in, const Attrs&) {
  check_pair("bmm", in[0], in[1], 3);
  return {{{in[0].sizes()[0], in[0].sizes()[1], in[1].sizes()[2]}, in[0].dtype(), in[0].device()}};
}
void bmm_run(const std::vector<Tensor>& in, const Attrs&, std::vector<Tensor>& out) {
  launch(in[0], in[1], out[0], 1.0, 0.0);
}

// addmm(input, mat1, mat2, beta, alpha) = beta * input + alpha * mat1 @ mat2
std::vector<OutSpec> addmm_meta(const std::vector<Tensor>& in, const Attrs&) {
  check_pair("addmm", in[1], in[2], 2);
  Shape shape{in[1].sizes()[0], in[2].sizes()[1]};
  EMBER_CHECK(in[0].dtype() == in[1].dtype(), "addmm: expected self and mat1 to have the same "
              "dtype, but got: ", dtype_name(in[0].dtype()), " != ", dtype_name(in[1].dtype()));
  check_device("addmm", in[0], in[1].device());
  EMBER_CHECK(broadcast_shapes(in[0].sizes(), shape, "addmm") == shape, "addmm: input of shape ",
              shape_str(in[0].sizes()), " cannot be broadcast to ", shape_str(shape));
  return {{shape, in[1].dtype(), in[1].device()}};
}
void addmm_run(const std::vector<Tensor>& in, const Attrs& a, std::vector<Tensor>& out) {
  double beta = a.has("beta") ? a.scalar("beta").to_double() : 1.0;
  double alpha = a.has("alpha") ? a.scalar("alpha").to_double() : 1.0;
  if (beta != 0.0) copy_into(out[0], in[0]);
  launch(in[1], in[2], out[0], alpha, beta);
}

// FusedMm(a, b[, bias]) = a @ b (+ bias over rows) (then clamp_min(0) when relu): the
// compiler's matmul with its epilogue, one GEMM call (oneDNN post-ops, cuBLASLt epilogues).
std::vector<OutSpec> fused_mm_meta(const std::vector<Tensor>& in, const Attrs& a) {
  check_pair("mm", in[0], in[1], 2);
  int64_t n = in[1].sizes()[1];
  if (a.b("bias")) {
    EMBER_CHECK(in.size() == 3 && in[2].dim() == 1 && in[2].sizes()[0] == n && in[2].dtype() == in[0].dtype(),
                "FusedMm: bias must be a vector of ", n, " elements of dtype ", dtype_name(in[0].dtype()));
    check_device("FusedMm", in[2], in[0].device());
  }
  return {{{in[0].sizes()[0], n}, in[0].dtype(), in[0].device()}};
}
void fused_mm_run(const std::vector<Tensor>& in, const Attrs& a, std::vector<Tensor>& out) {
  launch(in[0], in[1], out[0], 1.0, 0.0, a.b("bias") ? in[2] : Tensor(), a.b("relu"));
}

}  // namespace

void register_matmul_ops() {
  register_op(OpId::FusedMm, &fused_mm_meta, &fused_mm_run);
  register_op(OpId::Mm, &mm_meta, &mm_run);
  register_op(OpId::Bmm, &bmm_meta, &bmm_run);
  register_op(OpId::Addmm, &addmm_meta, &addmm_run);
}

}  // namespace ember
